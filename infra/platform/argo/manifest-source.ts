import * as fs from "fs";
import { parseAllDocuments } from "yaml";

/** Where an install manifest comes from: an upstream URL (Chameleon) or a local file (offline, tests). */
export type ManifestSource = { kind: "url"; url: string } | { kind: "file"; path: string };

export type KubernetesObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
};

export function describeSource(source: ManifestSource): string {
    return source.kind === "url" ? source.url : source.path;
}

/** Parses a multi-document YAML manifest, dropping empty documents and checking each object's shape. */
export function parseManifest(text: string, origin: string): KubernetesObject[] {
    const objects: KubernetesObject[] = [];
    parseAllDocuments(text).forEach((doc, index) => {
        if (doc.errors.length > 0) throw new Error(`${origin}: document ${index + 1} is not valid YAML: ${doc.errors[0].message}`);
        const value = doc.toJSON() as unknown;
        if (value === null || value === undefined) return;
        const object = value as Partial<KubernetesObject>;
        if (typeof object !== "object" || !object.apiVersion || !object.kind || typeof object.metadata?.name !== "string") {
            throw new Error(`${origin}: document ${index + 1} is not a Kubernetes object (needs apiVersion, kind, metadata.name)`);
        }
        objects.push(object as KubernetesObject);
    });
    if (objects.length === 0) throw new Error(`${origin}: no Kubernetes objects found`);
    return objects;
}

/** Reads the manifest text. A URL is fetched once per program run, with a bounded wait. */
export async function readManifest(source: ManifestSource, timeoutMs = 60_000): Promise<string> {
    if (source.kind === "file") {
        try {
            return fs.readFileSync(source.path, "utf8");
        } catch (error) {
            throw new Error(`cannot read install manifest ${source.path}: ${(error as Error).message}`, { cause: error });
        }
    }
    let response: Response;
    try {
        response = await fetch(source.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    } catch (error) {
        throw new Error(
            `cannot download install manifest ${source.url}: ${(error as Error).message}. ` +
                `Offline? Set the stack's install manifest key to a local file instead.`,
            { cause: error },
        );
    }
    if (!response.ok) throw new Error(`cannot download install manifest ${source.url}: HTTP ${response.status}`);
    return response.text();
}

export async function loadManifest(source: ManifestSource): Promise<KubernetesObject[]> {
    return parseManifest(await readManifest(source), describeSource(source));
}
