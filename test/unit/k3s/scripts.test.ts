import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/program";
import { scriptsDigest } from "../../../infra/k3s/k3s-cluster";
import { kubeletSeccompDir, seccompProfileFile, seccompProfiles, seccompProfilesDir } from "../../../infra/k3s/seccomp-profiles";
import { appArmorProfiles, appArmorProfilesDir } from "../../../infra/k3s/apparmor-profiles";

const scriptsDir = path.join(repoRoot, "infra", "k3s", "scripts");
const scripts = fs.readdirSync(scriptsDir).filter((file) => file.endsWith(".sh"));
const commonSh = JSON.stringify(path.join(scriptsDir, "common.sh"));

/** install_seccomp_profiles from `source` into a scratch kubelet seccomp directory. */
function installProfiles(source: string, kubeletDir: string) {
    const script = `. ${commonSh}; kubelet_seccomp_dir=${JSON.stringify(kubeletDir)}; install_seccomp_profiles ${JSON.stringify(source)}`;
    return spawnSync("bash", ["-c", script], { encoding: "utf8" });
}

describe("the scripts that run on the nodes", () => {
    it("pass shellcheck", () => {
        const paths = scripts.map((file) => path.relative(repoRoot, path.join(scriptsDir, file)));
        const result = spawnSync("shellcheck", ["-x", ...paths], { cwd: repoRoot, encoding: "utf8" });
        expect(result.error, "shellcheck is installed by scripts/setup.d/10-system.sh").toBeUndefined();
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    it("start the K3s server with Secrets encrypted at rest", () => {
        const server = fs.readFileSync(path.join(scriptsDir, "install-server.sh"), "utf8");
        expect(server).toMatch(/install_k3s k3s server \\\n(\s+--[^\n]*\\\n)*\s+--secrets-encryption\n/);
    });

    it("refuse to run without their settings", () => {
        const result = spawnSync("bash", [path.join(scriptsDir, "install-server.sh")], { encoding: "utf8", env: { PATH: process.env.PATH } });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("error: K3S_VERSION must be set");
    });

    it("refuse to join an agent without a token on standard input", () => {
        const env = {
            PATH: process.env.PATH,
            K3S_VERSION: "v1.33.5+k3s1",
            NODE_IP: "192.168.1.12",
            SERVER_URL: "https://192.168.1.11:6443",
            REGISTRY_HOST: "registry.kube-system.svc.cluster.local:5000",
            REGISTRY_ENDPOINT: "http://127.0.0.1:30500",
        };
        const result = spawnSync("bash", [path.join(scriptsDir, "install-agent.sh")], { encoding: "utf8", env, input: "" });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("the join token must be given on standard input");
    });

    it("give up waiting for nodes after the timeout, saying how many became Ready", () => {
        // A stand-in `k3s` that reports one Ready node of the three expected.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-k3s-"));
        fs.writeFileSync(path.join(bin, "k3s"), "#!/bin/sh\necho 'node1 Ready control-plane 1m v1.33.5+k3s1'\n", { mode: 0o755 });
        const result = spawnSync("bash", [path.join(scriptsDir, "wait-ready.sh")], {
            encoding: "utf8",
            env: { PATH: `${bin}:${process.env.PATH}`, EXPECTED_NODES: "3", TIMEOUT_SECONDS: "0" },
            timeout: 20_000,
        });
        fs.rmSync(bin, { recursive: true, force: true });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("only 1 of 3 nodes became Ready within 0s");
    });

    it("write the registry mirror that points containerd at the node-local endpoint", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "registries-"));
        const script = `. ${JSON.stringify(path.join(scriptsDir, "common.sh"))}; k3s_config_dir=${JSON.stringify(dir)}; write_registries registry.kube-system.svc.cluster.local:5000 http://127.0.0.1:30500; cat "$k3s_config_dir/registries.yaml"`;
        const written = execFileSync("bash", ["-c", script], { encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        expect(written).toBe('mirrors:\n  "registry.kube-system.svc.cluster.local:5000":\n    endpoint:\n      - "http://127.0.0.1:30500"\n');
    });

    it("write the seccomp profiles before K3s starts, on the server and on every agent", () => {
        for (const script of ["install-server.sh", "install-agent.sh"]) {
            const text = fs.readFileSync(path.join(scriptsDir, script), "utf8");
            const install = text.indexOf('install_seccomp_profiles "$here/seccomp"\n');
            expect(install, script).toBeGreaterThan(0);
            expect(install, script).toBeLessThan(text.indexOf("install_k3s "));
        }
        const common = fs.readFileSync(path.join(scriptsDir, "common.sh"), "utf8");
        expect(common).toContain(`kubelet_seccomp_dir=${kubeletSeccompDir}\n`);
    });

    it("load the AppArmor profiles before K3s starts, on the server and on every agent", () => {
        for (const script of ["install-server.sh", "install-agent.sh"]) {
            const text = fs.readFileSync(path.join(scriptsDir, script), "utf8");
            const install = text.indexOf('install_apparmor_profiles "$here/apparmor"\n');
            expect(install, script).toBeGreaterThan(0);
            expect(install, script).toBeLessThan(text.indexOf("install_k3s "));
        }
    });

    it("install each profile at its Localhost name below the kubelet's seccomp directory, once", () => {
        const kubeletDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelet-seccomp-"));
        try {
            const first = installProfiles(seccompProfilesDir, kubeletDir);
            expect(first.stderr).toBe("");
            expect(first.status).toBe(0);
            const installed = path.join(kubeletDir, seccompProfiles.imageBuilder);
            expect(fs.readFileSync(installed)).toEqual(fs.readFileSync(seccompProfileFile(seccompProfiles.imageBuilder)));
            expect(fs.statSync(installed).mode & 0o777).toBe(0o644);
            expect(first.stdout).toContain(`seccomp profile ${seccompProfiles.imageBuilder} installed`);

            // Run again: nothing to do, nothing rewritten.
            const before = fs.statSync(installed).mtimeMs;
            const again = installProfiles(seccompProfilesDir, kubeletDir);
            expect(again.status).toBe(0);
            expect(again.stdout).toBe("");
            expect(fs.statSync(installed).mtimeMs).toBe(before);
            expect(fs.readdirSync(path.dirname(installed))).toEqual([path.basename(installed)]);
        } finally {
            fs.rmSync(kubeletDir, { recursive: true, force: true });
        }
    });

    it("stop the install when the copied scripts hold no seccomp profile", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-profiles-"));
        const kubeletDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelet-seccomp-"));
        try {
            for (const source of [empty, path.join(empty, "missing")]) {
                const result = installProfiles(source, kubeletDir);
                expect(result.status).toBe(1);
                expect(result.stderr).toContain(`error: no seccomp profile in ${source}; nothing was installed`);
            }
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
            fs.rmSync(kubeletDir, { recursive: true, force: true });
        }
    });

    it("re-run the install when a seccomp profile changes", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-scripts-"));
        try {
            fs.cpSync(scriptsDir, copy, { recursive: true });
            expect(scriptsDigest(copy)).toBe(scriptsDigest(scriptsDir));
            fs.appendFileSync(path.join(copy, "seccomp", seccompProfiles.imageBuilder), "\n");
            expect(scriptsDigest(copy)).not.toBe(scriptsDigest(scriptsDir));
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("ship the AppArmor profiles with the scripts, and re-run the install when one changes", () => {
        // The copy to the nodes is the whole scripts folder, so the profiles' folder is inside it.
        expect(path.dirname(appArmorProfilesDir)).toBe(scriptsDir);
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-scripts-"));
        try {
            fs.cpSync(scriptsDir, copy, { recursive: true });
            fs.appendFileSync(path.join(copy, "apparmor", appArmorProfiles.imageBuilder), "\n");
            expect(scriptsDigest(copy)).not.toBe(scriptsDigest(scriptsDir));
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });
});
