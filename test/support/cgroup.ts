/**
 * A memory + CPU cgroup for the processes of one test, set up as a container runtime sets up a
 * container with limits: a hard memory limit (the kernel OOM-kills inside it) and a CFS CPU quota.
 * Written against the kernel's files directly: the few writes and reads below are all the tests
 * need, and no npm package manages cgroups.
 *
 * Either hierarchy: cgroup v1 (each controller mounted on its own; the memory cgroup is created
 * under this process's own memory cgroup, the CPU one under this process's own CPU cgroup) or
 * cgroup v2 (one child of this process's own cgroup, with both controllers enabled for it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCpuMillicores, parseMemoryBytes } from "../../vocabulary/quantities";

export interface ControllerPlace {
    version: 1 | 2;
    /** The directory of this process's own cgroup for that controller. */
    dir: string;
}

export interface CgroupLayout {
    memory: ControllerPlace;
    cpu: ControllerPlace;
}

export class CgroupUnavailable extends Error {}

interface Mount {
    root: string;
    point: string;
    type: string;
    options: string[];
}

function mounts(mountinfo: string): Mount[] {
    return mountinfo
        .split("\n")
        .filter(Boolean)
        .map((line) => {
            const [left, right] = line.split(" - ");
            const fields = left.split(" ");
            const [type, , superOptions] = (right ?? "").split(" ");
            return { root: fields[3], point: fields[4], type, options: (superOptions ?? "").split(",") };
        });
}

function within(mount: Mount, ownPath: string): string {
    const relative = mount.root === "/" ? ownPath : ownPath.startsWith(mount.root) ? ownPath.slice(mount.root.length) : ownPath;
    return path.join(mount.point, relative).replace(/(.)\/+$/, "$1");
}

/**
 * Where this process's memory and CPU cgroups are, from /proc/self/mountinfo and
 * /proc/self/cgroup. `v2Controllers` lists the controllers a v2 cgroup directory offers.
 */
export function cgroupLayout(mountinfo: string, selfCgroup: string, v2Controllers: (dir: string) => string[]): CgroupLayout {
    const own = new Map<string, string>();
    let unifiedPath: string | undefined;
    for (const line of selfCgroup.split("\n").filter(Boolean)) {
        const [id, controllers, p] = [line.slice(0, line.indexOf(":")), ...splitRest(line)];
        if (id === "0" && controllers === "") unifiedPath = p;
        for (const c of controllers.split(",")) if (c) own.set(c, p);
    }
    const all = mounts(mountinfo);
    const place = (controller: "memory" | "cpu"): ControllerPlace => {
        const v1 = all.find((m) => m.type === "cgroup" && m.options.includes(controller));
        if (v1 && own.has(controller)) return { version: 1, dir: within(v1, own.get(controller)!) };
        const v2 = all.find((m) => m.type === "cgroup2");
        if (v2 && unifiedPath !== undefined) {
            const dir = within(v2, unifiedPath);
            if (v2Controllers(dir).includes(controller)) return { version: 2, dir };
        }
        throw new CgroupUnavailable(
            `no ${controller} cgroup controller is available to this process (neither a cgroup v1 mount with ${controller} nor a cgroup v2 hierarchy offering it)`,
        );
    };
    return { memory: place("memory"), cpu: place("cpu") };
}

function splitRest(line: string): [string, string] {
    const rest = line.slice(line.indexOf(":") + 1);
    const colon = rest.indexOf(":");
    return [rest.slice(0, colon), rest.slice(colon + 1)];
}

export function hostLayout(): CgroupLayout {
    return cgroupLayout(fs.readFileSync("/proc/self/mountinfo", "utf8"), fs.readFileSync("/proc/self/cgroup", "utf8"), (dir) => {
        try {
            return fs.readFileSync(path.join(dir, "cgroup.controllers"), "utf8").trim().split(/\s+/);
        } catch {
            return [];
        }
    });
}

export interface MemorySample {
    /** Everything charged, page cache included. */
    usageBytes: number;
    /** usage minus inactive file pages: what the kubelet and metrics-server call the working set. */
    workingSetBytes: number;
    /** Anonymous memory: what reclaim cannot free without swap. */
    anonBytes: number;
}

export interface Limits {
    /** A Kubernetes memory quantity, e.g. 1Gi. */
    memory: string;
    /** A Kubernetes CPU quantity, e.g. 1 or 500m. */
    cpu: string;
}

const cfsPeriodUs = 100_000;

function statValue(text: string, key: string): number {
    const line = text.split("\n").find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(" ")[1]) : 0;
}

/** One cgroup (two directories on v1) with the limits applied; remove() deletes it. */
export class LimitedCgroup {
    readonly memoryLimitBytes: number;
    readonly cpuMillicores: number;

    private constructor(
        readonly layout: CgroupLayout,
        readonly memoryDir: string,
        readonly cpuDir: string,
        limits: { memoryBytes: number; cpuMillicores: number },
    ) {
        this.memoryLimitBytes = limits.memoryBytes;
        this.cpuMillicores = limits.cpuMillicores;
    }

