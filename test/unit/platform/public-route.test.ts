/**
 * The public address: K3s's Traefik splits port 80 between production and canary by weight.
 * The routing objects are checked for their weights and backends, against the Traefik v3 CRD
 * schemas (traefik.io/v1alpha1) and helm-controller's HelmChartConfig, and against the names
 * the promotion check reads from Traefik's metrics.
 */
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { publicIngressRoute, publicTraefikService, routeWeights, traefikHelmChartConfig, traefikLatencyBuckets } from "../../../infra/apps/public-route";
import { ConfigError } from "../../../infra/config/errors";
import { loadStackConfig } from "../../../infra/config/load";
import { appPort, appServiceName, environmentPorts, namespaces, publicAppPort, publishedPorts, traefik, traefikServiceMetricName } from "../../../vocabulary/names";
import { platformConfig } from "../../../infra/platform/config";
import { canaryFlags } from "../../../pipeline/gates/contract";
import { installMocks, ofType, type Registered, settled } from "./harness";
import { registeredObject, validate } from "./schema";

describe("public route builders", () => {
    it("split 90/10 by default-sized weights over production's and canary's ClusterIP Services", () => {
        const service = publicTraefikService({ canaryPercent: 10 });
        expect(service.metadata).toMatchObject({ name: "gourmetgram-public", namespace: namespaces.production });
        expect(service.spec.weighted?.services).toEqual([
            { kind: "Service", name: appServiceName("production"), namespace: namespaces.production, port: appPort, weight: 90 },
            { kind: "Service", name: appServiceName("canary"), namespace: namespaces.canary, port: appPort, weight: 10 },
        ]);
        expect(() => validate(service)).not.toThrow();
    });

    it("send everything to production at 0 and split evenly at the 50 maximum", () => {
        expect(publicTraefikService({ canaryPercent: 0 }).spec.weighted?.services).toEqual([
            { kind: "Service", name: appServiceName("production"), namespace: namespaces.production, port: appPort, weight: 100 },
        ]);
        expect(publicTraefikService({ canaryPercent: 50 }).spec.weighted?.services?.map((s) => s.weight)).toEqual([50, 50]);
        expect(() => routeWeights(51)).toThrow("canary traffic percent must be an integer from 0 to 50, got 51");
        expect(() => routeWeights(2.5)).toThrow(/got 2.5/);
    });

    it("route every path of entry point web to the weighted service", () => {
        const route = publicIngressRoute();
        expect(route.spec).toEqual({
            entryPoints: ["web"],
            routes: [{ kind: "Rule", match: "PathPrefix(`/`)", services: [{ kind: "TraefikService", name: "gourmetgram-public" }] }],
        });
        expect(route.metadata.namespace).toBe(publicRoute().namespace);
        expect(() => validate(route)).not.toThrow();
    });

    it("name each backend in Traefik's metrics as the promotion check expects", () => {
        // Traefik's CRD provider: <namespace>-<service>-<port>, qualified with its provider name.
        for (const s of publicTraefikService({ canaryPercent: 10 }).spec.weighted!.services!) {
            const env = s.namespace === namespaces.canary ? "canary" : "production";
            expect(`${s.namespace}-${s.name}-${s.port}@${traefik.crdProvider}`).toBe(traefikServiceMetricName(env));
        }
        expect(traefikServiceMetricName("canary")).toBe("gourmetgram-canary-gourmetgram-canary-8000@kubernetescrd");
    });

    it("configure K3s's Traefik: cross-namespace backends, a metrics Service, buckets around the p95 threshold", () => {
        const config = traefikHelmChartConfig();
        expect(config.metadata).toMatchObject({ name: "traefik", namespace: "kube-system" });
        expect(() => validate(config)).not.toThrow();
        const values = parse(config.spec.valuesContent);
        expect(values).toEqual({
            providers: { kubernetesCRD: { allowCrossNamespace: true } },
            metrics: { prometheus: { addServicesLabels: true, buckets: "0.05,0.1,0.25,0.5,0.75,1,1.5,2,3,5,10", service: { enabled: true } } },
            ports: { metrics: { port: 9100 } },
        });
        expect([...traefikLatencyBuckets]).toEqual([...traefikLatencyBuckets].sort((a, b) => a - b));
        // The default p95 threshold is a bucket bound, so "p95 at most 2 s" is read at a bound.
        expect(traefikLatencyBuckets).toContain(canaryFlags.p95Ms.default / 1000);
        expect(traefik.metricsUrl).toBe(`http://${traefik.metricsServiceName}.${traefik.namespace}.svc.cluster.local:${traefik.metricsPort}/metrics`);
    });

    it("the schema check rejects a broken route and an unknown HelmChartConfig field", () => {
        const route = publicIngressRoute() as any;
        delete route.spec.routes[0].match;
        expect(() => validate(route)).toThrow(/match/);
        const config = traefikHelmChartConfig() as any;
        config.spec.valuesContnet = "x: 1";
        expect(() => validate(config)).toThrow("spec must NOT have additional property valuesContnet");
        expect(() => validate({ ...traefikHelmChartConfig(), spec: { valuesContent: "- a list" } } as object)).toThrow("valuesContent must be a YAML mapping");
    });

    it("keep every environment reachable on its own port, and the public address on 80", () => {
        expect(publicAppPort).toBe(80);
        expect(new Set(Object.values(environmentPorts)).size).toBe(3);
        expect(Object.values(environmentPorts)).not.toContain(publicAppPort);
        expect(publishedPorts.find((p) => p.port === publicAppPort)).toMatchObject({ name: "app", audience: "public" });
    });
});

