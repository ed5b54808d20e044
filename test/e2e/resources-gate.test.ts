/**
 * The resources gate and the Argo CD image-tag patch against a real kube-apiserver (the e2e
 * toolchain's etcd + kube-apiserver, no kubelet, no controllers, no metrics-server).
 *
 * Objects are written the way their owners would write them: the Deployment, ReplicaSet and
 * Pods as the chart renders them, their `status` through the status subresource exactly as the
 * deployment controller and a kubelet report it. The gate runs as the workflow step runs it: the
 * CLI in a subprocess, reading $KUBECONFIG, with a report file. The RBAC cases use real
 * ServiceAccount tokens (TokenRequest API) and the Roles the pipeline grants its runners
 * (pipeline/rbac/policies.ts), bound the way pipeline/component.ts binds them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { appApplication } from "../../infra/apps/application";
import {
    appApplicationName,
    appImage,
    appImageTag,
    appPodLabels,
    appPodSelector,
    defaultAppResources,
    namespaces,
    workflowTemplates,
} from "../../vocabulary/names";
import { gateCommandLine } from "../../pipeline/gates/contract";
import { KubeApiError, KubeClient } from "../../pipeline/gates/kube/client";
import { kubeconfigTarget } from "../../pipeline/gates/kube/config";
import { fieldManager, imageTagPatch, readApplication, setApplicationImageTag } from "../../pipeline/gates/release/argocd";
import { runnerRules } from "../../pipeline/rbac/policies";
import { runnerServiceAccountName } from "../../pipeline/templates/common";
import { runCli, type CliRun } from "../gates/cli-runner";
import { parseCpuMillicores, parseMemoryBytes } from "../../vocabulary/quantities";
import { startAppServer, type AppServer } from "../support/app-server";
import { startLocalCluster, type LocalCluster } from "./harness/cluster";
import { installCrds } from "./harness/crds";
import { waitUntil } from "./harness/process";
import { describeWithToolchain } from "./harness/suite";

type Obj = Record<string, any>;

const ns = namespaces.staging;
const env = "staging" as const;
const appName = appApplicationName(env);
const selector = appPodSelector();
/** The labels the chart (infra/apps/chart/templates/_helpers.tpl) puts on the Deployment and its pods. */
const chartLabels = { app: appName, ...appPodLabels, "app.kubernetes.io/instance": appName, "gourmetgram.io/environment": env };
const podTemplateHash = "6d4cf56db6";
const startedAt = "2026-01-01T12:00:00Z";

