/**
 * The app's public address: K3s's bundled Traefik answers port 80 and splits the requests
 * between production and canary by weight, so canary serves a small share of live users.
 * Each environment keeps its own LoadBalancer port (infra/names environmentPorts) for tests.
 *
 * Objects (Traefik v3 CRDs, group traefik.io/v1alpha1, as K3s's Traefik chart installs them):
 * - a weighted TraefikService in production's namespace over the two environments' ClusterIP
 *   Services, referenced by port number so Traefik names them `<ns>-<svc>-<port>@kubernetescrd`
 *   in its metrics (infra/names traefikServiceMetricName, what the promotion check reads);
 * - an IngressRoute on entry point `web` sending every path to it;
 * - a HelmChartConfig (K3s's helm-controller, helm.cattle.io/v1) that lets the route reach
 *   canary's namespace and gives Traefik's Prometheus metrics a ClusterIP Service.
 */
import type { IIngressRoute } from "@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute";
import type { ITraefikService } from "@kubernetes-models/traefik/traefik.io/v1alpha1/TraefikService";
import { stringify } from "yaml";
import { appPort, appServiceName, namespaces, PROJECT, publicRoute, traefik, type Environment } from "../../vocabulary/names";


/**
 * Latency buckets (seconds) Traefik's histograms use here instead of its default 0.1, 0.3, 1.2, 5:
 * the promotion check estimates p95 between bucket bounds, so bounds near the thresholds
 * (the load gate's 2 s) keep the estimate close.
 */
export const traefikLatencyBuckets = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] as const;

/** HelmChartConfig: K3s's way to override values of a chart it ships; no model package exists for it. */
export interface HelmChartConfig {
    apiVersion: "helm.cattle.io/v1";
    kind: "HelmChartConfig";
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec: { valuesContent: string };
}

export interface PublicRouteArgs {
    /** 0 to publicRoute.maxCanaryPercent: canary's share of the requests at the public address. */
    canaryPercent: number;
}

const labels = { "app.kubernetes.io/part-of": PROJECT, "app.kubernetes.io/component": "public-route" };

/** Weights of the two environments; an environment with weight 0 is left out of the list. */
export function routeWeights(canaryPercent: number): Record<Extract<Environment, "production" | "canary">, number> {
    if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > publicRoute.maxCanaryPercent) {
        throw new Error(`canary traffic percent must be an integer from 0 to ${publicRoute.maxCanaryPercent}, got ${canaryPercent}`);
    }
    return { production: 100 - canaryPercent, canary: canaryPercent };
}

export function publicTraefikService(args: PublicRouteArgs): ITraefikService {
    const weights = routeWeights(args.canaryPercent);
    const backends = (["production", "canary"] as const)
        .filter((env) => weights[env] > 0)
        .map((env) => ({ kind: "Service" as const, name: appServiceName(env), namespace: namespaces[env], port: appPort, weight: weights[env] }));
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "TraefikService",
        metadata: { name: publicRoute.traefikServiceName, namespace: publicRoute.namespace, labels },
        spec: { weighted: { services: backends } },
    };
}

export function publicIngressRoute(): IIngressRoute {
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "IngressRoute",
        metadata: { name: publicRoute.ingressRouteName, namespace: publicRoute.namespace, labels },
        spec: {
            entryPoints: [traefik.entryPoint],
            routes: [
                {
                    kind: "Rule",
                    match: "PathPrefix(`/`)",
                    services: [{ kind: "TraefikService", name: publicRoute.traefikServiceName }],
                },
            ],
        },
    };
}

/** The Traefik chart values the lab sets on top of K3s's own (helm-controller merges them). */
export function traefikChartValues(): object {
    return {
        providers: { kubernetesCRD: { allowCrossNamespace: true } },
        metrics: {
            prometheus: {
                addServicesLabels: true,
                buckets: traefikLatencyBuckets.join(","),
                service: { enabled: true },
            },
        },
        ports: { metrics: { port: traefik.metricsPort } },
    };
}

export function traefikHelmChartConfig(): HelmChartConfig {
    return {
        apiVersion: "helm.cattle.io/v1",
        kind: "HelmChartConfig",
        metadata: { name: traefik.releaseName, namespace: traefik.namespace, labels },
        spec: { valuesContent: stringify(traefikChartValues()) },
    };
}
