import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { k3sReleaseHashes, missingHashesWarning } from "../../../infra/k3s/release-hashes";
import { k3sReleaseSha256, k3sVersion } from "../../../vocabulary/versions";
import { repoRoot } from "../../support/program";

const common = path.join(repoRoot, "infra", "k3s", "scripts", "common.sh");
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

describe("which sha256 values a node checks K3s against", () => {
    it("takes the stack's values first, then the pins for the release, and invents none", () => {
        const a = "a".repeat(64);
        const b = "b".repeat(64);
        expect(k3sReleaseHashes("v9.9.9+k3s1", { installer: a, binary: b })).toEqual({ installer: a, binary: b });
        expect(k3sReleaseHashes("v9.9.9+k3s1")).toEqual({ installer: "", binary: "" });
        const pinned = k3sReleaseSha256[k3sVersion];
        expect(k3sReleaseHashes(k3sVersion)).toEqual({ installer: pinned?.installer ?? "", binary: pinned?.binaryAmd64 ?? "" });
        for (const [version, pin] of Object.entries(k3sReleaseSha256)) {
            expect(pin.installer, version).toMatch(/^[0-9a-f]{64}$/);
            expect(pin.binaryAmd64, version).toMatch(/^[0-9a-f]{64}$/);
        }
    });

    it("warn in the preview, naming the stack keys, when a value is missing", () => {
        expect(missingHashesWarning("v9.9.9+k3s1", { installer: "", binary: "" })).toMatch(
            /no sha256 is pinned for K3s v9\.9\.9\+k3s1's installer and binary: `pulumi up` will stop .*gourmetgram:k3sInstallerSha256 .* and gourmetgram:k3sBinarySha256/,
        );
        expect(missingHashesWarning("v9.9.9+k3s1", { installer: "a".repeat(64), binary: "" })).not.toContain("k3sInstallerSha256");
        expect(missingHashesWarning("v9.9.9+k3s1", { installer: "a".repeat(64), binary: "b".repeat(64) })).toBeUndefined();
    });
});

/**
 * install_k3s on a stand-in node: `curl` serves the release files from a directory (GitHub is
 * not reachable here) and logs each URL; `systemctl` reports nothing running; the installer
 * is a script that records how it was run. sha256sum and install are the real ones.
 */
describe("install_k3s checks the installer and the binary before using either", () => {
    let root: string;
    const installer = "#!/bin/sh\necho \"ran with SKIP=$INSTALL_K3S_SKIP_DOWNLOAD VERSION=$INSTALL_K3S_VERSION EXEC=$INSTALL_K3S_EXEC\" >> \"$RUN_LOG\"\n";
    const binary = "\x7fELF not really k3s\n";

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-install-"));
        for (const dir of ["bin", "release", "etc", "usr-local-bin"]) fs.mkdirSync(path.join(root, dir));
        fs.writeFileSync(path.join(root, "release", "install.sh"), installer);
        fs.writeFileSync(path.join(root, "release", "k3s"), binary);
        fs.writeFileSync(
            path.join(root, "bin", "curl"),
            `#!/bin/bash\nout=""; url=""\nwhile [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2;; --proto|--proto-redir|--retry|--retry-delay) shift 2;; -*) shift;; *) url=$1; shift;; esac; done\necho "$url" >> "${root}/curl.log"\ncp "${root}/release/$(basename "$url")" "$out"\n`,
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(root, "bin", "systemctl"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
        fs.writeFileSync(path.join(root, "etc", "registries.yaml"), "mirrors: {}\n");
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    function install(env: Record<string, string>) {
        const script = `. ${JSON.stringify(common)}; k3s_config_dir=${JSON.stringify(path.join(root, "etc"))}; k3s_bin_dir=${JSON.stringify(path.join(root, "usr-local-bin"))}; install_k3s k3s server --secrets-encryption`;
        return spawnSync("bash", ["-c", script], {
            encoding: "utf8",
            env: { PATH: `${path.join(root, "bin")}:${process.env.PATH}`, RUN_LOG: path.join(root, "run.log"), K3S_VERSION: "v1.33.5+k3s1", ...env },
        });
    }
    const read = (file: string) => (fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), "utf8") : "");

    it("stops before downloading anything when a value is missing, saying which stack keys supply them", () => {
        const result = install({ K3S_INSTALLER_SHA256: sha256(installer), K3S_BINARY_SHA256: "" });
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(/no sha256 is pinned for K3s v1\.33\.5\+k3s1's installer and binary, so nothing was installed\. Set gourmetgram:k3sInstallerSha256 .* and gourmetgram:k3sBinarySha256/);
        expect(read("curl.log")).toBe("");
    });

    it("stops when the installer differs, naming both hashes, and never runs it", () => {
        const wrong = "0".repeat(64);
        const result = install({ K3S_INSTALLER_SHA256: wrong, K3S_BINARY_SHA256: sha256(binary) });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`the K3s v1.33.5+k3s1 installer does not match its pinned sha256: expected ${wrong}, got ${sha256(installer)}; nothing was installed`);
        expect(read("run.log")).toBe("");
        expect(fs.existsSync(path.join(root, "usr-local-bin", "k3s"))).toBe(false);
    });

    it("stops when the binary differs, before installing it or running the installer", () => {
        const result = install({ K3S_INSTALLER_SHA256: sha256(installer), K3S_BINARY_SHA256: sha256("another build\n") });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`the K3s v1.33.5+k3s1 binary does not match its pinned sha256: expected ${sha256("another build\n")}, got ${sha256(binary)}`);
        expect(read("run.log")).toBe("");
        expect(fs.existsSync(path.join(root, "usr-local-bin", "k3s"))).toBe(false);
    });

    it("installs the checked binary and runs the checked installer with downloads off", () => {
        const result = install({ K3S_INSTALLER_SHA256: sha256(installer), K3S_BINARY_SHA256: sha256(binary) });
        expect(result.status, result.stderr).toBe(0);
        expect(read("curl.log")).toBe(
            "https://raw.githubusercontent.com/k3s-io/k3s/v1.33.5%2Bk3s1/install.sh\nhttps://github.com/k3s-io/k3s/releases/download/v1.33.5%2Bk3s1/k3s\n",
        );
        expect(read("usr-local-bin/k3s")).toBe(binary);
        expect(fs.statSync(path.join(root, "usr-local-bin", "k3s")).mode & 0o777).toBe(0o755);
        expect(read("run.log")).toBe("ran with SKIP=true VERSION=v1.33.5+k3s1 EXEC=server --secrets-encryption\n");
        // A changed binary pin re-runs the install: the stamp carries it.
        expect(read("etc/gourmetgram-k3s.stamp")).toContain(sha256(binary));
    });

    it("takes every download over https only, redirects included", () => {
        const text = execFileSync("grep", ["-c", "curl -sfL --proto '=https' --proto-redir '=https'", common], { encoding: "utf8" });
        expect(Number(text)).toBe(2);
    });
});
