/**
 * The cluster's image builder (scripts/toolchain/oci-image.sh): the same layout always packs
 * to the same image digest, an unchanged image is never packed twice, and any change to its
 * inputs gives another image.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, it } from "vitest";
import { runOk } from "../e2e/harness/process";
import { describeWithCluster } from "./harness/suite";

const repo = path.resolve(__dirname, "..", "..");

describeWithCluster("OCI images packed from a layout", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-oci-image-"));
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    /** oci_image in a toolchain cache of its own; returns the archive and the manifest digest. */
    async function pack(cache: string, layout: string): Promise<{ archive: string; digest: string; stamp: number }> {
        const archive = (await runOk("bash", [
            "-c",
            'source scripts/toolchain/common.sh && source scripts/toolchain/oci-image.sh && oci_image "$@"',
            "oci_image", "probe", "gourmetgram.local/probe:1", layout, "65534:65534", "/bin/busybox", "true",
        ], { cwd: repo, env: { ...process.env, GOURMETGRAM_TOOLCHAIN_CACHE: cache }, timeoutMs: 120_000 })).trim();
        const dir = path.dirname(archive);
        return {
            archive,
            digest: fs.readFileSync(path.join(dir, "manifest.sha256"), "utf8").trim(),
            stamp: fs.statSync(path.join(dir, ".complete")).mtimeMs,
        };
    }

    function layout(name: string, extra?: string): string {
        const dir = path.join(scratch, name);
        fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
        fs.copyFileSync("/bin/busybox", path.join(dir, "bin", "busybox"));
        fs.chmodSync(path.join(dir, "bin", "busybox"), 0o755);
        if (extra) fs.writeFileSync(path.join(dir, "note"), extra);
        return dir;
    }

    it("packs one layout to one digest, in any cache, at any time; a cached image is reused", async () => {
        const first = await pack(path.join(scratch, "cache-a"), layout("a"));
        const second = await pack(path.join(scratch, "cache-b"), layout("b"));
        expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
        expect(second.digest).toBe(first.digest);
        expect(fs.statSync(first.archive).size).toBeGreaterThan(1_000_000);

        const again = await pack(path.join(scratch, "cache-a"), layout("a"));
        expect(again).toEqual(first);
    }, 240_000);

    it("a changed input is another image", async () => {
        const plain = await pack(path.join(scratch, "cache-c"), layout("c"));
        const changed = await pack(path.join(scratch, "cache-c"), layout("d", "one more file"));
        expect(changed.archive).not.toBe(plain.archive);
        expect(changed.digest).not.toBe(plain.digest);
    }, 240_000);
});
