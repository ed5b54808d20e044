import { installMocks, type Registered } from "../../support/mocks";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load";
import { defaultAppResources, namespaces } from "../../../vocabulary/names";
import { checkWorkflows } from "../../support/workflow-check/references";
import { pipelineConfig } from "../../../pipeline/config";
import { githubEventSource, trainOnPushSensor } from "../../../pipeline/events/github-trigger";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import type { CronWorkflow } from "../../../pipeline/templates/argo-types";
import { settings } from "./fixtures";


async function registeredWith(raw: Record<string, string>): Promise<Registered[]> {
    const registered = installMocks({ stack: "trigger" });
    const { Pipeline } = await import("../../../pipeline/component.js");
    const config = loadStackConfig("gourmetgram", raw, { pipeline: pipelineConfig }).pipeline;
    new Pipeline("p", { config, images: { gates: "g:1", train: "t:1" }, stagingAppResources: defaultAppResources });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return registered;
}

describe("GitHub push trigger (reference only)", () => {
    it("is not deployed unless the stack turns it on", async () => {
        const registered = await registeredWith({});
        expect(registered.some((r) => r.inputs?.kind === "EventSource" || r.inputs?.kind === "Sensor")).toBe(false);
    });

    it("when on: Secret from a Pulumi secret, EventSource verifying signatures, Sensor creating train-model", async () => {
        const registered = await registeredWith({
            "gourmetgram:githubTrigger": "true",
            "gourmetgram:githubRepository": "teaching-on-testbeds/gourmetgram-train",
            "gourmetgram:githubWebhookSecret": "s3cret-value-0123456789abcdef012345",
        });
        const secret = registered.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        expect(secret.inputs.metadata.namespace).toBe(namespaces.argoEvents);
        // Recorded as a Pulumi secret, not as the plain string.
        expect(secret.inputs.stringData).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { secret: "s3cret-value-0123456789abcdef012345" } });
        const others = registered.filter((r) => r !== secret);
        expect(JSON.stringify(others)).not.toContain("s3cret-value-0123456789abcdef012345");
        expect(registered.find((r) => r.inputs?.kind === "EventSource")).toBeDefined();
        expect(registered.find((r) => r.inputs?.kind === "Sensor")).toBeDefined();
    });

    it("the EventSource listens for pushes of the named repository, with the webhook secret", () => {
        const source = githubEventSource("owner/repo");
        const hook = Object.values(source.spec.github)[0];
        expect(hook.repositories).toEqual([{ owner: "owner", names: ["repo"] }]);
        expect(hook.events).toEqual(["push"]);
        expect(hook.webhookSecret).toEqual({ name: "github-webhook", key: "secret" });
    });

    it("the Sensor filters main-branch pushes and submits a valid train-model Workflow", () => {
        const sensor = trainOnPushSensor();
        expect(sensor.spec.dependencies[0].filters.data).toEqual([{ path: "body.ref", type: "string", value: ["refs/heads/main"] }]);
        const workflow = sensor.spec.triggers[0].template.k8s.source.resource;
        // Check the submitted Workflow's template and parameters the same way a CronWorkflow is checked.
        const asCron = { metadata: { name: "sensor" }, spec: { workflowSpec: workflow.spec } } as unknown as CronWorkflow;
        expect(checkWorkflows(pipelineWorkflowTemplates(settings), [asCron])).toEqual([]);
    });
});
