import { installMocks, type Registered } from "../../support/mocks";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load";
import { ConfigError } from "../../../infra/config/errors";
import { defaultAppResources, namespaces, registry, trainingSeedEnv } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { buildkitdConfig, buildkitdConfigMapName } from "../../../infra/platform/image-build/builder";
import { pipelineConfig } from "../../../pipeline/config";
import { runnerRules } from "../../../pipeline/rbac/policies";

let registered: Registered[] = [];

beforeAll(async () => {
    registered = installMocks({ stack: "test" });
    const { Pipeline } = await import("../../../pipeline/component.js");
    const config = loadStackConfig("gourmetgram", {}, { pipeline: pipelineConfig }).pipeline;
    const pipeline = new Pipeline("pipeline", { config, images: { gates: "reg/gates:src-1", train: "reg/train:src-2" }, stagingAppResources: defaultAppResources });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pipeline.workflowTemplateNames).toHaveLength(7);
});

describe("the Pipeline component", () => {
    it("registers the seven WorkflowTemplates and the CronWorkflow in the workflows namespace, with the built image references", () => {
        const crs = registered.filter((r) => r.inputs.apiVersion === "argoproj.io/v1alpha1");
        expect(crs.filter((r) => r.inputs.kind === "WorkflowTemplate")).toHaveLength(7);
        expect(crs.filter((r) => r.inputs.kind === "CronWorkflow")).toHaveLength(1);
        for (const cr of crs) expect(cr.inputs.metadata.namespace).toBe(namespaces.workflows);
        const testStaging = crs.find((r) => r.inputs.metadata.name === "test-staging")!;
        expect(JSON.stringify(testStaging.inputs.spec)).toContain("reg/gates:src-1");
    });

    it("writes buildkitd's configuration into the workflows namespace, where the build steps mount it, and builds with the pinned BuildKit", () => {
        const configMaps = registered.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === buildkitdConfigMapName);
        expect(configMaps).toHaveLength(1);
        expect(configMaps[0].inputs.metadata.namespace).toBe(namespaces.workflows);
        expect(configMaps[0].inputs.data).toEqual({ "buildkitd.toml": buildkitdConfig(registry.host) });
        const build = registered.find((r) => r.inputs.kind === "WorkflowTemplate" && r.inputs.metadata.name === "build-container-image")!;
        const step = build.inputs.spec.templates.find((t: { name: string }) => t.name === "build-image");
        expect(step.container.image).toBe(platformImages.buildkit);
        expect(step.volumes).toContainEqual(expect.objectContaining({ configMap: expect.objectContaining({ name: buildkitdConfigMapName }) }));
    });

    it("passes train-model's seed to the training container, empty (a fresh seed) unless the submitter gives one", () => {
        const train = registered.find((r) => r.inputs.kind === "WorkflowTemplate" && r.inputs.metadata.name === "train-model")!;
        expect(train.inputs.spec.arguments.parameters).toContainEqual(expect.objectContaining({ name: "seed", value: "" }));
        const trainStep = train.inputs.spec.templates.find((t: { name: string }) => t.name === "train");
        expect(trainStep.container.env).toContainEqual({ name: trainingSeedEnv, value: "{{inputs.parameters.seed}}" });
        const call = train.inputs.spec.templates[0].steps.flat().find((s: { name: string }) => s.name === "train");
        expect(call.arguments.parameters).toContainEqual({ name: "seed", value: "{{workflow.parameters.seed}}" });
    });

    it("gives every template its own service account, bound only to namespaced Roles", () => {
        const accounts = registered.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.inputs.metadata.name);
        expect(accounts).toHaveLength(7);
        expect(registered.some((r) => /ClusterRole/.test(r.type))).toBe(false);
        const bindings = registered.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        for (const b of bindings) expect(accounts).toContain(b.inputs.subjects[0].name);
    });
});

