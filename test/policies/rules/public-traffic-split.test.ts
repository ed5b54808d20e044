/**
 * public-traffic-split over the routing objects the program builds (infra/apps/public-route.ts)
 * and over hand-made variants that break it, as the policy engine would pass them.
 */
import { describe, expect, it } from "vitest";
import { publicIngressRoute, publicTraefikService, traefikHelmChartConfig } from "../../../infra/apps/public-route";
import { namespaces } from "../../../vocabulary/names";
import { policies } from "../../../policies/policies";
import { publicTrafficSplit } from "../../../policies/rules/public-traffic-split";
import { asPolicyProps, createCustomResourceValidationArgs, expectNoViolations, expectViolation, runPack } from "../util";

const args = (object: object, config?: object) => createCustomResourceValidationArgs(object as never, { config });

function withBackends(services: object[]) {
    const service = publicTraefikService({ canaryPercent: 10 });
    return { ...service, spec: { weighted: { services } } };
}
const backend = (env: "production" | "canary" | "staging", weight?: number) => ({
    kind: "Service",
    name: `gourmetgram-${env}`,
    namespace: namespaces[env],
    port: 8000,
    ...(weight === undefined ? {} : { weight }),
});

describe("public-traffic-split", () => {
    it("is mandatory and in the pack", () => {
        expect(publicTrafficSplit.enforcementLevel).toBe("mandatory");
        expect(policies).toContain(publicTrafficSplit);
    });

    it.each([0, 10, 50])("passes the program's route at %d%% to canary, and the whole pack has nothing to say about it", async (percent) => {
        for (const object of [publicTraefikService({ canaryPercent: percent }), publicIngressRoute(), traefikHelmChartConfig()]) {
            await expectNoViolations(publicTrafficSplit, args(object));
            const o = object as { apiVersion: string; kind: string };
            expect(await runPack(policies, `kubernetes:${o.apiVersion}:${o.kind}`, asPolicyProps(object as never))).toEqual([]);
        }
    });

    it("refuses a canary share above 50%, with the share and the weights", async () => {
        await expectViolation(publicTrafficSplit, args(withBackends([backend("production", 40), backend("canary", 60)])), "gives canary 60% of its requests (weight 60 of 100), above 50%");
        // Weights left out count 1 each, as in Traefik: one canary and no production is all of it.
        await expectViolation(publicTrafficSplit, args(withBackends([backend("canary")])), "gives canary 100% of its requests (weight 1 of 1)");
        await expectNoViolations(publicTrafficSplit, args(withBackends([backend("production"), backend("canary")])));
    });

    it("takes the ceiling from the pack config", async () => {
        await expectNoViolations(publicTrafficSplit, args(withBackends([backend("production", 40), backend("canary", 60)]), { maxCanaryPercent: 60 }));
        await expectViolation(publicTrafficSplit, args(withBackends([backend("production", 95), backend("canary", 5)]), { maxCanaryPercent: 2 }), "gives canary 5%", "above 2%");
    });

    it("refuses any public route to staging, in a weighted service or directly in an IngressRoute", async () => {
        await expectViolation(
            publicTrafficSplit,
            args(withBackends([backend("production", 90), backend("staging", 10)])),
            "sends public requests to Service gourmetgram-staging in gourmetgram-staging",
            "its load gate measures the pipeline's own traffic",
        );
        const route = publicIngressRoute();
        const direct = { ...route, metadata: { ...route.metadata, namespace: namespaces.staging }, spec: { ...route.spec, routes: [{ ...route.spec.routes[0], services: [{ name: "gourmetgram-staging", port: 8000 }] }] } };
        await expectViolation(publicTrafficSplit, args(direct), "sends public requests to Service gourmetgram-staging in gourmetgram-staging");
    });
});
