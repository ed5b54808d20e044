import { ResourceValidationPolicy } from "@pulumi/policy";
import { defaultAppResources, environments, namespaces } from "../../vocabulary/names";
import { configQuantity, configStringList, withDefaults } from "../lib/config";
import { applicationHelmSources } from "../lib/helm-values";
import { compareQuantities, Quantity, tryParseQuantity } from "../lib/quantity";
import { argoCdApplicationType } from "../lib/resource-types";
import { asObject, workloadsOf } from "../lib/workloads";

export const resourceLimitsPolicyName = "resource-limits";

export interface ResourceLimitsConfig {
    maxCpu: string;
    maxMemory: string;
    appMaxCpu: string;
    appMaxMemory: string;
    appNamespaces: string[];
}

export const resourceLimitsDefaults: ResourceLimitsConfig = {
    maxCpu: "2",
    maxMemory: "4Gi",
    appMaxCpu: defaultAppResources.limits.cpu,
    appMaxMemory: defaultAppResources.limits.memory,
    appNamespaces: environments.map((env) => namespaces[env]),
};

interface Ceiling {
    readonly cpu: Quantity;
    readonly memory: Quantity;
    /** Which config keys set it, for the message. */
    readonly source: string;
}

export interface Ceilings {
    readonly general: Ceiling;
    readonly app: Ceiling;
    readonly appNamespaces: ReadonlySet<string>;
}

/** Parses the pack config of this rule; throws an error naming the key when a value is unusable. */
export function parseResourceLimitsConfig(given?: Partial<ResourceLimitsConfig>): Ceilings {
    const c = withDefaults(given, resourceLimitsDefaults);
    const q = (key: keyof ResourceLimitsConfig) => configQuantity(resourceLimitsPolicyName, key, c[key]);
    return {
        general: { cpu: q("maxCpu"), memory: q("maxMemory"), source: "maxCpu/maxMemory" },
        app: { cpu: q("appMaxCpu"), memory: q("appMaxMemory"), source: "appMaxCpu/appMaxMemory" },
        appNamespaces: new Set(configStringList(resourceLimitsPolicyName, "appNamespaces", c.appNamespaces)),
    };
}

const resourceNames = ["cpu", "memory"] as const;

/**
 * Problems with one `resources` block: each of limits/requests x cpu/memory declared and a valid
 * quantity, requests not above limits, limits not above the ceiling.
 */
export function resourcesProblems(resources: unknown, ceiling: Ceiling): string[] {
    const block = asObject(resources);
    const limits = asObject(block?.limits) ?? {};
    const requests = asObject(block?.requests) ?? {};
    const problems: string[] = [];
    const missing = [
        ...resourceNames.filter((r) => limits[r] === undefined || limits[r] === null).map((r) => `resources.limits.${r}`),
        ...resourceNames.filter((r) => requests[r] === undefined || requests[r] === null).map((r) => `resources.requests.${r}`),
    ];
    if (missing.length > 0) problems.push(`missing ${missing.join(", ")}`);

    for (const r of resourceNames) {
        const limit = readQuantity(limits[r], `resources.limits.${r}`, problems);
        const request = readQuantity(requests[r], `resources.requests.${r}`, problems);
        if (limit && limit.numerator <= 0n) problems.push(`resources.limits.${r} "${limit.text}" must be greater than zero`);
        if (limit && request && compareQuantities(request, limit) > 0) {
            problems.push(`resources.requests.${r} "${request.text}" exceeds resources.limits.${r} "${limit.text}"`);
        }
        if (limit && compareQuantities(limit, ceiling[r]) > 0) {
            problems.push(
                `resources.limits.${r} "${limit.text}" exceeds the ceiling "${ceiling[r].text}" (policy config ${ceiling.source})`,
            );
        }
    }
    return problems;
}

function readQuantity(value: unknown, field: string, problems: string[]): Quantity | undefined {
    if (value === undefined || value === null) return undefined;
    const quantity = tryParseQuantity(value);
    if (!quantity) {
        problems.push(`${field} ${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 500m, 0.5, 256Mi, 1Gi)`);
    } else if (quantity.numerator < 0n) {
        problems.push(`${field} "${quantity.text}" is negative`);
        return undefined;
    }
    return quantity;
}

