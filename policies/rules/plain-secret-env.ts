import { ResourceValidationPolicy } from "@pulumi/policy";
import { envVars, workloadsOf } from "../lib/workloads";

export const plainSecretEnvPolicyName = "no-plain-secret-env";

/** Env var names that carry credentials, matched on `_`-separated words (so `MONKEY` is not a key). */
const secretWords = new Set(["PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS", "CREDENTIAL"]);

export function looksLikeSecretName(name: string): boolean {
    return name
        .toUpperCase()
        .split(/[^A-Z0-9]+/)
        .some((word) => secretWords.has(word));
}

/** Containers that set a credential-named env var to a literal value instead of `valueFrom`. */
export function plainSecretEnvProblems(type: string, props: Record<string, unknown>): string[] {
    return workloadsOf(type, props).flatMap((workload) =>
        workload.containers.flatMap((c) =>
            envVars(c.container).flatMap((env, i) => {
                if (typeof env.name !== "string" || !looksLikeSecretName(env.name)) return [];
                if (env.value === undefined || env.value === null || env.value === "") return [];
                return [
                    `${workload.kind} ${c.label} (${c.path}.env[${i}]): ${env.name} is set to a literal value; ` +
                        "anyone who can read the resource can read it",
                ];
            }),
        ),
    );
}

export const plainSecretEnv: ResourceValidationPolicy = {
    name: plainSecretEnvPolicyName,
    description:
        "Env vars named like credentials (*PASSWORD*, *SECRET*, *TOKEN*, *KEY*) take their value from a Secret " +
        "(valueFrom.secretKeyRef), not from a literal in the pod or workflow spec.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["kubernetes", "argo", "secrets"],
    remediationSteps:
        "Store the value in a Kubernetes Secret (from a Pulumi secret config value) and reference it with " +
        "env[].valueFrom.secretKeyRef instead of env[].value.",
    validateResource: (args, reportViolation) => {
        for (const problem of plainSecretEnvProblems(args.type, args.props)) reportViolation(problem);
    },
};
