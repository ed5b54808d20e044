/**
 * The Helm values an Argo CD Application hands its chart: `helm.values` (a YAML string), overlaid
 * by `helm.valuesObject` (which takes precedence, as in Argo CD), overlaid by `helm.parameters`
 * (`--set`-style `name`/`value` pairs). Both `spec.source` and multi-source `spec.sources[]` are read.
 */
import { parse as parseYaml } from "yaml";
import { asObject, listOf } from "./workloads";

export interface HelmSource {
    /** `spec.source.helm` or `spec.sources[1].helm`. */
    readonly path: string;
    readonly values: Record<string, unknown>;
    /** Value files live in the chart's repository; the pack cannot read them. */
    readonly valueFiles: string[];
    /** Problems reading the values (unparsable YAML), each naming where. */
    readonly problems: string[];
}

export function applicationHelmSources(spec: unknown): HelmSource[] {
    const s = asObject(spec);
    if (!s) return [];
    const sources: Array<[unknown, string]> = [];
    if (asObject(s.source)) sources.push([s.source, "spec.source"]);
    listOf(s.sources).forEach((source, i) => sources.push([source, `spec.sources[${i}]`]));
    const found: HelmSource[] = [];
    for (const [source, path] of sources) {
        const helm = asObject(asObject(source)?.helm);
        if (helm) found.push(readHelm(helm, `${path}.helm`));
    }
    return found;
}

function readHelm(helm: Record<string, unknown>, path: string): HelmSource {
    const problems: string[] = [];
    let values: Record<string, unknown> = {};
    if (typeof helm.values === "string" && helm.values.trim() !== "") {
        try {
            const parsed: unknown = parseYaml(helm.values);
            const object = asObject(parsed);
            if (object) values = object;
            else problems.push(`${path}.values is not a YAML mapping`);
        } catch (e) {
            problems.push(`${path}.values is not valid YAML: ${(e as Error).message}`);
        }
    }
    const valuesObject = asObject(helm.valuesObject);
    if (valuesObject) values = deepMerge(values, valuesObject);
    for (const parameter of listOf(helm.parameters)) {
        const p = asObject(parameter);
        if (p && typeof p.name === "string" && p.value !== undefined) {
            values = setPath(values, splitSetPath(p.name), p.value);
        }
    }
    const valueFiles = listOf(helm.valueFiles).filter((f): f is string => typeof f === "string");
    return { path, values, valueFiles, problems };
}

function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const left = asObject(merged[key]);
        const right = asObject(value);
        merged[key] = left && right ? deepMerge(left, right) : value;
    }
    return merged;
}

/** `resources.limits.cpu` -> ["resources", "limits", "cpu"]; `a\.b.c` keeps the escaped dot. */
function splitSetPath(name: string): string[] {
    return name.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, "."));
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
    const [head, ...rest] = path;
    if (rest.length === 0) return { ...target, [head]: value };
    return { ...target, [head]: setPath(asObject(target[head]) ?? {}, rest, value) };
}
