/**
 * OCI distribution API, just what a retag needs: read a manifest exactly as stored (bytes,
 * media type, digest) and store the same bytes under another tag. The blobs are shared
 * within the repository, so a retag copies no layers.
 */
import { createHash } from "node:crypto";
import { gateImageEnv, registryCredentials } from "../../../vocabulary/names";
import { excerpt, httpRequest, HttpResponse, ServerError, withRetry, RetryPolicy, defaultRetry } from "../http";
import type { RegistryCredentials } from "./options";

/** Everything a manifest of a single- or multi-platform image may be, newest first. */
export const manifestAccept = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface Manifest {
    mediaType: string;
    digest: string;
    body: Buffer;
}

export class RegistryError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RegistryError";
    }
}

export function sha256Digest(body: Buffer): string {
    return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

const loginVariables = `${gateImageEnv.registryUsername} / ${gateImageEnv.registryPassword}`;

export class RegistryClient {
    private readonly authorization: Record<string, string>;

    constructor(
        readonly baseUrl: string,
        private readonly timeoutMs = 15_000,
        private readonly retry: RetryPolicy = defaultRetry,
        credentials?: RegistryCredentials,
    ) {
        this.authorization = credentials
            ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}` }
            : {};
    }

    /** A 401 says which login was refused and what to do, never the password. */
    private refused(target: string, res: HttpResponse): RegistryError {
        const login = this.authorization.authorization
            ? `the login in ${loginVariables} (compare it with Secret ${registryCredentials.secretName} or the stack output registryLogin)`
            : `a request without a login (${loginVariables} are unset; workflow steps take them from Secret ${registryCredentials.secretName})`;
        return new RegistryError(`${target}: the registry refused ${login}: HTTP 401 ${excerpt(res.body)}`);
    }

    private url(repository: string, reference: string): string {
        return `${this.baseUrl.replace(/\/+$/, "")}/v2/${repository}/manifests/${encodeURIComponent(reference)}`;
    }

    /** The manifest a tag points at, or undefined when the tag does not exist. */
    getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
        const target = `registry ${repository}:${reference}`;
        return withRetry(async () => {
            const res = await httpRequest({ url: this.url(repository, reference), headers: { accept: manifestAccept, ...this.authorization }, timeoutMs: this.timeoutMs });
            if (res.status === 401) throw this.refused(target, res);
            if (res.status === 404) return undefined;
            if (res.status >= 500) throw new ServerError(res.status, target, excerpt(res.body));
            if (res.status !== 200) throw new RegistryError(`${target}: HTTP ${res.status}: ${excerpt(res.body)}`);
            const digest = sha256Digest(res.body);
            const claimed = res.headers["docker-content-digest"];
            if (claimed && claimed !== digest) {
                throw new RegistryError(`${target}: body digest ${digest} does not match Docker-Content-Digest ${claimed}`);
            }
            const mediaType = (res.headers["content-type"] ?? "").split(";")[0].trim();
            if (!mediaType) throw new RegistryError(`${target}: manifest has no Content-Type`);
            return { mediaType, digest, body: res.body };
        }, this.retry);
    }

    /** Stores the manifest bytes unchanged under `tag`; returns the digest the registry reports. */
    putManifest(repository: string, tag: string, manifest: Manifest): Promise<string> {
        const target = `registry ${repository}:${tag}`;
        return withRetry(async () => {
            const res = await httpRequest({
                method: "PUT",
                url: this.url(repository, tag),
                headers: { "content-type": manifest.mediaType, ...this.authorization },
                body: manifest.body,
                timeoutMs: this.timeoutMs,
            });
            if (res.status === 401) throw this.refused(target, res);
            if (res.status >= 500) throw new ServerError(res.status, target, excerpt(res.body));
            if (res.status !== 201 && res.status !== 200) throw new RegistryError(`${target}: PUT answered HTTP ${res.status}: ${excerpt(res.body)}`);
            return res.headers["docker-content-digest"] ?? manifest.digest;
        }, this.retry);
    }
}
