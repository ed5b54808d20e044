/**
 * The pipeline's build-image step: the image builder's container (infra/platform/image-build/
 * builder.ts) building the context prepare-context left on the workflow's volume, pushing one
 * tag per environment with the app repository's registry cache.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appImage, appName, environments, registry, workflowTemplates } from "../../../vocabulary/names";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { contextDir, workspaceVolume } from "../../../pipeline/templates/image-build-steps";
import {
    buildctlBuildArgs,
    buildkitdConfigMapName,
    imageBuilderSecurityContext,
    imageBuilderVolumes,
    imageBuildScript,
} from "../../../infra/platform/image-build/builder";
import { appArmorProfiles } from "../../../infra/k3s/apparmor-profiles";
import { type ProgramRun, runProgram, stacksDir } from "../../support/program";
import { settings } from "./fixtures";

const templates = pipelineWorkflowTemplates(settings);
const buildStepOf = (all: typeof templates, name: string) => all.find((t) => t.metadata!.name === name)!.spec.templates!.find((t) => t.name === "build-image")!;
const buildStep = (name: string) => buildStepOf(templates, name);
const version = "{{inputs.parameters.model-version}}";

describe("build-image", () => {
    const step = buildStep(workflowTemplates.buildContainerImage);
    const container = step.container!;

    it("runs the image builder's script on the BuildKit image the settings name", () => {
        expect(container.image).toBe(settings.images.imageBuilder);
        expect(container.command).toEqual(["/bin/sh", "-c", imageBuildScript, "image-build"]);
        expect(container.securityContext).toEqual(imageBuilderSecurityContext());
    });

    it("names the nodes' AppArmor profile only when the settings say the nodes hold it", () => {
        expect(container.securityContext).not.toHaveProperty("appArmorProfile");
        const onLabNodes = pipelineWorkflowTemplates({ ...settings, nodeProfiles: { appArmor: true } });
        for (const name of [workflowTemplates.buildContainerImage, workflowTemplates.buildInitial]) {
            expect(buildStepOf(onLabNodes, name).container!.securityContext).toEqual(imageBuilderSecurityContext({ appArmor: true }));
            expect(buildStepOf(onLabNodes, name).container!.securityContext!.appArmorProfile).toEqual({ type: "Localhost", localhostProfile: appArmorProfiles.imageBuilder });
        }
    });

    it("builds the prepared context's Dockerfile and pushes staging's tag, with the app repository's registry cache", () => {
        expect(container.args).toEqual(buildctlBuildArgs({ contextDir, dockerfile: "Dockerfile", images: [appImage("staging", version)] }));
        const cache = `${registry.host}/${appName}:buildcache`;
        expect(container.args).toContain(`--export-cache=type=registry,ref=${cache},mode=max`);
        expect(container.args).toContain(`--import-cache=type=registry,ref=${cache}`);
    });

    it("build-initial pushes every environment's tag from one build", () => {
        const args = buildStep(workflowTemplates.buildInitial).container!.args!;
        expect(args).toContain(`--output=type=image,"name=${environments.map((env) => appImage(env, version)).join(",")}",push=true`);
    });

    it("reads the workflow's volume, and writes only to its own emptyDirs", () => {
        expect(step.volumes).toEqual(imageBuilderVolumes(buildkitdConfigMapName));
        const own = new Set([...step.volumes!.map((v) => v.name), workspaceVolume]);
        for (const mount of container.volumeMounts!) expect(own.has(mount.name), mount.name).toBe(true);
        expect(container.volumeMounts).toContainEqual({ name: workspaceVolume, mountPath: "/workspace", readOnly: true });
        expect(contextDir.startsWith("/workspace/")).toBe(true);
    });

    it("runs without a service-account token and retries only the platform's own errors", () => {
        expect(step.automountServiceAccountToken).toBe(false);
        expect(step.retryStrategy?.retryPolicy).toBe("OnError");
    });
});

/** The cluster target decides, through the Pipeline component's settings. */
describe("build-image in each stack's WorkflowTemplates", () => {
    const builderContexts = (run: ProgramRun) =>
        run.resources
            .filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate")
            .flatMap((r) => (r.inputs.spec.templates as { name: string; container?: { securityContext?: object } }[]).filter((t) => t.name === "build-image"))
            .map((t) => t.container!.securityContext!);
    const runs: Record<string, ProgramRun> = {};
    beforeAll(async () => {
        runs.chameleon = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"));
        runs.local = await runProgram(path.join(stacksDir, "Pulumi.local.yaml"));
    });

    it("names the nodes' AppArmor profile on Chameleon, whose K3s install loaded it", () => {
        const contexts = builderContexts(runs.chameleon);
        expect(contexts).toHaveLength(2);
        for (const context of contexts) expect(context).toMatchObject({ appArmorProfile: { type: "Localhost", localhostProfile: appArmorProfiles.imageBuilder } });
    });

    it("names none on an existing cluster such as the local one, whose nodes may have no AppArmor", () => {
        const contexts = builderContexts(runs.local);
        expect(contexts).toHaveLength(2);
        for (const context of contexts) expect(context).not.toHaveProperty("appArmorProfile");
    });
});
