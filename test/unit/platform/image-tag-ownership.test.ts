/**
 * The image tag belongs to the pipeline once Pulumi has created an Application: what the gate
 * CLI's patch writes and what the AppEnvironments component tells Pulumi to ignore must be the
 * same fields. A field written but not ignored would be one `pulumi up` compares against its own
 * inputs; a field ignored but never written would hide a drift nobody owns.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { appImageTag, defaultAppResources, environments } from "../../../vocabulary/names";
import { appApplication } from "../../../infra/apps/application";
import { imageTagPatch, type Application } from "../../../pipeline/gates/release/argocd";
import { installMocks, settled } from "./harness";

const chartSource = { repoUrl: "https://git.example.test/gourmetgram.git", revision: "main" };
const resources = { staging: defaultAppResources, canary: defaultAppResources, production: defaultAppResources };
const registryLogin = { username: "gourmetgram-registry", password: "MockPwRegistryQ7x" };

/** Every field a merge patch sets, as dotted paths; a list is one field (a merge patch replaces it whole). */
function writtenPaths(patch: Record<string, unknown>, prefix: string[] = []): string[] {
    return Object.entries(patch).flatMap(([key, value]) =>
        typeof value === "object" && value !== null && !Array.isArray(value)
            ? writtenPaths(value as Record<string, unknown>, [...prefix, key])
            : [[...prefix, key].join(".")],
    );
}

/** The patch's fields minus metadata.resourceVersion, which is a precondition the server checks, not a write. */
function fieldsThePipelineWrites(app: Application): string[] {
    return writtenPaths(imageTagPatch(app, appImageTag("staging", 7)))
        .filter((p) => p !== "metadata.resourceVersion")
        .sort();
}

/** The ignoreChanges each Application is registered with, read through a transformation on the component. */
async function ignoredByPulumi(): Promise<Map<string, string[]>> {
    const registered = installMocks();
    const ignored = new Map<string, string[]>();
    const record: pulumi.ResourceTransformation = (args) => {
        if (args.type === "kubernetes:argoproj.io/v1alpha1:Application") ignored.set(args.name, [...(args.opts.ignoreChanges ?? [])].sort());
        return undefined;
    };
    const { AppEnvironments } = await import("../../../infra/apps/index.js");
    new AppEnvironments("apps", { chartSource, resources, registryLogin }, { transformations: [record] });
    await settled(registered);
    return ignored;
}

describe("the image tag fields: written by the pipeline, ignored by Pulumi", () => {
    it("the patch the CLI writes to an Application Pulumi created touches exactly the fields Pulumi ignores", async () => {
        const ignored = await ignoredByPulumi();
        expect([...ignored.keys()].sort()).toEqual(environments.map((env) => `apps-${env}-application`).sort());
        for (const env of environments) {
            const created = appApplication({ environment: env, chartSource, resources: defaultAppResources }) as unknown as Application;
            const written = fieldsThePipelineWrites(created);
            expect(written).toEqual(["spec.source.helm.parameters", "spec.source.helm.valuesObject.image.tag"]);
            expect(ignored.get(`apps-${env}-application`), env).toEqual(written);
        }
    });

    it("an Application without the parameter gets only the value, still inside what Pulumi ignores", async () => {
        const ignored = await ignoredByPulumi();
        const withoutParameter: Application = { metadata: { name: "gourmetgram-staging", resourceVersion: "7" }, spec: { source: { helm: { valuesObject: {} } } } };
        const written = fieldsThePipelineWrites(withoutParameter);
        expect(written).toEqual(["spec.source.helm.valuesObject.image.tag"]);
        expect(ignored.get("apps-staging-application")).toEqual(expect.arrayContaining(written));
    });
});