describeWithToolchain("resources gate and Argo CD patch on a real kube-apiserver", [], (tools) => {
    let cluster: LocalCluster;
    let dir: string;
    let admin: KubeClient;

    const kubectl = async (args: string[], input?: string): Promise<string> => {
        const result = await cluster.kubectl(args, { input });
        if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
        return result.stdout;
    };
    const create = async (object: Obj): Promise<Obj> => JSON.parse(await kubectl(["create", "-o", "json", "-f", "-"], JSON.stringify(object)));
    /** What a controller or kubelet does: a merge patch of `status` through the status subresource. */
    const setStatus = (resource: string, name: string, status: Obj) =>
        kubectl(["patch", resource, name, "-n", ns, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);

    /** Runs the CLI as the test-staging step does, against this cluster. */
    const gate = (kubeconfig: string, waitS = 2): Promise<CliRun> =>
        runCli(
            [...gateCommandLine("resources", { namespace: ns, selector, waitS, pollMs: 250 })],
            { KUBECONFIG: kubeconfig, KUBERNETES_SERVICE_HOST: "" },
        );

    beforeAll(async () => {
        cluster = await startLocalCluster(tools);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-resources-gate-"));
        await installCrds(cluster, [tools.argoCdCrds]);
        for (const name of [ns, namespaces.workflows, namespaces.argocd]) {
            await create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        // The service account controller does not run; pod admission needs the namespace's default account.
        await create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: ns } });
        admin = new KubeClient(kubeconfigTarget(cluster.kubeconfig));
    }, 400_000);

    afterAll(async () => {
        await admin?.close();
        await cluster?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    // ----- the app's objects -------------------------------------------------------------

    function podSpec(image: string) {
        return {
            containers: [{ name: "app", image, ports: [{ name: "http", containerPort: 8000 }], resources: defaultAppResources }],
        };
    }

    /** Removes every object of the app; nothing else would (no garbage collector, no kubelet). */
    async function removeApp(): Promise<void> {
        await kubectl(["delete", "deployments,replicasets,pods", "-n", ns, "-l", selector, "--grace-period=0", "--force", "--wait=true"]);
        const left = JSON.parse(await kubectl(["get", "deployments,replicasets,pods", "-n", ns, "-l", selector, "-o", "json"]));
        expect(left.items).toEqual([]);
    }

    const runningStatus = (image: string): Obj => ({
        phase: "Running",
        hostIP: "127.0.0.1",
        startTime: startedAt,
        conditions: [
            { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: startedAt },
            { type: "Initialized", status: "True", lastTransitionTime: startedAt },
            { type: "Ready", status: "True", lastTransitionTime: startedAt },
            { type: "ContainersReady", status: "True", lastTransitionTime: startedAt },
            { type: "PodScheduled", status: "True", lastTransitionTime: startedAt },
        ],
        containerStatuses: [
            { name: "app", image, imageID: "", ready: true, started: true, restartCount: 0, state: { running: { startedAt } } },
        ],
    });

    /**
     * A Deployment, its ReplicaSet and `replicas` Pods as the chart and the controllers leave
     * them: the Deployment's status says `updated` of `replicas` are on the new template, every
     * pod is bound to a node and reported Running and Ready by its kubelet.
     */
    async function createRollout(opts: { replicas?: number; updated?: number; version?: number } = {}): Promise<string[]> {
        const replicas = opts.replicas ?? 1;
        const updated = opts.updated ?? replicas;
        const image = appImage(env, opts.version ?? 7);
        const deployment = await create({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: appName, namespace: ns, labels: chartLabels },
            spec: {
                replicas,
                selector: { matchLabels: { app: appName } },
                template: { metadata: { labels: chartLabels }, spec: podSpec(image) },
            },
        });
        const complete = updated >= replicas;
        await setStatus("deployment", appName, {
            observedGeneration: deployment.metadata.generation,
            replicas,
            updatedReplicas: updated,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
                { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastUpdateTime: startedAt, lastTransitionTime: startedAt },
                complete
                    ? { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${appName}-${podTemplateHash}" has successfully progressed.`, lastUpdateTime: startedAt, lastTransitionTime: startedAt }
                    : { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${appName}-${podTemplateHash}" is progressing.`, lastUpdateTime: startedAt, lastTransitionTime: startedAt },
            ],
        });
        const rsName = `${appName}-${podTemplateHash}`;
        const rsLabels = { ...chartLabels, "pod-template-hash": podTemplateHash };
        const owner = (o: Obj) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }];
        const rs = await create({
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            metadata: { name: rsName, namespace: ns, labels: rsLabels, ownerReferences: owner(deployment) },
            spec: {
                replicas: updated,
                selector: { matchLabels: { app: appName, "pod-template-hash": podTemplateHash } },
                template: { metadata: { labels: rsLabels }, spec: podSpec(image) },
            },
        });
        await setStatus("replicaset", rsName, { observedGeneration: rs.metadata.generation, replicas: updated, fullyLabeledReplicas: updated, readyReplicas: updated, availableReplicas: updated });
        const pods: string[] = [];
        for (let i = 0; i < replicas; i++) {
            const name = `${rsName}-p${i}`;
            await create({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name, namespace: ns, labels: rsLabels, ownerReferences: owner(rs) },
                spec: { ...podSpec(image), nodeName: "e2e-node" },
            });
            await setStatus("pod", name, runningStatus(image));
            pods.push(name);
        }
        return pods;
    }

    // ----- resources gate ----------------------------------------------------------------

    describe("resources gate", () => {
        it("fails closed on a healthy rollout because metrics.k8s.io is not served", async () => {
            await removeApp();
            const pods = await createRollout({ replicas: 2 });
            const run = await gate(cluster.kubeconfig);
            expect(run.code, run.stderr).toBe(1);
            expect(run.stdout).toBe("");
            const r = run.report!;
            expect(r.verdict).toBe("fail");
            // Everything else is settled: metrics are the only thing the gate waited for.
            expect(r.reason).toMatch(/^not settled after [\d.]+ s: metrics unavailable \(metrics\.k8s\.io answered HTTP 404\): memory and CPU usage cannot be checked$/);
            expect(r.metrics.metricsAvailable).toBe(false);
            expect(r.metrics.polls).toBeGreaterThan(1);
            expect(r.metrics.deployments).toEqual([{ name: appName, replicas: 2, updated: 2, available: 2, generation: 1, observedGeneration: 1 }]);
            expect(r.metrics.pods.map((p: Obj) => p.name).sort()).toEqual(pods);
            expect(r.metrics.pods.every((p: Obj) => p.phase === "Running" && p.ready && p.restarts === 0)).toBe(true);
            const limits = [parseMemoryBytes(defaultAppResources.limits.memory), parseCpuMillicores(defaultAppResources.limits.cpu)! / 1000];
            expect(r.metrics.usage.map((u: Obj) => [u.memoryLimitBytes, u.cpuLimitCores])).toEqual([limits, limits]);
            expect(run.stderr).toMatch(/gate resources: FAIL: not settled/);
        }, 60_000);

        it("fails at once on a container its kubelet reports OOMKilled", async () => {
            await removeApp();
            const [pod] = await createRollout();
            await setStatus("pod", pod, {
                containerStatuses: [{
                    name: "app", image: appImage(env, 7), imageID: "", ready: true, started: true, restartCount: 1,
                    state: { running: { startedAt: "2026-01-01T12:01:00Z" } },
                    lastState: { terminated: { reason: "OOMKilled", exitCode: 137, startedAt, finishedAt: "2026-01-01T12:00:55Z" } },
                }],
            });
            const run = await gate(cluster.kubeconfig, 30);
            expect(run.code, run.stderr).toBe(1);
            expect(run.report!.reason).toBe(`container app in pod ${pod} was OOMKilled: the model does not fit in the memory limit`);
            expect(run.report!.metrics.polls).toBe(1);
            expect(run.report!.metrics.problems).toContain(`container app in pod ${pod} restarted 1 time(s) since the rollout (last exit: OOMKilled)`);
        }, 60_000);

        it("fails at once on CrashLoopBackOff with restarts", async () => {
            await removeApp();
            const [pod] = await createRollout();
            await setStatus("pod", pod, {
                conditions: [
                    { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: startedAt },
                    { type: "ContainersReady", status: "False", reason: "ContainersNotReady", lastTransitionTime: startedAt },
                    { type: "PodScheduled", status: "True", lastTransitionTime: startedAt },
                ],
                containerStatuses: [{
                    name: "app", image: appImage(env, 7), imageID: "", ready: false, started: false, restartCount: 4,
                    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 1m20s restarting failed container=app" } },
                    lastState: { terminated: { reason: "Error", exitCode: 1, startedAt, finishedAt: "2026-01-01T12:00:03Z" } },
                }],
            });
            const run = await gate(cluster.kubeconfig, 30);
            expect(run.code, run.stderr).toBe(1);
            expect(run.report!.reason).toBe(`container app in pod ${pod} is in CrashLoopBackOff: back-off 1m20s restarting failed container=app`);
            expect(run.report!.metrics.polls).toBe(1);
            expect(run.report!.metrics.pods).toEqual([{ name: pod, phase: "Running", ready: false, restarts: 4 }]);
        }, 60_000);

        it("fails at once on a pod the scheduler reports Unschedulable", async () => {
            await removeApp();
            const [running] = await createRollout();
            const pending = `${appName}-${podTemplateHash}-unscheduled`;
            await create({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: pending, namespace: ns, labels: { ...chartLabels, "pod-template-hash": podTemplateHash } },
                spec: podSpec(appImage(env, 7)),
            });
            const message = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
            await setStatus("pod", pending, {
                phase: "Pending",
                conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: startedAt }],
            });
            const run = await gate(cluster.kubeconfig, 30);
            expect(run.code, run.stderr).toBe(1);
            expect(run.report!.reason).toBe(`pod ${pending} is Unschedulable: ${message}`);
            expect(run.report!.metrics.polls).toBe(1);
            expect(run.report!.metrics.pods.map((p: Obj) => [p.name, p.phase])).toEqual(
                expect.arrayContaining([[running, "Running"], [pending, "Pending"]]),
            );
        }, 60_000);

        it("fails when the rollout does not complete before --wait-s runs out", async () => {
            await removeApp();
            await createRollout({ replicas: 2, updated: 1 });
            const started = Date.now();
            const run = await gate(cluster.kubeconfig, 1.5);
            expect(run.code, run.stderr).toBe(1);
            expect(run.report!.reason).toMatch(new RegExp(`^not settled after [\\d.]+ s: deployment ${appName}: rollout in progress, 1 of 2 replicas updated; metrics unavailable`));
            expect(run.report!.metrics.waitedS).toBeGreaterThanOrEqual(1);
            expect(run.report!.metrics.polls).toBeGreaterThan(1);
            // Bounded by --wait-s (plus the CLI's start-up), not by anything the cluster does.
            expect(Date.now() - started).toBeLessThan(30_000);
        }, 60_000);
    });

    // ----- load gate: the pods across the load ----------------------------------------------

    describe("load gate with --namespace/--selector", () => {
        let app: AppServer;
        beforeAll(async () => {
            app = await startAppServer({ baseDelayMs: 500 });
        });
        afterAll(async () => {
            await app?.close();
        });

        const load = () =>
            runCli(
                [...gateCommandLine("load", { url: `${app.url}/test`, requests: 100, concurrency: 10, namespace: ns, selector })],
                { KUBECONFIG: cluster.kubeconfig, KUBERNETES_SERVICE_HOST: "" },
            );

        it("passes when no container restarted during the load", async () => {
            await removeApp();
            const [pod] = await createRollout();
            const run = await load();
            expect(run.code, run.stderr).toBe(0);
            expect(run.report!.metrics.pods.after).toEqual([{ pod, container: "app", restarts: 0, memoryLimit: defaultAppResources.limits.memory }]);
        }, 60_000);

        it("fails by name when the kubelet reports the container OOMKilled and restarted during the load", async () => {
            await removeApp();
            const [pod] = await createRollout();
            const before = app.hits["/test"] ?? 0;
            const running = load();
            // Once the load is under way, the kubelet's report of the OOM kill and the restart.
            await waitUntil("the load gate's first request", async () => (app.hits["/test"] ?? 0) > before, { timeoutMs: 30_000 });
            await setStatus("pod", pod, {
                containerStatuses: [{
                    name: "app", image: appImage(env, 7), imageID: "", ready: true, started: true, restartCount: 1,
                    state: { running: { startedAt: "2026-01-01T12:01:00Z" } },
                    lastState: { terminated: { reason: "OOMKilled", exitCode: 137, startedAt, finishedAt: "2026-01-01T12:00:55Z" } },
                }],
            });
            const run = await running;
            expect(run.code, run.stderr).toBe(1);
            expect(run.report!.metrics.successRate).toBe(1);
            expect(run.report!.reason).toMatch(
                new RegExp(`^OOMKilled under load at concurrency 10: limit ${defaultAppResources.limits.memory} \\(container app in pod ${pod} restarted 1 time\\(s\\) during the load\\)`),
            );
            expect(run.report!.reason).toMatch(/\(the load figures alone passed: success rate 100%/);
        }, 60_000);
    });

    // ----- RBAC: real tokens, the pipeline's Roles ----------------------------------------

    /** A ServiceAccount in the workflows namespace, as pipeline/component.ts creates one per template runner. */
    async function runnerAccount(template: string): Promise<string> {
        const name = runnerServiceAccountName(template);
        await create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: namespaces.workflows } });
        return name;
    }

    /** The Roles and RoleBindings pipeline/component.ts gives a template's runner, one per namespace. */
    async function bindRunnerRoles(template: string): Promise<void> {
        const name = runnerServiceAccountName(template);
        for (const [namespace, rules] of Object.entries(runnerRules(template))) {
            await create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules });
            await create({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { name, namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
                subjects: [{ kind: "ServiceAccount", name, namespace: namespaces.workflows }],
            });
        }
    }

    /** A kubeconfig that authenticates with a token the TokenRequest API issued for the account. */
    async function tokenKubeconfig(account: string): Promise<string> {
        const token = (await kubectl(["create", "token", account, "-n", namespaces.workflows, "--duration=10m"])).trim();
        expect(token.split(".")).toHaveLength(3);
        const adminConfig = parse(fs.readFileSync(cluster.kubeconfig, "utf8"));
        const file = path.join(dir, `${account}.kubeconfig`);
        fs.writeFileSync(
            file,
            stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: adminConfig.clusters,
                users: [{ name: account, user: { token } }],
                contexts: [{ name: account, context: { cluster: adminConfig.clusters[0].name, user: account } }],
                "current-context": account,
            }),
            { mode: 0o600 },
        );
        return file;
    }

    /**
     * RBAC is served from an informer cache: wait until the authorizer sees a new binding. Asked
     * with a SubjectAccessReview, which (unlike `kubectl auth can-i`) needs no discovery, so it
     * also answers for metrics.k8s.io, which this server does not serve.
     */
    async function untilAllowed(account: string, verb: string, group: string, resource: string, namespace: string, name?: string): Promise<void> {
        const user = `system:serviceaccount:${namespaces.workflows}:${account}`;
        const review = {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: { user, groups: ["system:serviceaccounts", "system:authenticated"], resourceAttributes: { namespace, verb, group, resource, name } },
        };
        await waitUntil(`${user} may ${verb} ${resource}.${group} in ${namespace}`, async () => (await create(review)).status?.allowed === true, {
            timeoutMs: 15_000,
        });
    }

    describe("resources gate as the test-staging runner", () => {
        it("without permissions fails naming what it needs; with the pipeline's Role it reaches the metrics check", async () => {
            await removeApp();
            await createRollout();
            const account = await runnerAccount(workflowTemplates.testStaging);
            const kubeconfig = await tokenKubeconfig(account);

            const denied = await gate(kubeconfig);
            expect(denied.code, denied.stderr).toBe(1);
            const user = `system:serviceaccount:${namespaces.workflows}:${account}`;
            expect(denied.report!.reason).toMatch(new RegExp(`^gate could not decide: Kubernetes API /.* answered HTTP 403: .*User "${user}" cannot list resource "(deployments|pods)" .*in the namespace "${ns}"`));
            expect(denied.report!.reason).toMatch(/\(the gate's service account needs get\/list on deployments, pods and pods\.metrics\.k8s\.io in gourmetgram-staging\)$/);

            await bindRunnerRoles(workflowTemplates.testStaging);
            for (const [group, resource] of [["apps", "deployments"], ["", "pods"], ["metrics.k8s.io", "pods"]]) {
                await untilAllowed(account, "list", group, resource, ns);
            }

            const allowed = await gate(kubeconfig);
            expect(allowed.code, allowed.stderr).toBe(1);
            expect(allowed.report!.reason).toMatch(/^not settled after [\d.]+ s: metrics unavailable \(metrics\.k8s\.io answered HTTP 404\)/);
            expect(allowed.report!.metrics.pods).toHaveLength(1);
            expect(allowed.report!.metrics.deployments).toHaveLength(1);
        }, 90_000);
    });

    // ----- Argo CD Application image tag --------------------------------------------------

    describe("Argo CD Application image tag", () => {
        const argocd = namespaces.argocd;
        const chartSource = { repoUrl: "https://git.example.org/gourmetgram/gourmetgram-mlops.git", revision: "main" };
        const getApp = async (name = appName): Promise<Obj> => JSON.parse(await kubectl(["get", "applications.argoproj.io", name, "-n", argocd, "-o", "json", "--show-managed-fields"]));
        const tagsOf = (app: Obj) => ({
            parameters: app.spec.source.helm.parameters,
            valuesTag: app.spec.source.helm.valuesObject.image.tag,
        });

        beforeAll(async () => {
            // As Pulumi creates them: server-side apply of infra/apps/application.ts's object.
            for (const environment of ["staging", "canary"] as const) {
                const application = appApplication({ environment, chartSource, resources: defaultAppResources });
                await kubectl(["apply", "--server-side", "--field-manager=pulumi-kubernetes", "-f", "-"], JSON.stringify(application));
            }
        });

        it("sets helm.parameters image.tag and valuesObject.image.tag, and a second identical patch changes nothing", async () => {
            const before = await getApp();
            expect(before.spec.source.helm.parameters).toEqual([{ name: "image.tag", value: appImageTag(env, 0) }]);
            const tag = appImageTag(env, 7);

            expect(await setApplicationImageTag(admin, argocd, appName, tag)).toBe(true);
            const after = await getApp();
            expect(tagsOf(after)).toEqual({ parameters: [{ name: "image.tag", value: tag }], valuesTag: tag });
            // The rest of the Application is untouched.
            expect(after.spec.source.helm.valuesObject.image.repository).toBe(before.spec.source.helm.valuesObject.image.repository);
            expect(after.spec.source.helm.valuesObject.resources).toEqual(before.spec.source.helm.valuesObject.resources);
            expect(after.spec.destination).toEqual(before.spec.destination);
            expect(after.metadata.managedFields.map((f: Obj) => f.manager)).toContain(fieldManager);

            expect(await setApplicationImageTag(admin, argocd, appName, tag)).toBe(false);
            const again = await getApp();
            expect(again.metadata.resourceVersion).toBe(after.metadata.resourceVersion);
            expect(tagsOf(again)).toEqual(tagsOf(after));
        });

        it("the API server refuses a patch computed from a stale read (409), which the retry relies on", async () => {
            const stale = await readApplication(admin, argocd, appName);
            expect(await setApplicationImageTag(admin, argocd, appName, appImageTag(env, 8))).toBe(true);
            const path = `/apis/argoproj.io/v1alpha1/namespaces/${argocd}/applications/${appName}`;
            const conflict = await admin.patch(path, imageTagPatch(stale, appImageTag(env, 9)), "merge").then(
                () => undefined,
                (err: unknown) => err,
            );
            expect(conflict).toBeInstanceOf(KubeApiError);
            expect((conflict as KubeApiError).status).toBe(409);
            expect(tagsOf(await getApp()).valuesTag).toBe(appImageTag(env, 8));
        });

        it.each([
            [workflowTemplates.deployContainerImage, 21],
            [workflowTemplates.promoteModel, 22],
            [workflowTemplates.revertStaging, 23],
        ])(
            "the %s runner, with the Role the pipeline grants, moves the tag",
            async (template, version) => {
                const account = await runnerAccount(template);
                await bindRunnerRoles(template);
                await untilAllowed(account, "patch", "argoproj.io", "applications", argocd, appName);
                const kube = new KubeClient(kubeconfigTarget(await tokenKubeconfig(account)));
                try {
                    const tag = appImageTag(env, version);
                    expect(await setApplicationImageTag(kube, argocd, appName, tag)).toBe(true);
                    expect(tagsOf(await getApp())).toEqual({ parameters: [{ name: "image.tag", value: tag }], valuesTag: tag });
                    expect(await setApplicationImageTag(kube, argocd, appName, tag)).toBe(false);
                } finally {
                    await kube.close();
                }
            },
            60_000,
        );

        it("a runner without the Role is refused with the permission it lacks, and nothing changes", async () => {
            const account = await runnerAccount(workflowTemplates.trainModel);
            await bindRunnerRoles(workflowTemplates.trainModel);
            const kube = new KubeClient(kubeconfigTarget(await tokenKubeconfig(account)));
            const before = await getApp();
            try {
                await expect(setApplicationImageTag(kube, argocd, appName, appImageTag(env, 99))).rejects.toThrow(
                    new RegExp(`HTTP 403: applications.argoproj.io "${appName}" is forbidden: User "system:serviceaccount:${namespaces.workflows}:${account}" cannot get resource "applications" in API group "argoproj.io" in the namespace "${argocd}"`),
                );
            } finally {
                await kube.close();
            }
            expect((await getApp()).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
        }, 60_000);

        it("the revert-staging runner may not touch another environment's Application", async () => {
            // Its account and Role were created by the revert-staging case above.
            const account = runnerServiceAccountName(workflowTemplates.revertStaging);
            const kube = new KubeClient(kubeconfigTarget(await tokenKubeconfig(account)));
            const canary = appApplicationName("canary");
            try {
                await expect(setApplicationImageTag(kube, argocd, canary, appImageTag("canary", 7))).rejects.toThrow(
                    new RegExp(`HTTP 403: applications.argoproj.io "${canary}" is forbidden: .* cannot get resource "applications"`),
                );
            } finally {
                await kube.close();
            }
            expect(tagsOf(await getApp(canary)).parameters).toEqual([{ name: "image.tag", value: appImageTag("canary", 0) }]);
        }, 60_000);
    });
});
