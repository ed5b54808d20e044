import * as fs from "node:fs";
import * as path from "node:path";
import { run, runOk } from "../../e2e/harness/process";

/**
 * What the cluster may change on the machine, read before it starts and compared after it
 * stops. A kubelet, containerd and the CNI plugins write to fixed host paths, change sysctls,
 * mount, create links and iptables rules; teardown undoes each of them (cleanupHost).
 */
export interface HostSnapshot {
    mounts: string[];
    links: string[];
    addresses: string[];
    iptables: Record<IptablesCommand, string[]>;
    sysctls: Record<string, string>;
    /** For each fixed path below: absent (null) or the names in it. */
    paths: Record<string, string[] | null>;
    /** The cgroup v1 hierarchies the cluster's cgroupRoot would go in, and whether it is there. */
    cgroups: Record<string, boolean>;
}

type IptablesCommand = "iptables" | "ip6tables";
const iptablesCommands: IptablesCommand[] = ["iptables", "ip6tables"];
const tables = ["filter", "nat", "mangle", "raw"];

/** Host paths the kubelet, containerd and CNI use whatever their flags say. */
export const fixedHostPaths = [
    "/var/lib/kubelet",
    "/var/log/pods",
    "/var/log/containers",
    "/run/netns",
    "/var/lib/cni",
    "/run/containerd",
] as const;

/**
 * Sysctls the kubelet (vm.overcommit_memory, vm.panic_on_oom, kernel.panic,
 * kernel.panic_on_oops, kernel.keys.*), the bridge plugin (ip_forward) and kube-proxy
 * (route_localnet, conntrack) may set; saved before and written back after.
 */
export const trackedSysctls = [
    "vm.overcommit_memory",
    "vm.panic_on_oom",
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.keys.root_maxkeys",
    "kernel.keys.root_maxbytes",
    "net.ipv4.ip_forward",
    "net.ipv4.conf.all.forwarding",
    "net.ipv4.conf.all.route_localnet",
    "net.ipv6.conf.all.forwarding",
    "net.bridge.bridge-nf-call-iptables",
    "net.bridge.bridge-nf-call-ip6tables",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
] as const;

const sysctlFile = (key: string) => path.join("/proc/sys", ...key.split("."));

export const cgroupV1Root = "/sys/fs/cgroup";

/** The v1 hierarchies mounted under /sys/fs/cgroup (not the unified one). */
export function cgroupHierarchies(): string[] {
    return fs.readdirSync(cgroupV1Root)
        .filter((name) => name !== "unified" && fs.statSync(path.join(cgroupV1Root, name)).isDirectory())
        .filter((name) => fs.existsSync(path.join(cgroupV1Root, name, "cgroup.procs")));
}

export async function snapshotHost(cgroupRoot: string): Promise<HostSnapshot> {
    const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8").trim().split("\n")
        .map((line) => line.split(" "))
        .map((f) => `${f[4]} ${f[f.indexOf("-") + 1]} ${f[f.indexOf("-") + 2]}`)
        .sort();
    const links = (await runOk("ip", ["-o", "link", "show"])).trim().split("\n")
        .map((line) => line.split(":")[1].trim().split("@")[0]).sort();
    const addresses = (await runOk("ip", ["-o", "addr", "show"])).trim().split("\n")
        .map((line) => line.split(/\s+/).slice(1, 4).join(" ")).sort();
    const iptables = {} as HostSnapshot["iptables"];
    for (const command of iptablesCommands) iptables[command] = await iptablesRules(command);
    const sysctls: Record<string, string> = {};
    for (const key of trackedSysctls) {
        if (fs.existsSync(sysctlFile(key))) sysctls[key] = fs.readFileSync(sysctlFile(key), "utf8").trim();
    }
    const paths: HostSnapshot["paths"] = {};
    for (const p of fixedHostPaths) paths[p] = fs.existsSync(p) ? fs.readdirSync(p).sort() : null;
    const cgroups: Record<string, boolean> = {};
    for (const h of cgroupHierarchies()) cgroups[h] = fs.existsSync(path.join(cgroupV1Root, h, cgroupRoot));
    return { mounts, links, addresses, iptables, sysctls, paths, cgroups };
}

/** `-S` of every table, one line per chain or rule, prefixed with its table. */
async function iptablesRules(command: IptablesCommand): Promise<string[]> {
    const lines: string[] = [];
    for (const table of tables) {
        const listed = await run(command, ["-w", "5", "-t", table, "-S"], { timeoutMs: 30_000 });
        if (listed.code !== 0) continue;
        lines.push(...listed.stdout.trim().split("\n").filter(Boolean).map((line) => `${table} ${line}`));
    }
    return lines;
}

/** Splits one `iptables -S` line into arguments (quoted comments stay one argument). */
export function iptablesWords(line: string): string[] {
    const words: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
    return words;
}

/**
 * Puts the machine back as `before` found it: unmounts what was mounted under the given
 * roots, deletes the pods' bridge and its veths and the node address, every iptables rule and
 * chain that was not there,
 * cgroups under cgroupRoot, new entries of the fixed paths, and writes back the sysctls.
 * Returns what it could not undo (empty when the host is as it was).
 */