function publicRoute() {
    return { namespace: namespaces.production };
}

describe("stack settings of the public route", () => {
    const load = (extra: Record<string, string>) =>
        loadStackConfig("gourmetgram", { "gourmetgram:appChartRepoUrl": "https://git.example.test/g.git", ...extra }, { platform: platformConfig }).platform;

    it("default to the route with 10% to canary, and turn it off on request", () => {
        expect(load({}).publicRoute).toEqual({ canaryPercent: 10 });
        expect(load({ "gourmetgram:canaryTrafficPercent": "0" }).publicRoute).toEqual({ canaryPercent: 0 });
        expect(load({ "gourmetgram:traefikPublicRoute": "false" }).publicRoute).toBeUndefined();
    });

    it.each(["51", "-1", "ten", "12.5"])("refuse canaryTrafficPercent %s, naming the key and what is allowed", (value) => {
        let error: unknown;
        try {
            load({ "gourmetgram:canaryTrafficPercent": value });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect(String((error as Error).message)).toMatch(new RegExp(`gourmetgram:canaryTrafficPercent = "?${value.replace(".", "\\.")}"?: .*0.*50`));
    });
});

describe("AppEnvironments with and without the public route (Pulumi mocks)", () => {
    let withRoute: Registered[];
    let without: Registered[];

    beforeAll(async () => {
        const { AppEnvironments } = await import("../../../infra/apps/index.js");
        const resources = { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "512Mi" } };
        const args = {
            chartSource: { repoUrl: "https://git.example.test/g.git", revision: "main" },
            resources: { staging: resources, canary: resources, production: resources },
            registryLogin: { username: "gourmetgram-registry", password: "MockPwRegistryQ7x" },
        };
        withRoute = installMocks();
        new AppEnvironments("apps", { ...args, publicRoute: { canaryPercent: 10 } });
        await settled(withRoute);
        without = installMocks();
        new AppEnvironments("apps", args);
        await settled(without);
    });

    it("registers the TraefikService, IngressRoute and HelmChartConfig, each valid against its schema", () => {
        const kinds = ["traefik.io/v1alpha1:TraefikService", "traefik.io/v1alpha1:IngressRoute", "helm.cattle.io/v1:HelmChartConfig"];
        for (const kind of kinds) {
            const [resource] = ofType(withRoute, `kubernetes:${kind}`);
            expect(resource, kind).toBeDefined();
            expect(() => validate(registeredObject(resource))).not.toThrow();
        }
        const [service] = ofType(withRoute, "kubernetes:traefik.io/v1alpha1:TraefikService");
        expect(service.inputs.spec.weighted.services.map((s: { weight: number }) => s.weight)).toEqual([90, 10]);
    });

    it("registers none of them when the stack turns the route off", () => {
        expect(without.filter((r) => /traefik\.io|helm\.cattle\.io/.test(r.type))).toEqual([]);
        expect(ofType(without, "kubernetes:argoproj.io/v1alpha1:Application")).toHaveLength(3);
    });
});