describe("runner RBAC is least privilege", () => {
    const templates = ["train-model", "build-container-image", "deploy-container-image", "test-staging", "promote-model", "revert-staging", "build-initial"];

    it.each(templates)("%s: no wildcard, no secrets, executor results in the workflows namespace", (name) => {
        const rules = runnerRules(name);
        for (const list of Object.values(rules)) {
            for (const rule of list) {
                expect(rule.verbs).not.toContain("*");
                expect(rule.resources).not.toContain("*");
                expect(rule.resources).not.toContain("secrets");
            }
        }
        expect(rules[namespaces.workflows]).toContainEqual(expect.objectContaining({ resources: ["workflowtaskresults"], verbs: ["create", "patch"] }));
    });

    it("only templates that start workflows may create them; only deployers touch Argo CD Applications", () => {
        const creates = templates.filter((t) => runnerRules(t)[namespaces.workflows].some((r) => r.resources?.includes("workflows")));
        expect(creates.sort()).toEqual(["build-container-image", "train-model"]);
        // Argo's resource step reads the child it created back for its output (the child's name).
        for (const name of creates) {
            expect(runnerRules(name)[namespaces.workflows]).toContainEqual(expect.objectContaining({ resources: ["workflows"], verbs: ["create", "get"] }));
        }
        expect(runnerRules("train-model")[namespaces.argocd]).toBeUndefined();
        expect(runnerRules("revert-staging")[namespaces.argocd]![0].resourceNames).toEqual(["gourmetgram-staging"]);
        expect(runnerRules("test-staging")[namespaces.staging]).toBeDefined();
    });

    it("only the steps that run mark-good may write the release record, and no other ConfigMap is reachable", () => {
        const recordRule = (t: string) => runnerRules(t)[namespaces.workflows].find((r) => r.resources?.includes("configmaps"));
        const writers = templates.filter((t) => recordRule(t)?.verbs?.includes("patch"));
        expect(writers.sort()).toEqual(["build-initial", "test-staging"]);
        const readers = templates.filter((t) => recordRule(t)?.verbs?.includes("get"));
        expect(readers.sort()).toEqual(["build-initial", "promote-model", "revert-staging", "test-staging"]);
        for (const t of readers) expect(recordRule(t)!.resourceNames).toEqual(["gourmetgram-release-record"]);
    });

    it("unknown templates get nothing", () => {
        expect(() => runnerRules("mine-bitcoin")).toThrow(/no RBAC/);
    });
});

describe("pipeline stack config", () => {
    const load = (raw: Record<string, string>) => loadStackConfig("gourmetgram", raw, { pipeline: pipelineConfig }).pipeline;

    it("defaults: 100 requests at 10, p95 2000 ms, 95% success, daily 02:00, trigger off", () => {
        const c = load({});
        expect(c.thresholds).toMatchObject({ loadRequests: 100, loadConcurrency: 10, loadP95Ms: 2000, loadMinSuccessRate: 0.95 });
        expect(c.cron).toEqual({ schedules: ["0 2 * * *"], timezone: "UTC", scenario: "normal" });
        expect(c.githubTrigger).toBeUndefined();
    });

    it("names the key, the value and what is allowed", () => {
        expect(() => load({ "gourmetgram:trainSchedule": "daily" })).toThrow(ConfigError);
        expect(() => load({ "gourmetgram:trainSchedule": "daily" })).toThrow(/trainSchedule.*a cron schedule: five fields.*this one has 1 field/s);
        expect(() => load({ "gourmetgram:gateLoadMinSuccessRate": "95" })).toThrow(/from 0.5 to 1/);
        // A gate that passes with no successful request checks nothing.
        expect(() => load({ "gourmetgram:gateLoadMinSuccessRate": "0" })).toThrow(/gateLoadMinSuccessRate = "0": expected a number from 0.5 to 1/);
        expect(() => load({ "gourmetgram:trainSchedule": "a b c d e" })).toThrow(/minute field "a" is not a value or range within 0-59/);
        expect(() => load({ "gourmetgram:appGitRevision": "workflow\nrm -rf /" })).toThrow(/appGitRevision.*contains a space, a control character/s);
        expect(() => load({ "gourmetgram:trainScheduledScenario": "tiny" })).toThrow(/normal, bad-architecture, oversized/);
    });

    it("a GitHub trigger needs a repository and a webhook secret", () => {
        expect(() => load({ "gourmetgram:githubTrigger": "true" })).toThrow(/githubWebhookSecret.*required/s);
        const secret = "0123456789abcdef0123456789abcdef";
        const c = load({ "gourmetgram:githubTrigger": "true", "gourmetgram:githubRepository": "o/r", "gourmetgram:githubWebhookSecret": secret });
        expect(c.githubTrigger).toEqual({ repository: "o/r", webhookSecret: secret });
    });

    it("a webhook secret shorter than 32 characters is refused, and the message never shows it", () => {
        const short = "s3cret-only-31-characters-long!";
        expect(short).toHaveLength(31);
        const attempt = () => load({ "gourmetgram:githubTrigger": "true", "gourmetgram:githubRepository": "o/r", "gourmetgram:githubWebhookSecret": short });
        expect(attempt).toThrow(/githubWebhookSecret = \[secret\]: must be at least 32 characters/);
        expect(attempt).not.toThrow(new RegExp(short));
    });

    it("the staging deadline must outlast the version wait", () => {
        expect(() => load({ "gourmetgram:gateVersionWaitSeconds": "3000", "gourmetgram:testStagingDeadlineSeconds": "3000" })).toThrow(/testStagingDeadlineSeconds/);
    });
});

