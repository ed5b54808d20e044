/**
 * The image tag an environment's Argo CD Application deploys. The chart reads Helm value
 * `image.tag`; the Application may carry it as a Helm parameter (which wins over values) and
 * as `valuesObject.image.tag`. Both are set, so the tag is right whichever one Argo CD uses;
 * the fields written are the ones vocabulary/app-image-tag-fields.ts says the pipeline owns.
 * The patch carries the resourceVersion it was computed from: a concurrent edit makes the API
 * server answer 409, and the write is recomputed from a fresh read.
 */
import { appImageTagParameter, appImageTagValuePath, pipelineOwnedApplicationFields } from "../../../vocabulary/app-image-tag-fields";
import { argoApiVersion } from "../../../vocabulary/api-versions";
import { KubeApiError, KubeClient } from "../kube/client";

export const fieldManager = "gourmetgram-release";

interface HelmParameter {
    name: string;
    value?: string;
    [k: string]: unknown;
}

export interface Application {
    metadata: { name: string; resourceVersion?: string };
    spec: { source?: { helm?: { parameters?: HelmParameter[]; valuesObject?: Record<string, unknown> } } };
}

function applicationPath(namespace: string, name: string): string {
    return `/apis/${argoApiVersion}/namespaces/${namespace}/applications/${name}`;
}

function valuesTag(values: Record<string, unknown> | undefined): string | undefined {
    let node: unknown = values;
    for (const key of appImageTagValuePath) node = (node as Record<string, unknown> | undefined)?.[key];
    return typeof node === "string" ? node : undefined;
}

/** The tag the Application deploys: the Helm parameter if present (it takes precedence), else the value. */
export function deployedTag(app: Application): string | undefined {
    const helm = app.spec.source?.helm;
    const param = helm?.parameters?.find((p) => p.name === appImageTagParameter);
    return param?.value ?? valuesTag(helm?.valuesObject);
}

/** Sets `value` at `path` inside `target`, creating the objects on the way. */
function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
    let node = target;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
}

/** Pure: the merge patch that sets the tag everywhere the Application carries it. */
export function imageTagPatch(app: Application, tag: string): Record<string, unknown> {
    const patch: Record<string, unknown> = { metadata: { resourceVersion: app.metadata.resourceVersion } };
    setAt(patch, pipelineOwnedApplicationFields.valuesImageTag, tag);
    const params = app.spec.source?.helm?.parameters;
    if (params?.some((p) => p.name === appImageTagParameter)) {
        setAt(
            patch,
            pipelineOwnedApplicationFields.helmParameters,
            params.map((p) => (p.name === appImageTagParameter ? { ...p, value: tag } : p)),
        );
    }
    return patch;
}

export async function readApplication(kube: KubeClient, namespace: string, name: string): Promise<Application> {
    try {
        return await kube.get<Application>(applicationPath(namespace, name));
    } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) {
            throw new Error(`Argo CD Application ${namespace}/${name} does not exist`, { cause: err });
        }
        throw err;
    }
}

/** Sets the tag unless it is already set; returns whether anything changed. */
export async function setApplicationImageTag(kube: KubeClient, namespace: string, name: string, tag: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
        const app = await readApplication(kube, namespace, name);
        const params = app.spec.source?.helm?.parameters;
        const paramOk = !params?.some((p) => p.name === appImageTagParameter && p.value !== tag);
        if (paramOk && valuesTag(app.spec.source?.helm?.valuesObject) === tag) return false;
        try {
            await kube.patch(`${applicationPath(namespace, name)}?fieldManager=${fieldManager}`, imageTagPatch(app, tag), "merge");
        } catch (err) {
            if (err instanceof KubeApiError && err.status === 409 && attempt < 5) continue;
            throw err;
        }
        const after = await readApplication(kube, namespace, name);
        if (deployedTag(after) !== tag) throw new Error(`Argo CD Application ${namespace}/${name} still deploys ${deployedTag(after)} after setting ${tag}`);
        return true;
    }
}
