import { ResourceValidationPolicy } from "@pulumi/policy";
import { mlflow, namespaces } from "../../vocabulary/names";
import { configStringList, withDefaults } from "../lib/config";
import { applicationHelmSources } from "../lib/helm-values";
import { findLoopbackReferences, LoopbackReference } from "../lib/loopback";
import { argoCdApplicationType, argoEventsTypes, configMapType, podSpecPaths, workflowSpecPaths } from "../lib/resource-types";
import { walkStrings } from "../lib/strings";
import { asObject, envVars, namespaceOf, workloadOf } from "../lib/workloads";

export const noLoopbackUrlsPolicyName = "no-loopback-urls";

export interface NoLoopbackUrlsConfig {
    namespaces: string[];
}

export const noLoopbackUrlsDefaults: NoLoopbackUrlsConfig = {
    namespaces: [
        namespaces.argo,
        namespaces.workflows,
        namespaces.argoEvents,
        namespaces.platform,
        namespaces.staging,
        namespaces.canary,
        namespaces.production,
    ],
};

const meaning: Record<LoopbackReference["kind"], string> = {
    loopback: "is a loopback address: inside a pod it reaches that pod itself, never another service",
    unspecified: "is the unspecified address (0.0.0.0 / ::): it names no host to connect to",
};

function describe(kind: string, path: string, reference: LoopbackReference): string {
    return `${kind} ${path}: "${reference.text}" ${meaning[reference.kind]}`;
}

/**
 * Fields whose value is one of a Kubernetes enum's, never an address: `Localhost` there says the
 * profile is one kept on the node (a container's seccompProfile, appArmorProfile).
 */
const profileTypeField = /\.(seccompProfile|appArmorProfile)\.type$/;

function scan(kind: string, value: unknown, path: string): string[] {
    const problems = new Set<string>();
    walkStrings(value, path, (text, at) => {
        if (profileTypeField.test(at)) return;
        for (const reference of findLoopbackReferences(text)) problems.add(describe(kind, at, reference));
    });
    return [...problems];
}

/**
 * Loopback and unspecified addresses in: every string of an Argo workflow spec (args, commands,
 * script sources, env, parameters with their defaults and enums, http templates) and of Argo Events
 * sensors and event sources; and, in the configured namespaces, ConfigMap data, container env
 * values, and the helm values of Argo CD Applications.
 */
export function loopbackProblems(type: string, props: Record<string, unknown>, config: NoLoopbackUrlsConfig): string[] {
    const kind = type.slice(type.lastIndexOf(":") + 1);
    if (type in workflowSpecPaths || argoEventsTypes.includes(type)) return scan(kind, props.spec, "spec");

    const watched = new Set(config.namespaces);
    if (type === argoCdApplicationType) {
        const spec = asObject(props.spec);
        const destination = asObject(spec?.destination)?.namespace;
        if (typeof destination !== "string" || !watched.has(destination)) return [];
        return applicationHelmSources(spec).flatMap((source) => scan(kind, source.values, `${source.path} values`));
    }
    const namespace = namespaceOf(props);
    if (namespace === undefined || !watched.has(namespace)) return [];
    if (type === configMapType) return scan(kind, props.data, "data");
    if (type in podSpecPaths) {
        const workload = workloadOf(type, props);
        return (workload?.containers ?? []).flatMap((c) =>
            envVars(c.container).flatMap((env, i) => scan(kind, env.value, `${c.path}.env[${i}].value`)),
        );
    }
    return [];
}

export const noLoopbackUrls: ResourceValidationPolicy = {
    name: noLoopbackUrlsPolicyName,
    description:
        "Workflow specs, sensors, event sources, ConfigMaps, container env and app helm values address services by " +
        "cluster DNS or parameters, never by localhost, 127.0.0.0/8, ::1 or the unspecified address 0.0.0.0 / ::.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["kubernetes", "argo", "networking"],
    remediationSteps:
        "Replace the address with the service's cluster DNS name, for example " +
        `${mlflow.url} for MLflow (names and ports are defined once in vocabulary/names.ts), ` +
        "or pass it in as a workflow parameter. A pod's loopback interface is its own; it never reaches a Service.",
    configSchema: {
        properties: {
            namespaces: {
                type: "array",
                items: { type: "string" },
                default: noLoopbackUrlsDefaults.namespaces,
                description:
                    "Namespaces whose ConfigMaps, container env and Argo CD Application helm values are checked " +
                    "(Argo workflow kinds, sensors and event sources are checked in every namespace).",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const given = withDefaults(args.getConfig<Partial<NoLoopbackUrlsConfig>>(), noLoopbackUrlsDefaults);
        const config = { namespaces: configStringList(noLoopbackUrlsPolicyName, "namespaces", given.namespaces) };
        for (const problem of loopbackProblems(args.type, args.props, config)) reportViolation(problem);
    },
};
