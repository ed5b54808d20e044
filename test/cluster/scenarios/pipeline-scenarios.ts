/**
 * The pipeline for real, on the suite's lab (test/cluster/lab.test.ts): the lab's own
 * WorkflowTemplates run by the Argo Workflows controller, as a student submits them. The app
 * comes from a git server holding the app stand-in; the image is built in the cluster by the
 * template's own build step, pushed to the in-cluster registry, deployed by Argo CD and gated on
 * the kubelet's real limits.
 *
 * In order, as a student meets them: a good model reaches canary; a run whose evaluation fails
 * registers nothing and builds nothing; a model that breaks the app and one too big for staging
 * are both caught and reverted, with the reason on their MLflow version; canary goes to
 * production by hand; the faults (the controller killed mid-promotion, two promotions at once,
 * MLflow down during a revert, a tag pushed again after its test); the CronWorkflow starts a run
 * on its schedule. Each is asserted from the outside: the workflows' phases and steps, MLflow's
 * aliases and tags, what each environment's `/version` serves, the Argo CD Applications' image
 * tags and the registry's manifests. A failed expectation prints the workflows with every gate's
 * report.
 */
import * as fs from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { appApplicationName, appImageTag, appName, environmentPorts, model, namespaces, workflowTemplates, type Environment } from "../../../vocabulary/names";
import { overrideTags } from "../../../pipeline/gates/canary/command";
import { canaryCheckStepNames, overrideParameters } from "../../../pipeline/templates/canary-check";
import { testStagingSteps as steps } from "../../../pipeline/templates/test-staging";
import { runOk } from "../../e2e/harness/process";
import { registryMirrorEndpoint } from "../harness/containerd";
import { minutes, type LabSession, type Obj } from "../harness/lab-session";
import { clusterNetwork } from "../harness/network";
import { registryAuthHeaders, skopeoDestCreds } from "../harness/registry-images";
import { evaluationSeeds } from "../harness/training-seeds";
import { describeWorkflow, followTrainModel, node, outputOf, phaseOf, requirePhase, secondsOf, Workflows, type WorkflowStatus } from "../harness/workflows";

const pipelineTimeout = minutes(30);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
}

