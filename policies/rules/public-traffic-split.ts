import { ResourceValidationPolicy } from "@pulumi/policy";
import { namespaces, publicRoute } from "../../vocabulary/names";
import { withDefaults } from "../lib/config";
import { asObject } from "../lib/workloads";

export const publicTrafficSplitPolicyName = "public-traffic-split";

export const traefikServiceType = "kubernetes:traefik.io/v1alpha1:TraefikService";
export const ingressRouteType = "kubernetes:traefik.io/v1alpha1:IngressRoute";

export interface PublicTrafficSplitConfig {
    maxCanaryPercent: number;
}

export const publicTrafficSplitDefaults: PublicTrafficSplitConfig = { maxCanaryPercent: publicRoute.maxCanaryPercent };

interface Backend {
    kind: string;
    name: string;
    namespace: string;
    weight: number;
}

/** The Kubernetes Services and TraefikServices a Traefik object sends requests to, namespaces resolved. */
function backends(list: unknown, ownNamespace: string): Backend[] {
    if (!Array.isArray(list)) return [];
    return list.map((raw) => {
        const s = asObject(raw) ?? {};
        const weight = typeof s.weight === "number" ? s.weight : 1; // Traefik's default weight
        return {
            kind: typeof s.kind === "string" && s.kind !== "" ? s.kind : "Service",
            name: String(s.name ?? ""),
            namespace: typeof s.namespace === "string" && s.namespace !== "" ? s.namespace : ownNamespace,
            weight,
        };
    });
}

function namespaceOf(props: Record<string, unknown>): string {
    return String(asObject(props.metadata)?.namespace ?? "default");
}

/**
 * Problems of one Traefik object: a backend in staging's namespace (public requests would reach
 * staging, whose load gate must measure the pipeline's own traffic only), or a weighted service
 * that gives canary more than its share of the public address.
 */
export function trafficSplitProblems(type: string, props: Record<string, unknown>, config: PublicTrafficSplitConfig): string[] {
    const ns = namespaceOf(props);
    const spec = asObject(props.spec) ?? {};
    let list: Backend[] = [];
    if (type === traefikServiceType) list = backends(asObject(spec.weighted)?.services, ns);
    if (type === ingressRouteType && Array.isArray(spec.routes)) list = spec.routes.flatMap((r) => backends(asObject(r)?.services, ns));
    const problems: string[] = [];
    for (const b of list) {
        if (b.kind === "Service" && b.namespace === namespaces.staging) {
            problems.push(`sends public requests to Service ${b.name} in ${b.namespace}: staging serves the lab's network only, so its load gate measures the pipeline's own traffic`);
        }
    }
    if (type === traefikServiceType) {
        const live = list.filter((b) => b.weight > 0);
        const total = live.reduce((sum, b) => sum + b.weight, 0);
        const canary = live.filter((b) => b.namespace === namespaces.canary).reduce((sum, b) => sum + b.weight, 0);
        if (total > 0 && canary > 0 && (canary / total) * 100 > config.maxCanaryPercent) {
            const share = Math.round((canary / total) * 1000) / 10;
            problems.push(`gives canary ${share}% of its requests (weight ${canary} of ${total}), above ${config.maxCanaryPercent}%: canary is the small, watched share`);
        }
    }
    return problems;
}

export const publicTrafficSplit: ResourceValidationPolicy = {
    name: publicTrafficSplitPolicyName,
    description:
        "Traefik routes (IngressRoute, weighted TraefikService) never send public requests to staging, and give canary " +
        "at most its share (default 50%) of the app's public address.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["kubernetes", "traffic"],
    remediationSteps:
        "Route the public address to production and canary only, as infra/apps/public-route.ts builds it, and set " +
        "gourmetgram:canaryTrafficPercent between 0 and 50. To let canary take more, raise maxCanaryPercent in the policy " +
        "pack config, knowing that production then no longer serves most users.",
    configSchema: {
        properties: {
            maxCanaryPercent: {
                type: "number",
                minimum: 0,
                maximum: 100,
                default: publicTrafficSplitDefaults.maxCanaryPercent,
                description: "Highest share of a weighted TraefikService's requests that may go to canary's namespace, in percent.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== traefikServiceType && args.type !== ingressRouteType) return;
        const config = withDefaults(args.getConfig<Partial<PublicTrafficSplitConfig>>(), publicTrafficSplitDefaults);
        for (const problem of trafficSplitProblems(args.type, args.props, config)) reportViolation(problem);
    },
};
