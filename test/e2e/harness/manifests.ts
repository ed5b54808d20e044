import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

/** The identity of one Kubernetes object, enough to find it again with kubectl. */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
}

export interface Manifest extends ObjectRef {
    file: string;
    body: Record<string, unknown>;
}

/**
 * Every Kubernetes object in the YAML files under dir (recursively), in file order. Files
 * whose name starts with "_" are the renderer's notes (what it could not render), not objects.
 */
export function loadManifests(dir: string): Manifest[] {
    const files = listYaml(dir);
    const manifests: Manifest[] = [];
    for (const file of files) {
        for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
            const body = doc.toJS() as Record<string, unknown> | null;
            if (body === null) continue;
            manifests.push({ ...objectRef(body, file), file, body });
        }
    }
    return manifests;
}

function listYaml(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) return listYaml(full);
            return /\.ya?ml$/.test(entry.name) && !entry.name.startsWith("_") ? [full] : [];
        });
}

function objectRef(body: Record<string, unknown>, file: string): ObjectRef {
    const metadata = (body.metadata ?? {}) as Record<string, unknown>;
    const { apiVersion, kind } = body;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata.name !== "string") {
        throw new Error(`${file}: an object without apiVersion, kind or metadata.name`);
    }
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    return { apiVersion, kind, name: metadata.name, namespace };
}

/**
 * kubectl arguments that address exactly one object, e.g. `--namespace argo
 * WorkflowTemplate.v1alpha1.argoproj.io/train-model`, for `get` or `delete` after the verb.
 */
export function kubectlObject(ref: ObjectRef): { namespace: string[]; resource: string } {
    const [group, version] = ref.apiVersion.includes("/") ? ref.apiVersion.split("/") : ["", ref.apiVersion];
    // kubectl takes Kind.version.group; a core-group kind is named by its kind alone.
    const type = group === "" ? ref.kind : `${ref.kind}.${version}.${group}`;
    return { namespace: ref.namespace ? ["--namespace", ref.namespace] : [], resource: `${type}/${ref.name}` };
}

export function describeRef(ref: ObjectRef): string {
    return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
