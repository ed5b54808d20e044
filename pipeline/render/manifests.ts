/**
 * Turns the resources a Pulumi program registered into the Kubernetes manifests it would
 * apply. Pure: the input is what the mocks recorded (type token + inputs).
 */
import type { RecordedResource } from "./mocks";

export type { RecordedResource };

export interface RenderedManifest {
    /** Relative file path: `<namespace or _cluster>/<kind>-<name>.yaml`. */
    readonly file: string;
    readonly manifest: Record<string, unknown>;
}

export interface NotRendered {
    readonly type: string;
    readonly name: string;
    readonly reason: string;
}

const secretSignature = "4dabf18193072939515e22adb298388d";
const secretMarker = "1b47061264138c4ac30d75fd1eb44270";
export const redacted = "<redacted: Pulumi secret>";

/**
 * Replaces every Pulumi secret inside a value; secrets never reach a rendered file. A secret
 * map (a Secret's whole stringData, say) keeps its keys, which are not secret, so a reader
 * still sees which entries the object holds.
 */
export function redactSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[secretSignature] === secretMarker) {
            const inner = record.value;
            const isMap = inner !== null && typeof inner === "object" && !Array.isArray(inner);
            return isMap ? Object.fromEntries(Object.keys(inner).map((k) => [k, redacted])) : redacted;
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

/**
 * What a redacted Secret entry holds. The API server parses a `kubernetes.io/dockerconfigjson`
 * Secret's `.dockerconfigjson` as JSON and refuses anything else, so that one is a docker config
 * whose only registry is the redaction; every other entry is the redaction itself.
 */
export function redactedSecretValue(secretType: unknown, key: string): string {
    return secretType === "kubernetes.io/dockerconfigjson" && key === ".dockerconfigjson" ? JSON.stringify({ auths: { [redacted]: {} } }) : redacted;
}

/** `kubernetes:core/v1:ConfigMap` → { apiVersion: "v1", kind: "ConfigMap" }. */
export function typeToApi(type: string): { apiVersion: string; kind: string } | undefined {
    const match = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!match) return undefined;
    const [, groupVersion, kind] = match;
    if (/^(helm\.sh|yaml|kustomize)\//.test(groupVersion) || groupVersion.startsWith("apiextensions.k8s.io:")) return undefined;
    return { apiVersion: groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion, kind };
}

export function renderManifests(resources: readonly RecordedResource[]): { manifests: RenderedManifest[]; skipped: NotRendered[] } {
    const manifests: RenderedManifest[] = [];
    const skipped: NotRendered[] = [];
    const seen = new Set<string>();
    for (const resource of resources) {
        if (!resource.type.startsWith("kubernetes:")) continue;
        const api = typeToApi(resource.type);
        const inputs = redactSecrets(resource.inputs) as Record<string, unknown>;
        if (!api) {
            skipped.push({ type: resource.type, name: resource.name, reason: "expands to manifests only at deploy time (Helm/YAML/Kustomize)" });
            continue;
        }
        const apiVersion = (inputs.apiVersion as string | undefined) ?? api.apiVersion;
        const kind = (inputs.kind as string | undefined) ?? api.kind;
        const metadata = { ...((inputs.metadata as Record<string, unknown>) ?? {}) };
        if (!metadata.name) metadata.name = resource.name;
        let manifest: Record<string, unknown> = { apiVersion, kind, ...inputs, metadata };
        if (kind === "Secret") {
            for (const field of ["data", "stringData"]) {
                const data = manifest[field] as Record<string, unknown> | string | undefined;
                if (typeof data === "string") manifest = { ...manifest, [field]: data };
                else if (data) manifest = { ...manifest, [field]: Object.fromEntries(Object.keys(data).map((k) => [k, redactedSecretValue(manifest.type, k)])) };
            }
        }
        const namespace = (metadata.namespace as string | undefined) ?? "_cluster";
        let file = `${namespace}/${kind.toLowerCase()}-${String(metadata.name)}.yaml`;
        for (let i = 2; seen.has(file); i++) file = `${namespace}/${kind.toLowerCase()}-${String(metadata.name)}-${i}.yaml`;
        seen.add(file);
        manifests.push({ file, manifest });
    }
    return { manifests, skipped };
}
