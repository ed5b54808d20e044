import * as crypto from "crypto";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";

/**
 * Where an install manifest comes from: an upstream URL with the sha256 pinned for it
 * (vocabulary/versions.ts), or a local file the operator reviewed (offline, tests).
 */
export type ManifestSource = { kind: "url"; url: string; sha256: string } | { kind: "file"; path: string };

export type KubernetesObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
};

/** Larger than any Argo install manifest (Argo CD's is about 2 MB); a bigger reply is refused unread. */
export const maxManifestBytes = 16 * 1024 * 1024;

/** A manifest that cannot be used. A RunError: Pulumi prints the message alone, without a stack trace. */
export class ManifestError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ManifestError";
    }
}

export function describeSource(source: ManifestSource): string {
    return source.kind === "url" ? source.url : source.path;
}

/** Parses a multi-document YAML manifest, dropping empty documents and checking each object's shape. */
export function parseManifest(text: string, origin: string): KubernetesObject[] {
    const objects: KubernetesObject[] = [];
    parseAllDocuments(text).forEach((doc, index) => {
        if (doc.errors.length > 0) throw new ManifestError(`${origin}: document ${index + 1} is not valid YAML: ${doc.errors[0].message}`);
        const value = doc.toJSON() as unknown;
        if (value === null || value === undefined) return;
        const object = value as Partial<KubernetesObject>;
        if (typeof object !== "object" || !object.apiVersion || !object.kind || typeof object.metadata?.name !== "string") {
            throw new ManifestError(`${origin}: document ${index + 1} is not a Kubernetes object (needs apiVersion, kind, metadata.name)`);
        }
        objects.push(object as KubernetesObject);
    });
    if (objects.length === 0) throw new ManifestError(`${origin}: no Kubernetes objects found`);
    return objects;
}

/** Only https: a manifest carries cluster-wide RBAC, and plain http lets anyone on the path rewrite it. */
export function requireHttps(url: string, what = "install manifest URL"): void {
    if (!/^https:\/\//i.test(url)) {
        throw new ManifestError(`${what} ${url} is not https: only https:// downloads are allowed (or set the stack's install manifest key to a local file)`);
    }
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** The downloaded bytes must be the pinned ones; the message names the URL and both hashes. */
export function verifySha256(bytes: Uint8Array, url: string, expected: string): void {
    if (!sha256Pattern.test(expected)) {
        throw new ManifestError(`no valid sha256 is pinned for ${url} (got "${expected}"); pin 64 lowercase hex digits in vocabulary/versions.ts`);
    }
    const actual = crypto.createHash("sha256").update(bytes).digest("hex");
    if (actual !== expected) {
        throw new ManifestError(
            `install manifest ${url} does not match its pinned sha256: expected ${expected}, got ${actual}. ` +
                `Nothing from it was applied. Compare the file with the upstream release before changing the pin in vocabulary/versions.ts, ` +
                `or set the stack's install manifest key to a reviewed local copy.`,
        );
    }
}

/** Reads at most maxManifestBytes of a reply; more is refused rather than held in memory. */
async function boundedBody(response: Response, url: string): Promise<Uint8Array> {
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > maxManifestBytes) throw new ManifestError(`install manifest ${url} is ${declared} bytes, more than the ${maxManifestBytes} allowed`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array();
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxManifestBytes) {
            await reader.cancel();
            throw new ManifestError(`install manifest ${url} is more than the ${maxManifestBytes} bytes allowed`);
        }
        chunks.push(value);
    }
    return Buffer.concat(chunks);
}

/** Downloads a manifest over https (redirects included) and checks it against its pinned sha256. */
async function download(source: Extract<ManifestSource, { kind: "url" }>, timeoutMs: number, fetchImpl: typeof fetch): Promise<string> {
    requireHttps(source.url);
    let response: Response;
    try {
        response = await fetchImpl(source.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    } catch (error) {
        throw new ManifestError(
            `cannot download install manifest ${source.url}: ${(error as Error).message}. ` +
                `Offline? Set the stack's install manifest key to a local file instead.`,
        );
    }
    // GitHub's release downloads redirect to its object store; every hop must stay on https.
    if (response.url) requireHttps(response.url, `install manifest ${source.url} redirected to`);
    if (!response.ok) throw new ManifestError(`cannot download install manifest ${source.url}: HTTP ${response.status}`);
    const bytes = await boundedBody(response, source.url);
    verifySha256(bytes, source.url, source.sha256);
    return Buffer.from(bytes).toString("utf8");
}

/** Reads the manifest text. A URL is fetched once per program run, with a bounded wait. */
export async function readManifest(source: ManifestSource, timeoutMs = 60_000, fetchImpl: typeof fetch = fetch): Promise<string> {
    if (source.kind === "url") return download(source, timeoutMs, fetchImpl);
    try {
        return fs.readFileSync(source.path, "utf8");
    } catch (error) {
        throw new ManifestError(`cannot read install manifest ${source.path}: ${(error as Error).message}`);
    }
}

export async function loadManifest(source: ManifestSource): Promise<KubernetesObject[]> {
    return parseManifest(await readManifest(source), describeSource(source));
}
