/**
 * The schema in @kubernetes-models/argo-workflows describes `steps` as `[{steps: [...]}]`
 * (an artefact of how Argo works around kubebuilder); the real JSON Argo reads is a list of
 * lists. This converts our real-shape objects into the model's shape, for validation only.
 */
export function toModelShape<T>(value: T): T {
    return convert(value) as T;
}

function convert(value: unknown, key?: string): unknown {
    if (Array.isArray(value)) {
        if (key === "steps" && value.every(Array.isArray)) {
            return value.map((group) => ({ steps: (group as unknown[]).map((item) => convert(item)) }));
        }
        return value.map((item) => convert(item));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, k)]));
    }
    return value;
}
