/**
 * Walks the containers of every pod-bearing resource: Kubernetes workloads (through their PodSpec)
 * and Argo workflows (through every template's container, script, containerSet containers,
 * init containers and sidecars). Rules see one flat list of containers, each with the path a user
 * can find in their code.
 */
import { argoEventsTypes, podSpecPaths, workflowSpecPaths } from "./resource-types";

/** The parts of a Kubernetes Container (or Argo script/UserContainer) the rules read. */
export interface ContainerLike {
    name?: string;
    image?: unknown;
    command?: unknown;
    args?: unknown;
    env?: unknown;
    resources?: {
        limits?: Record<string, unknown>;
        requests?: Record<string, unknown>;
    };
}

export interface EnvVarLike {
    name?: unknown;
    value?: unknown;
    valueFrom?: unknown;
}

export interface VisitedContainer {
    readonly container: ContainerLike;
    /** Where it sits in the resource's inputs, e.g. `spec.templates[2].script`. */
    readonly path: string;
    /** How a user names it, e.g. `template "train" script` or `container "app"`. */
    readonly label: string;
    /** Resolves Argo `{{inputs.parameters.x}}` / `{{workflow.parameters.x}}` references to their declared values. */
    readonly resolveParameters: (text: string) => string;
}

export interface Workload {
    /** `Deployment`, `CronWorkflow`, ... */
    readonly kind: string;
    readonly namespace?: string;
    readonly containers: VisitedContainer[];
}

type Json = Record<string, unknown>;

export function isPodBearingType(type: string): boolean {
    return type in podSpecPaths || type in workflowSpecPaths;
}

/** The containers of a pod-bearing resource, or undefined when the type runs no pods. */
export function workloadOf(type: string, props: Json): Workload | undefined {
    const kind = type.slice(type.lastIndexOf(":") + 1);
    const namespace = namespaceOf(props);
    const podPath = podSpecPaths[type];
    if (podPath) {
        return { kind, namespace, containers: podSpecContainers(dig(props, podPath), podPath.join(".")) };
    }
    const specPath = workflowSpecPaths[type];
    if (specPath) {
        return { kind, namespace, containers: workflowSpecContainers(dig(props, specPath), specPath.join(".")) };
    }
    return undefined;
}

/**
 * The resource's own workload plus the ones it embeds: an Argo Events Sensor trigger carries the
 * whole Workflow (or Kubernetes object) it submits in `source.resource`.
 */
export function workloadsOf(type: string, props: Json): Workload[] {
    const own = workloadOf(type, props);
    if (own) return [own];
    if (!argoEventsTypes.includes(type)) return [];
    const kind = type.slice(type.lastIndexOf(":") + 1);
    const found: Workload[] = [];
    listOf(asObject(props.spec)?.triggers).forEach((trigger, i) => {
        const template = asObject(asObject(trigger)?.template);
        for (const flavour of ["argoWorkflow", "k8s"]) {
            const resource = asObject(asObject(asObject(template?.[flavour])?.source)?.resource);
            if (!resource || typeof resource.apiVersion !== "string" || typeof resource.kind !== "string") continue;
            const inner = workloadOf(`kubernetes:${resource.apiVersion}:${resource.kind}`, resource);
            if (!inner) continue;
            const prefix = `spec.triggers[${i}].template.${flavour}.source.resource.`;
            found.push({
                kind: `${kind} trigger ${inner.kind}`,
                namespace: inner.namespace ?? namespaceOf(props),
                containers: inner.containers.map((c) => ({ ...c, path: prefix + c.path })),
            });
        }
    });
    return found;
}

export function namespaceOf(props: Json): string | undefined {
    const metadata = asObject(props.metadata);
    return typeof metadata?.namespace === "string" ? metadata.namespace : undefined;
}

function podSpecContainers(podSpec: unknown, path: string): VisitedContainer[] {
    const spec = asObject(podSpec);
    if (!spec) return [];
    const identity = (text: string) => text;
    return [
        ...listOf(spec.initContainers).map((c, i) => visit(c, `${path}.initContainers[${i}]`, "init container", identity)),
        ...listOf(spec.containers).map((c, i) => visit(c, `${path}.containers[${i}]`, "container", identity)),
    ];
}

function workflowSpecContainers(workflowSpec: unknown, path: string): VisitedContainer[] {
    const spec = asObject(workflowSpec);
    if (!spec) return [];
    const workflowParameters = parameterValues(asObject(spec.arguments)?.parameters);
    const found: VisitedContainer[] = [];
    listOf(spec.templates).forEach((template, t) => {
        const tpl = asObject(template);
        if (!tpl) return;
        const at = `${path}.templates[${t}]`;
        const name = typeof tpl.name === "string" ? tpl.name : `#${t}`;
        const inputs = parameterValues(asObject(tpl.inputs)?.parameters);
        const resolve = (text: string) => resolveArgoParameters(text, inputs, workflowParameters);
        const label = (what: string) => `template "${name}" ${what}`;
        if (asObject(tpl.container)) found.push(visit(tpl.container, `${at}.container`, label("container"), resolve));
        if (asObject(tpl.script)) found.push(visit(tpl.script, `${at}.script`, label("script"), resolve));
        listOf(asObject(tpl.containerSet)?.containers).forEach((c, i) =>
            found.push(visit(c, `${at}.containerSet.containers[${i}]`, label("containerSet container"), resolve)),
        );
        listOf(tpl.initContainers).forEach((c, i) =>
            found.push(visit(c, `${at}.initContainers[${i}]`, label("init container"), resolve)),
        );
        listOf(tpl.sidecars).forEach((c, i) => found.push(visit(c, `${at}.sidecars[${i}]`, label("sidecar"), resolve)));
    });
    return found;
}

function visit(
    value: unknown,
    path: string,
    what: string,
    resolveParameters: (text: string) => string,
): VisitedContainer {
    const container = (asObject(value) ?? {}) as ContainerLike;
    const label = typeof container.name === "string" ? `${what} "${container.name}"` : what;
    return { container, path, label, resolveParameters };
}

/** name -> value (or default) of an Argo parameter list. */
function parameterValues(parameters: unknown): Map<string, string> {
    const values = new Map<string, string>();
    for (const parameter of listOf(parameters)) {
        const p = asObject(parameter);
        if (!p || typeof p.name !== "string") continue;
        const value = p.value ?? p.default;
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
            values.set(p.name, String(value));
        }
    }
    return values;
}

const parameterReference = /\{\{\s*(inputs|workflow)\.parameters\.([A-Za-z0-9_.-]+?)\s*\}\}/g;

/** Replaces the parameter references Argo would substitute from declared values; leaves the rest. */
export function resolveArgoParameters(
    text: string,
    inputs: ReadonlyMap<string, string>,
    workflow: ReadonlyMap<string, string>,
): string {
    return text.replace(parameterReference, (reference, scope: string, name: string) => {
        const value = (scope === "inputs" ? inputs : workflow).get(name);
        return value ?? reference;
    });
}

export function envVars(container: ContainerLike): EnvVarLike[] {
    return listOf(container.env).map((e) => (asObject(e) ?? {}) as EnvVarLike);
}

export function dig(value: unknown, path: readonly string[]): unknown {
    let current: unknown = value;
    for (const key of path) {
        const obj = asObject(current);
        if (!obj) return undefined;
        current = obj[key];
    }
    return current;
}

export function asObject(value: unknown): Json | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function listOf(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
