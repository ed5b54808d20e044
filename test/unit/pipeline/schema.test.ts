import { describe, expect, it } from "vitest";
import { CronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow";
import { Workflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow";
import { WorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";
import { parse } from "yaml";
import { environmentMutexName, gateImageEnv, namespaces, registryCredentials, workflowTemplates } from "../../../vocabulary/names";
import { toModelShape } from "../../support/workflow-check/model-shape";
import { stringsIn } from "../../support/workflow-check/placeholders";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { cron, settings } from "./fixtures";

const templates = pipelineWorkflowTemplates(settings);
/** The model classes' validate() (typed through @kubernetes-models/base, which the CommonJS type resolution cannot see). */
const validate = (model: object) => (model as { validate(): void }).validate();
const crons = pipelineCronWorkflows(settings, cron);

describe("every pipeline object validates against the Argo Workflows schema", () => {
    it.each(templates.map((t) => [t.metadata.name, t] as const))("WorkflowTemplate %s", (_name, template) => {
        expect(() => validate(new WorkflowTemplate(toModelShape(template) as never))).not.toThrow();
    });

    it.each(crons.map((c) => [c.metadata.name, c] as const))("CronWorkflow %s", (_name, cronWorkflow) => {
        expect(() => validate(new CronWorkflow(toModelShape(cronWorkflow) as never))).not.toThrow();
    });

    it("every Workflow a template submits", () => {
        const manifests = templates.flatMap((t) => (t.spec.templates ?? []).flatMap((x) => (x.resource?.action === "create" ? [x.resource.manifest as string] : [])));
        expect(manifests.length).toBeGreaterThanOrEqual(2);
        for (const manifest of manifests) expect(() => validate(new Workflow(parse(manifest)))).not.toThrow();
    });

    it("rejects a template the schema forbids, so the check above can fail", () => {
        const broken = toModelShape(templates[0]) as any;
        broken.spec.templates[1].container.env = "not-a-list";
        expect(() => validate(new WorkflowTemplate(broken))).toThrow();
    });

    it("the model-shape conversion wraps step groups and nothing else", () => {
        const converted = toModelShape({ steps: [[{ name: "a" }], [{ name: "b" }, { name: "c" }]], args: [["x"]] });
        expect(converted).toEqual({ steps: [{ steps: [{ name: "a" }] }, { steps: [{ name: "b" }, { name: "c" }] }], args: [["x"]] });
    });
});

describe("workflow-wide settings", () => {
    it("the seven templates carry the names users look for, in the workflows namespace", () => {
        expect(templates.map((t) => t.metadata.name).sort()).toEqual(
            [
                workflowTemplates.trainModel, workflowTemplates.buildContainerImage, workflowTemplates.deployContainerImage,
                workflowTemplates.testStaging, workflowTemplates.promoteModel, workflowTemplates.revertStaging,
                workflowTemplates.buildInitial,
            ].sort(),
        );
        for (const t of templates) expect(t.metadata.namespace).toBe(namespaces.workflows);
    });

    it.each(templates.map((t) => [t.metadata.name, t] as const))("%s has a deadline, pod GC, TTL and its own service account", (name, t) => {
        expect(t.spec.activeDeadlineSeconds).toBeGreaterThan(0);
        expect(t.spec.podGC?.strategy).toBe("OnPodSuccess");
        expect(t.spec.ttlStrategy?.secondsAfterSuccess).toBeGreaterThan(0);
        expect(t.spec.ttlStrategy?.secondsAfterFailure).toBeGreaterThan(0);
        expect(t.spec.serviceAccountName).toBe(`${name}-runner`);
    });

    it.each(templates.map((t) => [t.metadata.name, t] as const))("%s pulls with the registry's login: the gate and training images are there", (_name, t) => {
        expect(t.spec.imagePullSecrets).toEqual([{ name: registryCredentials.secretName }]);
    });

    it("every gate step reads the registry's login from its Secret, never from a literal", () => {
        const gateSteps = templates.flatMap((t) => (t.spec.templates ?? []).filter((x) => x.container?.image === settings.images.gates));
        expect(gateSteps.length).toBeGreaterThan(3);
        for (const step of gateSteps) {
            const env = step.container!.env ?? [];
            for (const [name, key] of [[gateImageEnv.registryUsername, registryCredentials.usernameKey], [gateImageEnv.registryPassword, registryCredentials.passwordKey]]) {
                expect(env, step.name).toContainEqual({ name, valueFrom: { secretKeyRef: { name: registryCredentials.secretName, key } } });
            }
        }
    });

    it("every container step has resource limits and a pinned image", () => {
        for (const t of templates) {
            for (const x of t.spec.templates ?? []) {
                const container = x.container ?? x.script;
                if (!container) continue;
                expect(container.resources?.limits, `${t.metadata.name}/${x.name}`).toBeDefined();
                expect(container.image).not.toMatch(/:latest$|^[^:]+$/);
            }
        }
    });

    it("every step that can wait has its own deadline", () => {
        for (const t of templates) {
            for (const x of t.spec.templates ?? []) {
                if (x.container || x.script || x.resource?.successCondition) {
                    expect(x.activeDeadlineSeconds, `${t.metadata.name}/${x.name}`).toBeDefined();
                }
            }
        }
    });

    it("gate steps never retry: a retry could turn a real failure into a pass", () => {
        const gates = templates.find((t) => t.metadata.name === workflowTemplates.testStaging)!;
        for (const x of gates.spec.templates ?? []) expect(x.retryStrategy, x.name).toBeUndefined();
        const train = templates.find((t) => t.metadata.name === workflowTemplates.trainModel)!;
        expect(train.spec.templates?.find((x) => x.name === "train")?.retryStrategy).toBeUndefined();
    });

    it("environment changes are serialised by plural mutexes, one per environment", () => {
        const locks = (name: string) => templates.find((t) => t.metadata.name === name)!.spec.synchronization?.mutexes?.map((m) => m.name);
        expect(locks(workflowTemplates.testStaging)).toEqual([environmentMutexName("staging"), environmentMutexName("canary")]);
        expect(locks(workflowTemplates.revertStaging)).toEqual([environmentMutexName("staging")]);
        expect(locks(workflowTemplates.promoteModel)).toEqual(["gourmetgram-{{workflow.parameters.target-environment}}-release"]);
        expect(locks(workflowTemplates.deployContainerImage)).toEqual(["gourmetgram-{{workflow.parameters.environment}}-release"]);
        expect(locks(workflowTemplates.trainModel)).toBeUndefined();
    });

    it("no workflow spec talks to loopback or carries an Argo CD password", () => {
        for (const s of stringsIn([...templates, ...crons])) {
            expect(s.text).not.toMatch(/localhost|127\.0\.0\.1|\[::1\]/);
            expect(s.text.toLowerCase()).not.toMatch(/argocd-initial-admin-secret|admin-password|argocd login/);
        }
    });

    it("the scenario is a parameter with the three allowed values, passed to the training pod", () => {
        const train = templates.find((t) => t.metadata.name === workflowTemplates.trainModel)!;
        const scenario = train.spec.arguments?.parameters?.find((p) => p.name === "scenario");
        expect(scenario?.enum).toEqual(["normal", "bad-architecture", "oversized"]);
        expect(scenario?.value).toBe("normal");
        const pod = train.spec.templates?.find((x) => x.name === "train")?.container;
        expect(pod?.args).toEqual(["--scenario", "{{inputs.parameters.scenario}}", "--app-memory-limit", settings.stagingAppLimits.memory]);
        expect(train.spec.templates?.find((x) => x.name === "train")?.outputs?.parameters?.[0].valueFrom?.path).toBe("/tmp/model_version");
    });

    it("the cron runs train-model on the configured schedules, never overlapping", () => {
        const [c] = crons;
        expect(c.metadata.name).toBe(workflowTemplates.trainModelCron);
        expect(c.spec.schedules).toEqual(["0 2 * * *"]);
        expect(c.spec).not.toHaveProperty("schedule");
        expect(c.spec.timezone).toBe("UTC");
        expect(c.spec.concurrencyPolicy).toBe("Forbid");
        expect(c.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
        expect(c.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
        expect(c.spec.workflowSpec.workflowTemplateRef?.name).toBe(workflowTemplates.trainModel);
        expect(c.spec.workflowSpec.ttlStrategy).toBeDefined();
        expect(c.spec.workflowSpec.podGC).toBeDefined();
    });
});

describe("deploy-container-image", () => {
    const deploy = templates.find((t) => t.metadata.name === workflowTemplates.deployContainerImage)!;
    const byName = (n: string) => deploy.spec.templates!.find((x) => x.name === n)!;

    it("sets the tag through the gate CLI, which checks the version, never by a text-built patch", () => {
        const step = byName("set-image-tag");
        expect(step.resource).toBeUndefined();
        expect(step.container!.image).toBe(settings.images.gates);
        expect(step.container!.args!.slice(0, 5)).toEqual(["set-image-tag", "--env", "{{inputs.parameters.environment}}", "--version", "{{inputs.parameters.version}}"]);
        expect(step.retryStrategy).toBeDefined();
    });

    it("waits for Argo CD to have compared, synced and made healthy the NEW tag, with a deadline", () => {
        const wait = byName("wait-synced-and-healthy");
        const tag = "{{inputs.parameters.environment}}-1.0.{{inputs.parameters.version}}";
        expect(wait.resource!.action).toBe("get");
        expect(wait.resource!.successCondition!.split(", ")).toEqual([
            "status.sync.status == Synced",
            `status.sync.comparedTo.source.helm.parameters.0.value == ${tag}`,
            "status.health.status == Healthy",
        ]);
        // Argo fails a resource step when any one failure requirement matches: none is set (see the template).
        expect(wait.resource!.failureCondition).toBeUndefined();
        expect(wait.activeDeadlineSeconds).toBe(settings.deadlines.deploySeconds);
    });
});