export function pipelineScenarios(session: LabSession): void {
    const { tools } = session;
    const seeds = evaluationSeeds();
    /** The version that passed every gate: what staging reverts to and canary serves. */
    let lastGood = "";
    /** The version the integration gate rejected. */
    let rejected = "";
    let workflows: Workflows;
    beforeAll(() => {
        workflows = new Workflows(session.cluster, tools.argo);
    });

    /**
     * The local lab has no Traefik (stacks/Pulumi.local.yaml), so the canary traffic check cannot
     * decide there and fails closed; a person promotes anyway by naming themselves and why.
     */
    const productionOverride = { by: "lab suite", reason: "the local lab has no Traefik, so canary's live traffic cannot be read" };
    const promoteToProduction = (version: string) =>
        workflows.submit(workflowTemplates.promoteModel, {
            "source-environment": "canary",
            "target-environment": "production",
            "model-version": version,
            [overrideParameters.by]: productionOverride.by,
            [overrideParameters.reason]: productionOverride.reason,
        });
    const registryLogin = () => session.registryLogin();
    const kubectl = (args: string[]) => session.kubectl(args);
    const mlflow = (route: string) => session.mlflow("GET", route);
    const modelVersion = async (version: string): Promise<Obj> =>
        (await mlflow(`/api/2.0/mlflow/model-versions/get?name=${model.name}&version=${version}`)).model_version as Obj;
    /** A model version's tags, key to value. */
    const versionTags = async (version: string): Promise<Record<string, string>> =>
        Object.fromEntries(((await modelVersion(version)).tags as Obj[]).map((t) => [t.key as string, t.value as string]));
    const aliasVersion = async (alias: string): Promise<string> =>
        String(((await mlflow(`/api/2.0/mlflow/registered-models/alias?name=${model.name}&alias=${alias}`)).model_version as Obj).version);
    const latestVersion = async (): Promise<number> => {
        const found = await mlflow(`/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name='${model.name}'`)}&max_results=1000`);
        return Math.max(0, ...((found.model_versions ?? []) as Obj[]).map((v) => Number(v.version)));
    };
    /** What an environment's LoadBalancer answers at /version, or the error. */
    async function servedVersion(env: Environment): Promise<string> {
        try {
            const response = await fetch(`http://${clusterNetwork.nodeIp}:${environmentPorts[env]}/version`, { signal: AbortSignal.timeout(10_000) });
            const body = (await response.json()) as { model_version?: string };
            return body.model_version ?? `HTTP ${response.status} without a model_version`;
        } catch (error) {
            return `unreachable (${(error as Error).message})`;
        }
    }
    /**
     * A revert moves the Application and returns; Argo CD then syncs and the rollout replaces the
     * pod, which takes seconds to a minute. Waits for `env` to serve `version`, then asserts it.
     */
    async function expectServedSoon(env: Environment, version: string): Promise<void> {
        const deadline = Date.now() + minutes(5);
        while ((await servedVersion(env)) !== version && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(await servedVersion(env), `${env} within 5 minutes of the revert`).toBe(version);
    }
    async function applicationTag(env: Environment): Promise<string | undefined> {
        const app = JSON.parse(await kubectl(["get", "application", appApplicationName(env), "-n", namespaces.argocd, "-o", "json"])) as Obj;
        const parameters = (app.spec?.source?.helm?.parameters ?? []) as Array<{ name: string; value: string }>;
        return parameters.find((p) => p.name === "image.tag")?.value;
    }
    async function layersOf(tag: string): Promise<string[]> {
        const response = await fetch(`${registryMirrorEndpoint()}/v2/${appName}/manifests/${tag}`, {
            headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json", ...registryAuthHeaders(registryLogin()) },
            signal: AbortSignal.timeout(30_000),
        });
        if (!response.ok) throw new Error(`registry: manifest ${appName}:${tag}: HTTP ${response.status}`);
        return ((await response.json()) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest);
    }

    function expectSteps(status: WorkflowStatus, expected: Record<string, string>): void {
        const actual = Object.fromEntries(Object.keys(expected).map((step) => [step, phaseOf(status, step)]));
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(`steps of ${status.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}:\n${describeWorkflow(status)}`);
        }
    }

    const trainAndFollow = (scenario: string, seed: number) => followTrainModel(workflows, { scenario, seed }, pipelineTimeout);
    it("takes a good model to canary: trained and evaluated, registered, built, deployed to staging, gated, promoted", async () => {
        const submitted = Date.now();
        const run = await trainAndFollow("normal", seeds.passing);
        requirePhase(run.testStaging, "Succeeded", run.train, run.build);
        const version = run.version!;
        expect(version).toMatch(/^[0-9]+$/);
        expectSteps(run.build!, { "prepare-context": "Succeeded", "build-image": "Succeeded" });
        expectSteps(run.testStaging, {
            [steps.rollOut]: "Succeeded",
            [steps.resources]: "Succeeded",
            [steps.integration]: "Succeeded",
            [steps.load]: "Succeeded",
            [steps.markGood]: "Succeeded",
            [steps.promote]: "Succeeded",
        });
        for (const revert of [steps.revertRollOut, steps.revertResources, steps.revertIntegration, steps.revertLoad]) {
            expect(phaseOf(run.testStaging, revert), revert).not.toBe("Succeeded");
        }
        expect(await servedVersion("canary")).toBe(version);
        const canarySince = Date.now();
        expect(await servedVersion("staging")).toBe(version);
        expect(await aliasVersion("canary")).toBe(version);
        expect(await aliasVersion("staging")).toBe(version);
        expect(await applicationTag("staging")).toBe(appImageTag("staging", version));
        expect(await applicationTag("canary")).toBe(appImageTag("canary", version));
        lastGood = version;

        const timings = [
            ["train", node(run.train, "train")],
            ["prepare-context", node(run.build!, "prepare-context")],
            ["build-image", node(run.build!, "build-image")],
            ...[steps.rollOut, steps.resources, steps.integration, steps.load, steps.markGood, steps.promote].map((s) => [s, node(run.testStaging!, s)] as const),
        ] as const;
        console.log(
            `pipeline timing, normal, v${version}: submit to canary serving it ${Math.round((canarySince - submitted) / 1000)} s; ` +
                timings.map(([step, n]) => `${step} ${secondsOf(n)} s`).join(", "),
        );
    }, pipelineTimeout * 3);

    it("registers nothing and builds nothing when the evaluation fails", async () => {
        const before = await latestVersion();
        const builds = await workflows.ofTemplate(workflowTemplates.buildContainerImage);
        const run = await trainAndFollow("normal", seeds.failing);
        expect(phaseOf(run.train, "train")).toBe("Succeeded");
        expect(outputOf(node(run.train, "train"), "model-version") ?? "").toBe("");
        expect(phaseOf(run.train, "build-container-image")).toBe("Skipped");
        expect(await latestVersion()).toBe(before);
        expect(await workflows.ofTemplate(workflowTemplates.buildContainerImage)).toEqual(builds);
    }, pipelineTimeout);

    it("catches a model that breaks the app at the integration gate and puts staging back on the last good version", async () => {
        expect(lastGood, "needs the good model of the first test").not.toBe("");
        const run = await trainAndFollow("bad-architecture", seeds.passing);
        requirePhase(run.testStaging, "Succeeded", run.train, run.build);
        expectSteps(run.testStaging, {
            [steps.rollOut]: "Succeeded",
            [steps.resources]: "Succeeded",
            [steps.integration]: "Failed",
            [steps.load]: "Skipped",
            [steps.markGood]: "Skipped",
            [steps.revertIntegration]: "Succeeded",
            [steps.promote]: "Skipped",
        });
        rejected = run.version!;
        const tags = await versionTags(rejected);
        // The revert's reason: the failing gate and its whole report, whose own reason says what to check.
        expect(tags["reverted-from-staging"]).toMatch(new RegExp(`^model version ${rejected} failed staging: integration gate Failed: `));
        expect(tags["reverted-from-staging"]).toMatch(/check the model's architecture against the app/);
        await expectServedSoon("staging", lastGood);
        expect(await applicationTag("staging")).toBe(appImageTag("staging", lastGood));
        expect(await servedVersion("canary")).toBe(lastGood);
        expect(await aliasVersion("canary")).toBe(lastGood);

        // Only the layer with the model changed: the app's heavy layers came from the build cache.
        const [good, bad] = [await layersOf(appImageTag("staging", lastGood)), await layersOf(appImageTag("staging", run.version!))];
        expect(bad.slice(0, -1)).toEqual(good.slice(0, -1));
        expect(bad.at(-1)).not.toBe(good.at(-1));
    }, pipelineTimeout * 3);

    it("catches a model too big for staging: OOMKilled, the resource gate says so, staging is reverted", async () => {
        const run = await trainAndFollow("oversized", seeds.passing);
        requirePhase(run.testStaging, "Succeeded", run.train, run.build);
        expectSteps(run.testStaging, {
            [steps.rollOut]: "Succeeded",
            [steps.resources]: "Failed",
            [steps.integration]: "Skipped",
            [steps.load]: "Skipped",
            [steps.revertResources]: "Succeeded",
            [steps.promote]: "Skipped",
        });
        expect(outputOf(node(run.testStaging, steps.resources), "report")).toMatch(/OOMKilled/);
        const tags = await versionTags(run.version!);
        expect(tags["reverted-from-staging"]).toMatch(new RegExp(`^model version ${run.version} failed staging: resource gate Failed: .*OOMKilled`, "s"));
        await expectServedSoon("staging", lastGood);
        expect(await servedVersion("canary")).toBe(lastGood);
    }, pipelineTimeout * 3);

    it("refuses canary to production when canary's live traffic cannot be read, and says how to promote anyway", async () => {
        const before = await servedVersion("production");
        const status = await workflows.wait(
            await workflows.submit(workflowTemplates.promoteModel, { "source-environment": "canary", "target-environment": "production", "model-version": lastGood }),
            pipelineTimeout,
        );
        expect(status.phase, describeWorkflow(status)).toBe("Failed");
        expect(phaseOf(status, canaryCheckStepNames.integration)).toBe("Succeeded");
        const report = outputOf(node(status, canaryCheckStepNames.traffic), "report") ?? "";
        expect(report).toMatch(/could not read canary's traffic from Traefik/);
        expect(report).toMatch(/To promote anyway, give override-by and override-reason/);
        expect(await servedVersion("production")).toBe(before);
    }, pipelineTimeout);

    it("promotes canary to production by hand, and finishes the job when the workflow controller is killed in the middle", async () => {
        const name = await promoteToProduction(lastGood);
        // The controller goes as soon as it has created the first step's pod: the steps take
        // seconds each, too short to catch one Running by polling.
        await waitFor("the promotion's first pod", async () => (await workflows.status(name)).nodes.some((n) => n.type === "Pod"), minutes(5));
        await kubectl(["delete", "pod", "-n", namespaces.argo, "-l", "app=workflow-controller", "--grace-period=0", "--force", "--wait=true"]);
        expect((await workflows.status(name)).phase, "the promotion had finished before the controller was killed").toBe("Running");
        let status = await workflows.wait(name, pipelineTimeout);
        if (status.phase !== "Succeeded") {
            console.log(`promotion after the controller was killed: ${describeWorkflow(status)}\nsubmitting it again`);
            status = await workflows.wait(
                await promoteToProduction(lastGood),
                pipelineTimeout,
            );
        }
        requirePhase(status, "Succeeded");
        expect(await servedVersion("production")).toBe(lastGood);
        expect(await aliasVersion("production")).toBe(lastGood);
        expect(await applicationTag("production")).toBe(appImageTag("production", lastGood));
        const tags = await versionTags(lastGood);
        expect(tags[overrideTags.by]).toBe(productionOverride.by);
        expect(tags[overrideTags.reason]).toBe(productionOverride.reason);
    }, pipelineTimeout * 2);

    it("runs two promotions of one environment one after the other", async () => {
        const promote = () =>
            promoteToProduction(lastGood);
        const [first, second] = await Promise.all([promote(), promote()]);
        const [a, b] = [await workflows.wait(first, pipelineTimeout), await workflows.wait(second, pipelineTimeout)];
        requirePhase(a, "Succeeded", b);
        requirePhase(b, "Succeeded", a);
        const span = (status: WorkflowStatus) => {
            const pods = status.nodes.filter((n) => n.type === "Pod" && n.startedAt && n.finishedAt);
            return [Math.min(...pods.map((n) => Date.parse(n.startedAt!))), Math.max(...pods.map((n) => Date.parse(n.finishedAt!)))];
        };
        const [[aStart, aEnd], [bStart, bEnd]] = [span(a), span(b)];
        // Production's lock: the steps of one ran entirely before the other's began.
        expect(aEnd <= bStart || bEnd <= aStart, `${describeWorkflow(a)}\n${describeWorkflow(b)}`).toBe(true);
    }, pipelineTimeout * 2);

    it("restores staging when MLflow is down during a revert, fails naming what is left, and a rerun records it", async () => {
        // Staging on a rejected version again, as a gate leaves it before its revert.
        expect(rejected, "needs the rejected model of the integration test").not.toBe("");
        requirePhase(await workflows.wait(await workflows.submit(workflowTemplates.deployContainerImage, { environment: "staging", version: rejected }), pipelineTimeout), "Succeeded");
        expect(await servedVersion("staging")).toBe(rejected);
        const replicas = (await kubectl(["get", "deployment", "mlflow", "-n", namespaces.platform, "-o", "jsonpath={.spec.replicas}"])).trim();
        await kubectl(["scale", "deployment", "mlflow", "-n", namespaces.platform, "--replicas=0"]);
        await kubectl(["wait", "--for=delete", "pod", "-n", namespaces.platform, "-l", "app=mlflow", "--timeout=180s"]);
        const reason = "fault test: MLflow down during the revert";
        let status: WorkflowStatus;
        try {
            status = await workflows.wait(await workflows.submit(workflowTemplates.revertStaging, { "model-version": rejected, reason }), pipelineTimeout);
            await expectServedSoon("staging", lastGood);
        } finally {
            await kubectl(["scale", "deployment", "mlflow", "-n", namespaces.platform, `--replicas=${replicas}`]);
            await kubectl(["rollout", "status", "deployment/mlflow", "-n", namespaces.platform, "--timeout=600s"]);
        }
        expect(status.phase, describeWorkflow(status)).not.toBe("Succeeded");
        expect(describeWorkflow(status)).toMatch(/MLflow/);
        requirePhase(await workflows.wait(await workflows.submit(workflowTemplates.revertStaging, { "model-version": rejected, reason }), pipelineTimeout), "Succeeded");
        const tags = await versionTags(rejected);
        expect(tags["reverted-from-staging"]).toBe(`model version ${rejected} failed staging: ${reason}`);
        await expectServedSoon("staging", lastGood);
    }, pipelineTimeout * 3);

    it("refuses to promote an image whose tag was pushed again after it was tested", async () => {
        const tag = appImageTag("canary", lastGood);
        const tested = await layersOf(tag);
        await runOk("skopeo", [
            "copy", "--quiet", "--dest-tls-verify=false", ...skopeoDestCreds(registryLogin()),
            `docker-archive:${(JSON.parse(fs.readFileSync(tools.imagesFile, "utf8")) as Record<string, { archive: string }>)["app-base"].archive}`,
            `docker://${new URL(registryMirrorEndpoint()).host}/${appName}:${tag}`,
        ], { timeoutMs: 600_000 });
        expect(await layersOf(tag)).not.toEqual(tested);
        const status = await workflows.wait(
            await promoteToProduction(lastGood),
            pipelineTimeout,
        );
        expect(status.phase, describeWorkflow(status)).toBe("Failed");
        expect(describeWorkflow(status)).toMatch(/the tag was pushed again after testing, so it is not promoted/);
        expect(await servedVersion("production")).toBe(lastGood);
    }, pipelineTimeout);

    it("starts a training run from the CronWorkflow on its schedule", async () => {
        const cron = workflowTemplates.trainModelCron;
        const fromCron = async () => (await workflows.list()).filter((w) => w.labels["workflows.argoproj.io/cron-workflow"] === cron);
        const spec = (JSON.parse(await kubectl(["get", "cronworkflow", cron, "-n", namespaces.workflows, "-o", "json"])) as Obj).spec as Obj;
        const setSchedules = (schedules: string[]) =>
            kubectl(["patch", "cronworkflow", cron, "-n", namespaces.workflows, "--type=merge", "-p", JSON.stringify({ spec: { schedules } })]);
        await setSchedules(["* * * * *"]);
        try {
            const deadline = Date.now() + minutes(3);
            let started = await fromCron();
            while (started.length === 0 && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 10_000));
                started = await fromCron();
            }
            expect(started.length, "the CronWorkflow started no workflow within 3 minutes").toBeGreaterThan(0);
            expect(started[0].template).toBe(workflowTemplates.trainModel);
            expect(started[0].parameters.scenario).toBe(spec.workflowSpec.arguments.parameters.find((p: Obj) => p.name === "scenario").value);
        } finally {
            await setSchedules(spec.schedules as string[]);
            // The run it started is not this test's subject: stopped, so it trains and builds nothing.
            for (const w of await fromCron()) await kubectl(["delete", "workflow", w.name, "-n", namespaces.workflows, "--wait=true"]);
        }
    }, minutes(6));
}