    /**
     * `firstClaimOnCpu` gives the cgroup the highest CPU weight, so on a machine busy with other
     * work it still gets the CPU its quota allows, as a pod does on a node with spare capacity.
     */
    static create(name: string, limits: Limits, options: { firstClaimOnCpu?: boolean } = {}, layout: CgroupLayout = hostLayout()): LimitedCgroup {
        const memoryBytes = parseMemoryBytes(limits.memory);
        const cpuMillicores = parseCpuMillicores(limits.cpu);
        if (memoryBytes === undefined) throw new Error(`memory limit "${limits.memory}" is not a Kubernetes memory quantity`);
        if (cpuMillicores === undefined) throw new Error(`CPU limit "${limits.cpu}" is not a Kubernetes CPU quantity`);
        const memoryDir = path.join(layout.memory.dir, name);
        const cpuDir = path.join(layout.cpu.dir, name);
        if (layout.memory.version === 2 || layout.cpu.version === 2) enableV2Controllers(layout);
        fs.mkdirSync(memoryDir);
        if (cpuDir !== memoryDir) fs.mkdirSync(cpuDir);
        const group = new LimitedCgroup(layout, memoryDir, cpuDir, { memoryBytes, cpuMillicores });
        try {
            const quota = Math.round((cpuMillicores * cfsPeriodUs) / 1000);
            if (layout.memory.version === 1) {
                fs.writeFileSync(path.join(memoryDir, "memory.limit_in_bytes"), String(memoryBytes));
            } else {
                fs.writeFileSync(path.join(memoryDir, "memory.max"), String(memoryBytes));
                if (fs.existsSync(path.join(memoryDir, "memory.swap.max"))) fs.writeFileSync(path.join(memoryDir, "memory.swap.max"), "0");
            }
            if (layout.cpu.version === 1) {
                fs.writeFileSync(path.join(cpuDir, "cpu.cfs_period_us"), String(cfsPeriodUs));
                fs.writeFileSync(path.join(cpuDir, "cpu.cfs_quota_us"), String(quota));
                if (options.firstClaimOnCpu) fs.writeFileSync(path.join(cpuDir, "cpu.shares"), "262144");
            } else {
                fs.writeFileSync(path.join(cpuDir, "cpu.max"), `${quota} ${cfsPeriodUs}`);
                if (options.firstClaimOnCpu) fs.writeFileSync(path.join(cpuDir, "cpu.weight"), "10000");
            }
        } catch (err) {
            group.remove();
            throw err;
        }
        return group;
    }

    /** The files a process writes its PID into to join (both controllers). */
    get procsFiles(): string[] {
        const files = [path.join(this.memoryDir, "cgroup.procs")];
        if (this.cpuDir !== this.memoryDir) files.push(path.join(this.cpuDir, "cgroup.procs"));
        return files;
    }

    /** PIDs still in the cgroup. */
    pids(): number[] {
        try {
            return fs.readFileSync(path.join(this.memoryDir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
        } catch {
            return [];
        }
    }

    private read(file: string, dir = this.memoryDir): string {
        return fs.readFileSync(path.join(dir, file), "utf8");
    }

    /** How many times the kernel OOM-killed a process in this cgroup. */
    oomKills(): number {
        return this.layout.memory.version === 1 ? statValue(this.read("memory.oom_control"), "oom_kill") : statValue(this.read("memory.events"), "oom_kill");
    }

    sample(): MemorySample {
        if (this.layout.memory.version === 1) {
            const usage = Number(this.read("memory.usage_in_bytes").trim());
            const stat = this.read("memory.stat");
            return { usageBytes: usage, workingSetBytes: Math.max(0, usage - statValue(stat, "total_inactive_file")), anonBytes: statValue(stat, "total_rss") };
        }
        const usage = Number(this.read("memory.current").trim());
        const stat = this.read("memory.stat");
        return { usageBytes: usage, workingSetBytes: Math.max(0, usage - statValue(stat, "inactive_file")), anonBytes: statValue(stat, "anon") };
    }

    /** Time the CPU quota held the cgroup back, in seconds. */
    throttledSeconds(): number {
        if (this.layout.cpu.version === 1) return statValue(this.read("cpu.stat", this.cpuDir), "throttled_time") / 1e9;
        return statValue(this.read("cpu.stat", this.cpuDir), "throttled_usec") / 1e6;
    }

    /** Deletes the cgroup; its processes must have exited (the caller stops the ones it started). */
    remove(): void {
        for (const dir of new Set([this.memoryDir, this.cpuDir])) {
            try {
                fs.rmdirSync(dir);
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
            }
        }
    }
}

/** On v2 a child gets a controller only if its parent lists it in cgroup.subtree_control. */
function enableV2Controllers(layout: CgroupLayout): void {
    const dir = layout.memory.version === 2 ? layout.memory.dir : layout.cpu.dir;
    const wanted = [layout.memory, layout.cpu].filter((p) => p.version === 2).map((p) => (p === layout.memory ? "+memory" : "+cpu"));
    try {
        fs.writeFileSync(path.join(dir, "cgroup.subtree_control"), wanted.join(" "));
    } catch (err) {
        throw new CgroupUnavailable(
            `cannot enable ${wanted.join(" ")} for child cgroups of ${dir} (${(err as Error).message}); on cgroup v2 this process's cgroup must be delegated to it and hold no processes of its own, e.g. run under systemd-run --scope -p Delegate=yes`,
        );
    }
}