export async function cleanupHost(
    before: HostSnapshot,
    opts: { cgroupRoot: string; mountRoots: string[]; nodeAddress: string; bridge: string },
): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
        await step().catch((error: Error) => problems.push(`${what}: ${error.message}`));
    };

    // Mounts: deepest first, so a mount inside another goes before it.
    const known = new Set(before.mounts.map((m) => m.split(" ")[0]));
    const roots = [...opts.mountRoots, ...fixedHostPaths];
    const mounted = fs.readFileSync("/proc/self/mountinfo", "utf8").trim().split("\n")
        .map((line) => line.split(" ")[4].replace(/\\040/g, " "))
        .filter((point) => !known.has(point) && roots.some((root) => point === root || point.startsWith(`${root}/`)))
        .sort((a, b) => b.length - a.length);
    for (const point of [...new Set(mounted)]) {
        await attempt(`unmount ${point}`, async () => {
            const result = await run("umount", [point]);
            if (result.code !== 0) await runOk("umount", ["-l", point]);
        });
    }

    // Only the pods' bridge and the veths still on it: other links are not the cluster's.
    const names = (out: string) => out.trim().split("\n").filter(Boolean).map((line) => line.split(":")[1].trim().split("@")[0]);
    if (!before.links.includes(opts.bridge) && (await run("ip", ["link", "show", opts.bridge])).code === 0) {
        const ports = names(await runOk("ip", ["-o", "link", "show", "master", opts.bridge]));
        for (const link of [...ports.filter((l) => !before.links.includes(l)), opts.bridge]) {
            await attempt(`delete link ${link}`, () => runOk("ip", ["link", "delete", link]));
        }
    }
    await run("ip", ["addr", "del", `${opts.nodeAddress}/32`, "dev", "lo"]);

    for (const command of iptablesCommands) {
        await attempt(command, () => restoreIptables(command, before.iptables[command]));
    }

    for (const hierarchy of Object.keys(before.cgroups)) {
        if (before.cgroups[hierarchy]) continue;
        await attempt(`cgroup ${hierarchy}${opts.cgroupRoot}`, async () => removeCgroupTree(path.join(cgroupV1Root, hierarchy, opts.cgroupRoot)));
    }

    for (const [p, entries] of Object.entries(before.paths)) {
        await attempt(`remove ${p}`, async () => {
            if (entries === null) {
                fs.rmSync(p, { recursive: true, force: true });
            } else if (fs.existsSync(p)) {
                for (const entry of fs.readdirSync(p).filter((e) => !entries.includes(e))) {
                    fs.rmSync(path.join(p, entry), { recursive: true, force: true });
                }
            }
        });
    }

    for (const [key, value] of Object.entries(before.sysctls)) {
        await attempt(`sysctl ${key}`, async () => {
            if (fs.readFileSync(sysctlFile(key), "utf8").trim() !== value) fs.writeFileSync(sysctlFile(key), value);
        });
    }
    return problems;
}

/** Deletes every rule, then every chain, that `before` does not have. */
async function restoreIptables(command: IptablesCommand, before: string[]): Promise<void> {
    const had = new Set(before);
    const now = await iptablesRules(command);
    for (const line of now.filter((l) => !had.has(l) && / -A /.test(l))) {
        const [table, ...rule] = iptablesWords(line);
        rule[0] = "-D";
        await runOk(command, ["-w", "5", "-t", table, ...rule]);
    }
    const chains = now.filter((l) => !had.has(l) && / -N /.test(l)).map(iptablesWords);
    for (const [table, , chain] of chains) await runOk(command, ["-w", "5", "-t", table, "-F", chain]);
    for (const [table, , chain] of chains) await runOk(command, ["-w", "5", "-t", table, "-X", chain]);
}

/** rmdir of a cgroup and everything below it, leaves first (a cgroup directory holds only files the kernel owns). */
function removeCgroupTree(dir: string): void {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) removeCgroupTree(path.join(dir, entry.name));
    }
    fs.rmdirSync(dir);
}

/** Processes in the cluster's cgroups (containers whose shim is gone), from every v1 hierarchy. */
export function cgroupProcesses(cgroupRoot: string): number[] {
    const pids = new Set<number>();
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.isDirectory()) walk(path.join(dir, entry.name));
            else if (entry.name === "cgroup.procs") {
                for (const pid of fs.readFileSync(path.join(dir, entry.name), "utf8").split("\n").filter(Boolean)) pids.add(Number(pid));
            }
        }
    };
    for (const hierarchy of cgroupHierarchies()) walk(path.join(cgroupV1Root, hierarchy, cgroupRoot));
    return [...pids];
}

/** What differs between two snapshots, in words; empty when the host is as it was. */
export function hostDifferences(before: HostSnapshot, after: HostSnapshot): string[] {
    const diff: string[] = [];
    const list = (what: string, a: string[], b: string[]) => {
        for (const x of b.filter((y) => !a.includes(y))) diff.push(`${what} added: ${x}`);
        for (const x of a.filter((y) => !b.includes(y))) diff.push(`${what} removed: ${x}`);
    };
    list("mount", before.mounts, after.mounts);
    list("link", before.links, after.links);
    list("address", before.addresses, after.addresses);
    for (const command of iptablesCommands) list(command, before.iptables[command], after.iptables[command]);
    for (const [key, value] of Object.entries(before.sysctls)) {
        if (after.sysctls[key] !== value) diff.push(`sysctl ${key} is ${after.sysctls[key]}, was ${value}`);
    }
    for (const [p, entries] of Object.entries(before.paths)) {
        const now = after.paths[p];
        if ((entries === null) !== (now === null)) diff.push(`${p} ${now === null ? "is gone" : "was created"}`);
        else if (entries && now) list(p, entries, now);
    }
    for (const [h, had] of Object.entries(before.cgroups)) {
        if (after.cgroups[h] !== had) diff.push(`cgroup root in ${h} ${had ? "is gone" : "is left behind"}`);
    }
    return diff;
}
