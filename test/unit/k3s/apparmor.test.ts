/**
 * The nodes' AppArmor profile for the image builder (infra/k3s/scripts/apparmor) and the K3s
 * install's function that loads it (install_apparmor_profiles, common.sh). The profile is
 * compiled by AppArmor 4's parser against policy ABI 4.0 (scripts/setup.d/15-apparmor.sh builds
 * the parser); this machine's kernel has no AppArmor, so nothing here enforces it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appArmorProfileFile, appArmorProfiles, appArmorProfilesDir, nodeAppArmorDir } from "../../../infra/k3s/apparmor-profiles";
import { repoRoot } from "../../support/program";

const scriptsDir = path.join(repoRoot, "infra", "k3s", "scripts");
const profileFile = appArmorProfileFile(appArmorProfiles.imageBuilder);
const profile = fs.readFileSync(profileFile, "utf8");
/** The profile's rules: its lines without comments, blank lines and the ones outside the profile block. */
const profileBlock = /^profile .*\{$/m.exec(profile)!;
const rules = profile
    .slice(profileBlock.index + profileBlock[0].length, profile.lastIndexOf("}"))
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

/**
 * containerd's cri-containerd.apparmor.d (contrib/apparmor/template.go) as its CRI plugin
 * renders it under an unconfined containerd (the daemon's peer is then `unconfined`), less its
 * `deny mount`; the profile's own name in place of the template's.
 */
const containerdDefault = [
    "include <abstractions/base>",
    "network,",
    "capability,",
    "file,",
    "umount,",
    "signal (receive) peer=unconfined,",
    "signal (receive) peer=runc,",
    "signal (receive) peer=crun,",
    "signal (send,receive) peer=gourmetgram-image-builder,",
    "deny @{PROC}/* w,",
    "deny @{PROC}/{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}/** w,",
    "deny @{PROC}/sys/[^k]** w,",
    "deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,",
    "deny @{PROC}/sysrq-trigger rwklx,",
    "deny @{PROC}/kcore rwklx,",
    "deny /sys/[^f]*/** wklx,",
    "deny /sys/f[^s]*/** wklx,",
    "deny /sys/fs/[^c]*/** wklx,",
    "deny /sys/fs/c[^g]*/** wklx,",
    "deny /sys/fs/cg[^r]*/** wklx,",
    "deny /sys/firmware/** rwklx,",
    "deny /sys/devices/virtual/powercap/** rwklx,",
    "deny /sys/kernel/security/** rwklx,",
    "ptrace (trace,tracedby,read,readby) peer=gourmetgram-image-builder,",
];

describe("the image builder's AppArmor profile", () => {
    it("is the profile of its file's name, the one the builder's container names, and the only file in its folder", () => {
        expect(fs.readdirSync(appArmorProfilesDir)).toEqual([appArmorProfiles.imageBuilder]);
        expect(profile).toMatch(/^profile gourmetgram-image-builder flags=\(attach_disconnected,mediate_deleted\) \{$/m);
        expect(profile.match(/^\s*profile /gm)).toHaveLength(1);
        expect(profile).toMatch(/^abi <abi\/4\.0>,$/m);
    });

    it("keeps every rule of containerd's default, its denials of /proc and /sys writes included, in their order", () => {
        expect(rules.filter((rule) => containerdDefault.includes(rule))).toEqual(containerdDefault);
    });

    it("replaces the default's `deny mount` with mounts of the build's filesystem types, binds and propagation changes only", () => {
        expect(rules).not.toContain("deny mount,");
        const mounts = rules.filter((rule) => rule.startsWith("mount"));
        expect(mounts.length).toBeGreaterThan(0);
        for (const rule of mounts) {
            // No bare `mount,`, no proc, sysfs or cgroup: only the layer stacks, runc's /dev, binds and propagation.
            expect(rule).toMatch(/^mount (fstype=(overlay|tmpfs|devpts|mqueue)|options=\((bind|rbind|private|rprivate|slave|rslave)\)) -> \/\*\*,$/);
        }
    });

    it("adds the user namespace, remounts and pivot_root, each rule beyond the default under a line saying why", () => {
        const beyond = rules.filter((rule) => !containerdDefault.includes(rule));
        expect(beyond).toEqual(expect.arrayContaining(["userns create,", "remount,", "pivot_root,"]));
        const lines = profile.split("\n").map((line) => line.trim());
        const start = lines.findIndex((line) => line.startsWith("# Beyond the default"));
        expect(start).toBeGreaterThan(0);
        for (const rule of beyond) {
            const at = lines.indexOf(rule);
            expect(at, rule).toBeGreaterThan(start);
            // The rules of one reason sit together under it.
            let above = at - 1;
            while (beyond.includes(lines[above])) above -= 1;
            expect(lines[above], rule).toMatch(/^# \S/);
        }
    });
});

/** Where scripts/setup.d/15-apparmor.sh leaves AppArmor 4's parser and the policy it includes. */
const parserDir = path.join(repoRoot, ".cache", "toolchain", "apparmor");
const parser = path.join(parserDir, "bin", "apparmor_parser");
const policyDir = path.join(parserDir, "apparmor.d");

/**
 * The parser as the test runs it: no config file of this machine's, includes from the built
 * policy, no kernel and no cache, every warning an error, and the kernel features of policy ABI
 * 4.0 (Ubuntu 24.04's), so that a rule its kernel would not enforce fails too.
 */
function parse(file: string, ...extra: string[]) {
    return spawnSync(
        parser,
        ["--config-file", "/dev/null", "--base", policyDir, "--skip-kernel-load", "--skip-cache", "--warn=all", "--Werror", "--features-file", path.join(policyDir, "abi", "4.0"), ...extra, file],
        { encoding: "utf8" },
    );
}

function describeWithParser(title: string, body: () => void): void {
    if (fs.existsSync(parser)) {
        describe(title, body);
    } else if (process.env.CI === "true") {
        describe(title, () => {
            it("has AppArmor 4's parser built before CI runs it", () => {
                throw new Error(`${parser} is missing: scripts/setup.d/15-apparmor.sh builds it`);
            });
        });
    } else {
        console.warn(`skipped, "${title}": ${parser} is missing (scripts/setup.d/15-apparmor.sh builds it)`);
        describe.skip(title, () => {
            it("needs AppArmor 4's parser", () => undefined);
        });
    }
}

describeWithParser("the profile under AppArmor 4's parser", () => {
    it("is AppArmor 4's parser, the major version Ubuntu 24.04 runs", () => {
        const version = spawnSync(parser, ["--config-file", "/dev/null", "--version"], { encoding: "utf8" });
        expect(version.stdout).toMatch(/^AppArmor parser version 4\.\d+\.\d+$/m);
    });

    it("compiles without a warning, every rule enforceable under policy ABI 4.0", () => {
        const result = parse(profileFile);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const names = parse(profileFile, "--names");
        expect(names.stdout.trim()).toBe(appArmorProfiles.imageBuilder);
    });

    it("would fail on a broken rule, and on one the kernel would not enforce", () => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apparmor-"));
        try {
            const broken = path.join(scratch, "broken");
            fs.writeFileSync(broken, profile.replace("userns create,", "userns creat,"));
            expect(parse(broken).status).not.toBe(0);
            // io_uring rules are beyond policy ABI 4.0: the kernel would not enforce one, a warning, so an error.
            const unenforced = path.join(scratch, "unenforced");
            fs.writeFileSync(unenforced, profile.replace("  pivot_root,\n", "  pivot_root,\n  io_uring,\n"));
            const result = parse(unenforced);
            expect(result.status).not.toBe(0);
            expect(result.stderr).toContain("io_uring rules not enforced");
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });
});

describe("install_apparmor_profiles", () => {
    let scratch: string;
    let node: { enabled: string; loaded: string; etc: string; bin: string; calls: string };
    const source = appArmorProfilesDir;
    const installed = () => path.join(node.etc, appArmorProfiles.imageBuilder);
    const parserCalls = () => fs.readFileSync(node.calls, "utf8").split("\n").filter(Boolean);

    beforeEach(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apparmor-node-"));
        node = {
            enabled: path.join(scratch, "enabled"),
            loaded: path.join(scratch, "profiles"),
            etc: path.join(scratch, "apparmor.d"),
            bin: path.join(scratch, "bin"),
            calls: path.join(scratch, "parser-calls"),
        };
        fs.writeFileSync(node.enabled, "Y\n");
        fs.writeFileSync(node.loaded, "");
        fs.mkdirSync(path.join(node.etc, "abi"), { recursive: true });
        fs.writeFileSync(path.join(node.etc, "abi", "4.0"), "");
        fs.writeFileSync(node.calls, "");
        fs.mkdirSync(node.bin);
        // apparmor_parser: records its arguments; "loads" the file's profile into the fake kernel list, or refuses it.
        fs.writeFileSync(path.join(node.bin, "apparmor_parser"), [
            "#!/bin/sh",
            'echo "$*" >> "$PARSER_CALLS"',
            'if [ -n "${PARSER_REFUSES:-}" ]; then echo "AppArmor parser error: syntax error" >&2; exit 1; fi',
            'for last; do :; done',
            'echo "$(basename "$last") (enforce)" >> "$LOADED"',
            "",
        ].join("\n"), { mode: 0o755 });
    });
    afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

    function install(from = source, env: Record<string, string> = {}, pathDirs = `${node.bin}:/usr/bin:/bin`) {
        const script = [
            `. ${JSON.stringify(path.join(scriptsDir, "common.sh"))}`,
            `apparmor_enabled=${JSON.stringify(node.enabled)}`,
            `apparmor_loaded=${JSON.stringify(node.loaded)}`,
            `apparmor_dir=${JSON.stringify(node.etc)}`,
            `install_apparmor_profiles ${JSON.stringify(from)}`,
        ].join("; ");
        // No standard input: bash reads ~/.bashrc when it is a socket, as node's pipes are.
        return spawnSync("bash", ["-c", script], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            env: { PATH: pathDirs, PARSER_CALLS: node.calls, LOADED: node.loaded, ...env },
        });
    }

    it("names the node's real AppArmor files by default", () => {
        const common = fs.readFileSync(path.join(scriptsDir, "common.sh"), "utf8");
        expect(common).toContain("apparmor_enabled=/sys/module/apparmor/parameters/enabled\n");
        expect(common).toContain("apparmor_loaded=/sys/kernel/security/apparmor/profiles\n");
        expect(common).toContain(`apparmor_dir=${nodeAppArmorDir}\n`);
    });

    it("loads each profile with apparmor_parser -r -W and keeps it where the boot loads it again", () => {
        const result = install();
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(parserCalls()).toEqual([`-r -W ${profileFile}`]);
        expect(fs.readFileSync(installed(), "utf8")).toBe(profile);
        expect(fs.statSync(installed()).mode & 0o777).toBe(0o644);
        expect(fs.readdirSync(node.etc).sort()).toEqual(["abi", appArmorProfiles.imageBuilder]);
        expect(result.stdout).toBe(`AppArmor profile ${appArmorProfiles.imageBuilder} loaded and kept in ${node.etc}\n`);
    });

    it("leaves an unchanged profile that the kernel holds alone, and loads it again when the kernel lost it", () => {
        expect(install().status).toBe(0);
        const before = fs.statSync(installed()).mtimeMs;
        const again = install();
        expect(again.status).toBe(0);
        expect(again.stdout).toBe("");
        expect(parserCalls()).toHaveLength(1);
        expect(fs.statSync(installed()).mtimeMs).toBe(before);

        fs.writeFileSync(node.loaded, "some-other-profile (enforce)\n");
        const reloaded = install();
        expect(reloaded.status).toBe(0);
        expect(parserCalls()).toHaveLength(2);
        expect(reloaded.stdout).toContain("loaded and kept in");
    });

    it("replaces a profile whose file changed", () => {
        expect(install().status).toBe(0);
        const changed = fs.mkdtempSync(path.join(scratch, "changed-"));
        fs.writeFileSync(path.join(changed, appArmorProfiles.imageBuilder), `${profile}\n# changed\n`);
        const result = install(changed);
        expect(result.status).toBe(0);
        expect(parserCalls()).toEqual([`-r -W ${profileFile}`, `-r -W ${path.join(changed, appArmorProfiles.imageBuilder)}`]);
        expect(fs.readFileSync(installed(), "utf8")).toBe(`${profile}\n# changed\n`);
    });

    it("skips a node where AppArmor is not enabled, saying so", () => {
        for (const state of ["N\n", null]) {
            if (state === null) fs.rmSync(node.enabled);
            else fs.writeFileSync(node.enabled, state);
            const result = install();
            expect(result.status).toBe(0);
            expect(result.stderr).toBe("");
            expect(result.stdout).toMatch(/^AppArmor is not enabled on \S+: its profiles from .*apparmor are not loaded\n$/);
        }
        expect(parserCalls()).toEqual([]);
        expect(fs.existsSync(installed())).toBe(false);
    });

    it("skips a node whose AppArmor predates policy ABI 4.0 (Ubuntu 22.04), saying so", () => {
        fs.rmSync(path.join(node.etc, "abi", "4.0"));
        const result = install();
        expect(result.status).toBe(0);
        expect(result.stdout).toContain(`predates policy ABI 4.0 (${node.etc}/abi/4.0 is missing): its profiles from`);
        expect(parserCalls()).toEqual([]);
        expect(fs.existsSync(installed())).toBe(false);
    });

    it("stops the install when apparmor_parser refuses a profile, and keeps the one in place", () => {
        fs.writeFileSync(installed(), "the profile loaded before\n");
        const result = install(source, { PARSER_REFUSES: "1" });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("AppArmor parser error: syntax error");
        expect(result.stderr).toContain(`error: apparmor_parser refused the AppArmor profile ${appArmorProfiles.imageBuilder}; it was not installed`);
        expect(fs.readFileSync(installed(), "utf8")).toBe("the profile loaded before\n");
        expect(fs.readdirSync(node.etc).sort()).toEqual(["abi", appArmorProfiles.imageBuilder]);
    });

    it("stops the install on an AppArmor node without apparmor_parser", () => {
        fs.rmSync(path.join(node.bin, "apparmor_parser"));
        const result = install(source, {}, "/usr/bin:/bin");
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("but apparmor_parser is missing");
        expect(fs.existsSync(installed())).toBe(false);
    });

    it("stops the install when the copied scripts hold no AppArmor profile", () => {
        const empty = fs.mkdtempSync(path.join(scratch, "empty-"));
        for (const from of [empty, path.join(empty, "missing")]) {
            const result = install(from);
            expect(result.status).toBe(1);
            expect(result.stderr).toContain(`error: no AppArmor profile in ${from}; nothing was installed`);
        }
        expect(parserCalls()).toEqual([]);
    });
});
