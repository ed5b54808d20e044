import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { namespaces } from "../../../vocabulary/names";
import { runProgram, stacksDir, withoutSecrets } from "../../support/program";

const laptop = path.join(stacksDir, "Pulumi.laptop.yaml");
const trigger = {
    "gourmetgram:githubTrigger": "true",
    "gourmetgram:githubRepository": "teaching-on-testbeds/gourmetgram",
    "gourmetgram:githubWebhookSecret": "s3cret-webhook-key-0123456789abcdef",
};

describe("the GitHub push trigger in the program", () => {
    it("is refused up front when Argo Events is not installed, naming the setting it needs", async () => {
        const failure = await runProgram(laptop, trigger).then(
            () => undefined,
            (error: Error) => error,
        );
        expect(failure?.name).toBe("ConfigError");
        expect(failure?.message).toMatch(/gourmetgram:githubTrigger = "true": needs gourmetgram:argoEventsEnabled set to true/);
    });

    it("with Argo Events: the event bus, the EventSource and the Sensor, and no webhook secret in plain text", async () => {
        const run = await runProgram(laptop, { ...trigger, "gourmetgram:argoEventsEnabled": "true" });
        const kinds = (kind: string) => run.resources.filter((r) => r.type === `kubernetes:argoproj.io/v1alpha1:${kind}`);
        expect(kinds("EventBus").map((r) => [r.inputs.metadata.name, r.inputs.metadata.namespace])).toEqual([["default", namespaces.argoEvents]]);
        expect(kinds("EventBus")[0].inputs.spec.jetstream.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(kinds("EventSource")).toHaveLength(1);
        expect(kinds("Sensor")).toHaveLength(1);
        expect(JSON.stringify(run.resources.map((r) => r.inputs))).toContain("s3cret-webhook-key-0123456789abcdef");
        expect(JSON.stringify(withoutSecrets(run.resources.map((r) => r.inputs)))).not.toContain("s3cret-webhook-key-0123456789abcdef");
    });
});
