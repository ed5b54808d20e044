/**
 * A real OCI distribution registry (Debian's `docker-registry`, installed by
 * scripts/setup.d/30-gate-tools.sh) on a random loopback port with throwaway storage,
 * plus a helper that pushes a small image through the registry's HTTP API.
 */
import { spawn, ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedPort } from "./app-server";

export const registryBinary = "/usr/bin/docker-registry";

export interface LocalRegistry {
    url: string;
    push(repository: string, tag: string): Promise<string>;
    deleteTag(repository: string, tag: string): Promise<void>;
    stop(): Promise<void>;
}

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function uploadBlob(url: string, repository: string, blob: Buffer): Promise<string> {
    const digest = digestOf(blob);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get("location")!, url);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT", body: blob, headers: { "content-type": "application/octet-stream" } });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
    return digest;
}

export async function startRegistry(): Promise<LocalRegistry> {
    if (!fs.existsSync(registryBinary)) throw new Error(`${registryBinary} is missing: run scripts/setup.d/30-gate-tools.sh`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-registry-"));
    const port = await closedPort();
    const config = path.join(dir, "config.yml");
    fs.writeFileSync(
        config,
        [
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${path.join(dir, "data")}`,
            "  delete:",
            "    enabled: true",
            "http:",
            `  addr: 127.0.0.1:${port}`,
            "",
        ].join("\n"),
    );
    const child: ChildProcess = spawn(registryBinary, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
        try {
            if ((await fetch(`${url}/v2/`)).status === 200) break;
        } catch {
            // not listening yet
        }
        if (child.exitCode !== null || Date.now() > deadline) {
            child.kill();
            throw new Error(`docker-registry did not start: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        url,
        async push(repository, tag) {
            const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, tag }));
            const layer = randomBytes(512);
            const configDigest = await uploadBlob(url, repository, config);
            const layerDigest = await uploadBlob(url, repository, layer);
            const manifest = Buffer.from(
                JSON.stringify({
                    schemaVersion: 2,
                    mediaType: "application/vnd.oci.image.manifest.v1+json",
                    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
                    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length }],
                }),
            );
            const res = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
                method: "PUT",
                body: manifest,
                headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
            });
            if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${await res.text()}`);
            return res.headers.get("docker-content-digest")!;
        },
        async deleteTag(repository, tag) {
            // The distribution API deletes manifests by digest, which removes every tag on it.
            const head = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
                method: "HEAD",
                headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
            });
            const digest = head.headers.get("docker-content-digest");
            if (!digest) throw new Error(`no digest for ${repository}:${tag}`);
            const res = await fetch(`${url}/v2/${repository}/manifests/${digest}`, { method: "DELETE" });
            if (res.status !== 202) throw new Error(`delete ${repository}:${tag}: HTTP ${res.status}`);
        },
        async stop() {
            child.kill("SIGTERM");
            await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
