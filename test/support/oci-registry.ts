/**
 * A real OCI distribution registry (Debian's `docker-registry`, installed by
 * scripts/setup.d/30-gate-tools.sh) on a random loopback port with throwaway storage,
 * plus a helper that pushes a small image through the registry's HTTP API. With `login`, it
 * wants that login for every request (htpasswd, as the lab's registry), and the helpers send it.
 */
import { spawn, ChildProcess } from "node:child_process";
import bcrypt from "bcryptjs";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedPort } from "./app-server";

export const registryBinary = "/usr/bin/docker-registry";

export interface RegistryLogin {
    username: string;
    password: string;
}

export interface LocalRegistry {
    url: string;
    login?: RegistryLogin;
    push(repository: string, tag: string): Promise<string>;
    deleteTag(repository: string, tag: string): Promise<void>;
    stop(): Promise<void>;
}

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

const basicAuth = (login: RegistryLogin | undefined): Record<string, string> =>
    login ? { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}` } : {};

async function uploadBlob(url: string, repository: string, blob: Buffer, auth: Record<string, string>): Promise<string> {
    const digest = digestOf(blob);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: auth });
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get("location")!, url);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT", body: blob, headers: { "content-type": "application/octet-stream", ...auth } });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
    return digest;
}

export async function startRegistry(options: { login?: RegistryLogin } = {}): Promise<LocalRegistry> {
    if (!fs.existsSync(registryBinary)) throw new Error(`${registryBinary} is missing: run scripts/setup.d/30-gate-tools.sh`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-registry-"));
    const port = await closedPort();
    const config = path.join(dir, "config.yml");
    const { login } = options;
    const auth = basicAuth(login);
    if (login) fs.writeFileSync(path.join(dir, "htpasswd"), `${login.username}:${bcrypt.hashSync(login.password, 4)}\n`);
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
            ...(login ? ["auth:", "  htpasswd:", "    realm: test", `    path: ${path.join(dir, "htpasswd")}`] : []),
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
            // `/` answers without a login, auth or not.
            if ((await fetch(`${url}/`)).status === 200) break;
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
        login,
        async push(repository, tag) {
            const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, tag }));
            const layer = randomBytes(512);
            const configDigest = await uploadBlob(url, repository, config, auth);
            const layerDigest = await uploadBlob(url, repository, layer, auth);
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
                headers: { "content-type": "application/vnd.oci.image.manifest.v1+json", ...auth },
            });
            if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${await res.text()}`);
            return res.headers.get("docker-content-digest")!;
        },
        async deleteTag(repository, tag) {
            // The distribution API deletes manifests by digest, which removes every tag on it.
            const head = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
                method: "HEAD",
                headers: { accept: "application/vnd.oci.image.manifest.v1+json", ...auth },
            });
            const digest = head.headers.get("docker-content-digest");
            if (!digest) throw new Error(`no digest for ${repository}:${tag}`);
            const res = await fetch(`${url}/v2/${repository}/manifests/${digest}`, { method: "DELETE", headers: auth });
            if (res.status !== 202) throw new Error(`delete ${repository}:${tag}: HTTP ${res.status}`);
        },
        async stop() {
            child.kill("SIGTERM");
            await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
