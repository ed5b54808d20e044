/**
 * The release record (vocabulary/names releaseRecord): per environment, the last version that
 * passed its gates and the digest of the image those gates tested, kept in a ConfigMap so a
 * revert can read it while MLflow is down. Every value read back is checked before use.
 */
import { type Environment, releaseRecord } from "../../../vocabulary/names";
import { KubeApiError, type KubeClient } from "../kube/client";
import { ReleaseRefused } from "./steps";

export interface LastGood {
    readonly version: string;
    readonly digest: string;
}

/** Model-version tag in MLflow holding the digest of the image that passed staging's gates. */
export const testedDigestTag = "tested-digest";

const versionPattern = /^[1-9]\d{0,9}$/;
const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** MLflow model versions are positive integers; anything else in a record is refused, never used. */
export function isModelVersion(text: unknown): text is string {
    return typeof text === "string" && versionPattern.test(text);
}

export function isImageDigest(text: unknown): text is string {
    return typeof text === "string" && digestPattern.test(text);
}

export function recordKey(env: Environment): string {
    return `last-good-${env}`;
}

interface ConfigMap {
    metadata: { resourceVersion?: string };
    data?: Record<string, string>;
}

const recordPath = `/api/v1/namespaces/${releaseRecord.namespace}/configmaps/${releaseRecord.configMap}`;
const where = `ConfigMap ${releaseRecord.namespace}/${releaseRecord.configMap}`;

async function readRecord(kube: KubeClient): Promise<ConfigMap> {
    try {
        return await kube.get<ConfigMap>(recordPath);
    } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) {
            throw new ReleaseRefused(`${where} does not exist; \`pulumi up\` creates it with the pipeline`);
        }
        throw err;
    }
}

/** Pure: the entry for one environment, checked; undefined when there is none yet. */
export function parseLastGood(raw: string | undefined, env: Environment): LastGood | undefined {
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = undefined;
    }
    const entry = value as Partial<LastGood> | undefined;
    if (!entry || !isModelVersion(entry.version) || !isImageDigest(entry.digest)) {
        throw new ReleaseRefused(`${where} holds a malformed ${recordKey(env)} entry (${JSON.stringify(raw).slice(0, 120)}); expected {"version":"<n>","digest":"sha256:<64 hex>"}. Re-run mark-good for a version that passed`);
    }
    return { version: entry.version, digest: entry.digest };
}

export async function readLastGood(kube: KubeClient, env: Environment): Promise<LastGood | undefined> {
    const record = await readRecord(kube);
    return parseLastGood(record.data?.[recordKey(env)], env);
}

/** Writes the entry unless it already holds this value; returns whether anything changed. */
export async function writeLastGood(kube: KubeClient, env: Environment, value: LastGood): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
        const record = await readRecord(kube);
        const current = record.data?.[recordKey(env)];
        const wanted = JSON.stringify({ version: value.version, digest: value.digest });
        if (current === wanted) return false;
        try {
            // The resourceVersion precondition turns a concurrent write into a 409 and a fresh read.
            await kube.patch(recordPath, { metadata: { resourceVersion: record.metadata.resourceVersion }, data: { [recordKey(env)]: wanted } }, "merge");
            return true;
        } catch (err) {
            if (err instanceof KubeApiError && err.status === 409 && attempt < 5) continue;
            throw err;
        }
    }
}