/** Every problem of one resource, as complete messages. Pure: the policy below only reports them. */
export function resourceLimitProblems(type: string, props: Record<string, unknown>, ceilings: Ceilings): string[] {
    if (type === argoCdApplicationType) return applicationProblems(props, ceilings);
    return workloadsOf(type, props).flatMap((workload) => {
        const inApp = workload.namespace !== undefined && ceilings.appNamespaces.has(workload.namespace);
        const ceiling = inApp ? ceilings.app : ceilings.general;
        const where = inApp ? ` in app environment namespace "${workload.namespace}"` : "";
        return workload.containers.flatMap((c) =>
            resourcesProblems(c.container.resources, ceiling).map(
                (problem) => `${workload.kind} ${c.label} (${c.path})${where}: ${problem}`,
            ),
        );
    });
}

/** An Argo CD Application that deploys into an app environment must pass the app's limits to its chart. */
function applicationProblems(props: Record<string, unknown>, ceilings: Ceilings): string[] {
    const spec = asObject(props.spec);
    const destination = asObject(spec?.destination)?.namespace;
    if (typeof destination !== "string" || !ceilings.appNamespaces.has(destination)) return [];
    const prefix = `Application deploying to app environment namespace "${destination}"`;
    const sources = applicationHelmSources(spec);
    if (sources.length === 0) {
        return [`${prefix}: has no helm source, so its CPU and memory limits cannot be checked`];
    }
    return sources.flatMap((source) => {
        const problems = [...source.problems];
        const resources = source.values.resources;
        if (resources === undefined) {
            const files = source.valueFiles.length > 0 ? ` (valueFiles ${source.valueFiles.join(", ")} are not visible to the policy)` : "";
            problems.push(`helm values set no "resources"${files}`);
        }
        problems.push(...resourcesProblems(resources, ceilings.app));
        return problems.map((problem) => `${prefix} (${source.path}): ${problem}`);
    });
}

export const resourceLimits: ResourceValidationPolicy = {
    name: resourceLimitsPolicyName,
    description:
        "Every container of every pod-bearing resource (Kubernetes workloads, Argo workflows and their templates) " +
        "declares CPU and memory requests and limits, requests do not exceed limits, and limits stay under the " +
        "configured ceiling; app environments (and the Argo CD Applications that deploy them) stay under the app ceiling.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["kubernetes", "argo", "resources"],
    remediationSteps:
        "Set resources.requests and resources.limits for both cpu and memory on the container named in the message " +
        "(for Argo templates: on the template's container, script, containerSet container, init container or sidecar). " +
        "Keep each request at or below its limit. If a limit is above the ceiling, lower it, or raise the ceiling " +
        "deliberately in the policy pack config (maxCpu/maxMemory, or appMaxCpu/appMaxMemory for the app environments). " +
        "For an Argo CD Application, set spec.source.helm.valuesObject.resources.{requests,limits}.{cpu,memory}.",
    configSchema: {
        properties: {
            maxCpu: {
                type: "string",
                default: resourceLimitsDefaults.maxCpu,
                description: "Highest CPU limit a container may declare outside the app environments (Kubernetes quantity).",
            },
            maxMemory: {
                type: "string",
                default: resourceLimitsDefaults.maxMemory,
                description: "Highest memory limit a container may declare outside the app environments.",
            },
            appMaxCpu: {
                type: "string",
                default: resourceLimitsDefaults.appMaxCpu,
                description: "Highest CPU limit in the app environments (staging, canary, production).",
            },
            appMaxMemory: {
                type: "string",
                default: resourceLimitsDefaults.appMaxMemory,
                description: "Highest memory limit in the app environments.",
            },
            appNamespaces: {
                type: "array",
                items: { type: "string" },
                default: resourceLimitsDefaults.appNamespaces,
                description: "Namespaces that hold the app environments; their pods and Applications get the app ceiling.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const ceilings = parseResourceLimitsConfig(args.getConfig<Partial<ResourceLimitsConfig>>());
        for (const problem of resourceLimitProblems(args.type, args.props, ceilings)) reportViolation(problem);
    },
};