describe("the Pipeline component's children", () => {
    interface Child {
        readonly name: string;
        readonly aliases: unknown[];
    }

    /** Every child as it is registered, with the aliases its options carry (mocks do not see options). */
    async function childrenOf(name: string, raw: Record<string, string>): Promise<Child[]> {
        installMocks({ stack: "children" });
        const { Pipeline } = await import("../../../pipeline/component.js");
        const config = loadStackConfig("gourmetgram", raw, { pipeline: pipelineConfig }).pipeline;
        const children: Child[] = [];
        new Pipeline(name, { config, images: { gates: "g:1", train: "t:1" }, stagingAppResources: defaultAppResources }, {
            transformations: [
                (args) => {
                    if (args.type !== "gourmetgram:pipeline:Pipeline") children.push({ name: args.name, aliases: args.opts.aliases ?? [] });
                    return undefined;
                },
            ],
        });
        await new Promise((resolve) => setTimeout(resolve, 200));
        return children;
    }

    const withTrigger = {
        "gourmetgram:githubTrigger": "true",
        "gourmetgram:githubRepository": "teaching-on-testbeds/gourmetgram",
        "gourmetgram:githubWebhookSecret": "a-webhook-secret-long-enough-for-the-check",
    };

    it("are named from the component's name", async () => {
        const children = await childrenOf("lab-pipeline", withTrigger);
        expect(children.length).toBeGreaterThan(20);
        for (const child of children) expect(child.name).toMatch(/^lab-pipeline-/);
    });

    it("that once had names of their own keep them as aliases, so an existing stack does not replace them", async () => {
        const children = await childrenOf("pipeline", withTrigger);
        const renamed = children.filter((c) => c.aliases.some((alias) => typeof alias === "object" && alias !== null && "name" in alias));
        expect(renamed.map((c) => c.name)).toEqual(
            expect.arrayContaining(["pipeline-train-model-runner", "pipeline-github-webhook-secret", "pipeline-github-event-source", "pipeline-train-on-push-sensor"]),
        );
        // The Kubernetes provider adds aliases of its own (a Role's older API versions); ours is the old name.
        for (const child of renamed) expect(child.aliases).toContainEqual({ name: child.name.replace(/^pipeline-/, "") });
        // The templates, the CronWorkflow and the release record were always named from the component.
        expect(renamed.map((c) => c.name)).not.toContain("pipeline-train-model");
        expect(renamed.map((c) => c.name)).not.toContain("pipeline-release-record");
    });
});
