import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { evaluateResources, MetricsInput } from "../../pipeline/gates/resources/evaluate";
import { parseQuantity } from "../../vocabulary/quantities";
import { parseResourcesArgs, runResources } from "../../pipeline/gates/resources/command";
import { KubeClient } from "../../pipeline/gates/kube/client";
import { inClusterTarget, kubeconfigTarget, resolveKubeTarget } from "../../pipeline/gates/kube/config";
import { container, deployment, ns, pod, podMetrics, selector } from "../support/kube-fixtures";
import { KubeReplay, startKubeReplay } from "../support/kube-replay-server";
import { runCli } from "./cli-runner";

const t = { maxMemoryRatio: 0.9, maxCpuRatio: 0.9 };
const metrics = (...pods: any[]): MetricsInput => ({ available: true, pods });
const evaluate = (deployments: any[], pods: any[], m: MetricsInput = metrics(podMetrics())) => evaluateResources({ deployments, pods, metrics: m }, t);

describe("quantities", () => {
    it.each([
        ["256Mi", 256 * 2 ** 20],
        ["131072Ki", 128 * 2 ** 20],
        ["1Gi", 2 ** 30],
        ["129M", 129e6],
        ["500m", 0.5],
        ["250000000n", 0.25],
        ["12u", 12e-6],
        ["2", 2],
        ["1.5", 1.5],
        ["1e3", 1000],
    ])("%s", (text, value) => {
        expect(parseQuantity(text)).toBeCloseTo(value, 9);
    });
    it("rejects what is not a quantity", () => {
        expect(parseQuantity("12 Mi")).toBeUndefined();
        expect(parseQuantity("Mi")).toBeUndefined();
    });
});

describe("resource judgement", () => {
    it("passes a complete rollout with Ready pods and usage within limits", () => {
        const e = evaluate([deployment()], [pod()]);
        expect(e.state).toBe("pass");
        expect(e.usage[0].memoryRatio).toBe(0.5);
        expect(e.usage[0].cpuRatio).toBe(0.024);
    });
    it.each([
        ["OOMKilled", [pod(undefined, { containers: [container({ restartCount: 1, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } })] })], /was OOMKilled: the model does not fit/],
        ["CrashLoopBackOff", [pod(undefined, { ready: false, containers: [container({ ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } } })] })], /is in CrashLoopBackOff: back-off 40s/],
        ["ImagePullBackOff", [pod(undefined, { phase: "Pending", ready: false, containers: [container({ ready: false, state: { waiting: { reason: "ImagePullBackOff" } } })] })], /is in ImagePullBackOff/],
        ["ErrImagePull", [pod(undefined, { phase: "Pending", ready: false, containers: [container({ ready: false, state: { waiting: { reason: "ErrImagePull" } } })] })], /is in ErrImagePull/],
        ["Unschedulable", [pod(undefined, { phase: "Pending", containers: [], conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory." }] })], /is Unschedulable: 0\/3 nodes are available/],
        ["restarts", [pod(undefined, { containers: [container({ restartCount: 2, lastState: { terminated: { reason: "Error", exitCode: 1 } } })] })], /restarted 2 time\(s\) since the rollout \(last exit: Error\)/],
        ["pod failed", [pod(undefined, { phase: "Failed", containers: [] })], /failed/],
        ["no limits", [pod(undefined, { limits: null })], /has no memory limit/],
    ])("fails on %s", (_name, pods, reason) => {
        const e = evaluate([deployment()], pods);
        expect(e.state).toBe("fail");
        expect(e.problems[0]).toMatch(reason);
    });
    it("judges only the pods of the Deployment's current template: a broken earlier version is the rollout's to replace", () => {
        const stuckOld = pod("gourmetgram-staging-5c4b3-old11", {
            phase: "Pending",
            ready: false,
            image: "registry.kube-system.svc.cluster.local:5000/gourmetgram-app:staging-1.0.0",
            containers: [container({ ready: false, state: { waiting: { reason: "ImagePullBackOff", message: "not found" } } })],
        });
        const whileRolling = evaluate([deployment({ status: { replicas: 2 } })], [stuckOld, pod()]);
        expect(whileRolling.state).toBe("wait");
        expect(whileRolling.problems).toEqual(["deployment gourmetgram-staging: rollout in progress, 1 old replicas still running"]);
        expect(evaluate([deployment()], [stuckOld, pod()]).state).toBe("pass");
        // The new version's own pull failure still fails it.
        const broken = evaluate([deployment({ image: stuckOld.spec.containers[0].image })], [stuckOld]);
        expect(broken.state).toBe("fail");
        expect(broken.problems[0]).toMatch(/is in ImagePullBackOff: not found/);
    });
    it("waits while only the old version's pods exist", () => {
        const e = evaluate([deployment({ status: { updatedReplicas: 0 } })], [pod(undefined, { image: "registry.kube-system.svc.cluster.local:5000/gourmetgram-app:staging-1.0.6" })]);
        expect(e.state).toBe("wait");
        expect(e.problems).toContain("no running pod of the Deployment's current template matches the selector");
    });
    it("fails when memory or CPU usage is above the ratio of the limit", () => {
        const mem = evaluate([deployment()], [pod()], metrics(podMetrics(undefined, { memory: "240Mi" })));
        expect(mem.state).toBe("fail");
        expect(mem.problems[0]).toMatch(/uses 240Mi of its 256Mi memory limit \(93.8% > 90%\)/);
        const cpu = evaluate([deployment()], [pod()], metrics(podMetrics(undefined, { cpu: "480m" })));
        expect(cpu.problems[0]).toMatch(/uses 480m of its 500m CPU limit \(96% > 90%\)/);
    });
    it("fails when the rollout exceeded its progress deadline", () => {
        const d = deployment({ status: { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet has timed out progressing." }] } });
        expect(evaluate([d], [pod()]).problems[0]).toMatch(/exceeded its progress deadline/);
    });
    it.each([
        ["generation not observed", [deployment({ generation: 3, status: { observedGeneration: 2 } })], [pod()], /has not observed generation 3/],
        ["new replicas not updated", [deployment({ status: { updatedReplicas: 0 } })], [pod()], /rollout in progress, 0 of 1 replicas updated/],
        ["old replicas still running", [deployment({ status: { replicas: 2 } })], [pod()], /1 old replicas still running/],
        ["pod starting", [deployment()], [pod(undefined, { phase: "Pending", ready: false, containers: [container({ ready: false, state: { waiting: { reason: "ContainerCreating" } } })] })], /waiting \(ContainerCreating\)/],
        ["pod not ready", [deployment()], [pod(undefined, { ready: false })], /Running but not Ready/],
        ["no deployment", [], [pod()], /no Deployment matches/],
        ["no pods", [deployment()], [], /no running pod of the Deployment's current template matches/],
    ])("waits while %s", (_name, deployments, pods, reason) => {
        const e = evaluate(deployments, pods);
        expect(e.state).toBe("wait");
        expect(e.problems.join("; ")).toMatch(reason);
    });
    it("waits (and so, at the deadline, fails closed) when metrics are unavailable", () => {
        const e = evaluate([deployment()], [pod()], { available: false, reason: "metrics.k8s.io answered HTTP 404" });
        expect(e.state).toBe("wait");
        expect(e.problems[0]).toMatch(/metrics unavailable \(metrics.k8s.io answered HTTP 404\): memory and CPU usage cannot be checked/);
        expect(evaluate([deployment()], [pod()], metrics()).problems[0]).toMatch(/no metrics yet for pod/);
    });
    it("ignores pods that are terminating", () => {
        expect(evaluate([deployment()], [pod(), pod("old-pod", { deleting: true, ready: false })]).state).toBe("pass");
    });
});

describe("Kubernetes API settings", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-kubeconfig-"));
    it("reads server, CA and client certificate from a kubeconfig, relative paths included", () => {
        fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
        const file = path.join(dir, "config");
        fs.writeFileSync(
            file,
            [
                "apiVersion: v1",
                "current-context: k3s",
                "clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443', certificate-authority: ca.crt}}]",
                `users: [{name: u, user: {client-certificate-data: ${Buffer.from("CERT").toString("base64")}, client-key-data: ${Buffer.from("KEY").toString("base64")}}}]`,
                "contexts: [{name: k3s, context: {cluster: c, user: u}}]",
            ].join("\n"),
        );
        const target = kubeconfigTarget(file);
        expect(target.server).toBe("https://10.0.0.1:6443");
        expect(target.ca!.toString()).toBe("CA");
        expect(target.cert!.toString()).toBe("CERT");
        expect(target.key!.toString()).toBe("KEY");
    });
    it("refuses exec plugins and missing contexts with a clear message", () => {
        const file = path.join(dir, "exec");
        fs.writeFileSync(file, "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://h'}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n");
        expect(() => kubeconfigTarget(file)).toThrow(/exec\/auth-provider plugin/);
        expect(() => kubeconfigTarget(file, "nope")).toThrow(`kubeconfig ${file} context "nope" is not defined`);
        const noContext = path.join(dir, "no-context");
        fs.writeFileSync(noContext, "clusters: [{name: c, cluster: {server: 'https://h'}}]\n");
        expect(() => kubeconfigTarget(noContext)).toThrow(`kubeconfig ${noContext} sets no current-context`);
        expect(() => resolveKubeTarget({ KUBECONFIG: path.join(dir, "missing") })).toThrow(/no Kubernetes API configured/);
    });
    it("uses the pod's service account when running in the cluster", () => {
        const sa = path.join(dir, "sa");
        fs.mkdirSync(sa, { recursive: true });
        fs.writeFileSync(path.join(sa, "token"), "tok\n");
        fs.writeFileSync(path.join(sa, "ca.crt"), "CA");
        const target = inClusterTarget({ KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "443" }, sa)!;
        expect(target.server).toBe("https://10.43.0.1:443");
        expect(target.token).toBe("tok");
        expect(inClusterTarget({}, sa)).toBeUndefined();
    });
});

describe("resource gate against the API", () => {
    let kube: KubeReplay;
    let client: KubeClient;
    beforeAll(async () => {
        kube = await startKubeReplay();
        client = new KubeClient(kubeconfigTarget(kube.kubeconfig()));
    });
    afterAll(async () => {
        await client.close();
        await kube.close();
    });
    beforeEach(() => {
        kube.state = { deployments: [deployment()], pods: [pod()], podMetrics: [podMetrics()], applications: [] };
        kube.onRequest = undefined;
        kube.requests.length = 0;
    });
    /** Flags with short waits; `extra` pairs override them. */
    const options = (extra: string[] = []) => {
        const flags = new Map([["--namespace", ns], ["--selector", selector], ["--wait-s", "1"], ["--poll-ms", "20"]]);
        for (let i = 0; i < extra.length; i += 2) flags.set(extra[i], extra[i + 1]);
        return parseResourcesArgs([...flags].flat());
    };

    it("passes, reading deployments, pods and metrics by selector with the bearer token", async () => {
        const r = await runResources(options(), client);
        expect(r.verdict).toBe("pass");
        expect(r.reason).toMatch(/rollout complete, 1 pod\(s\) Running and Ready, no restarts, peak memory 50% of limit/);
        expect(r.metrics.metricsAvailable).toBe(true);
        expect(kube.requests.map((q) => q.path)).toEqual(
            expect.arrayContaining([
                `/apis/apps/v1/namespaces/${ns}/deployments?labelSelector=${encodeURIComponent(selector)}`,
                `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
                `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
            ]),
        );
    });

    it("polls while the rollout settles, then passes", async () => {
        kube.state.deployments = [deployment({ status: { updatedReplicas: 0, availableReplicas: 0 } })];
        kube.onRequest = (_p, n) => {
            if (n > 6) kube.state.deployments = [deployment()];
        };
        const r = await runResources(options(), client);
        expect(r.verdict).toBe("pass");
        expect(r.metrics.polls).toBeGreaterThan(1);
    });

    it("fails closed when metrics.k8s.io is unavailable, and says so", async () => {
        kube.state.podMetrics = { status: 503 };
        const r = await runResources(options(["--wait-s", "0.1"]), client);
        expect(r.verdict).toBe("fail");
        expect(r.reason).toMatch(/not settled after .* s: metrics unavailable \(metrics.k8s.io answered HTTP 503\)/);
        expect(r.metrics.metricsAvailable).toBe(false);
    });

    it("fails at once on OOMKilled without waiting for the deadline", async () => {
        kube.state.pods = [pod(undefined, { containers: [container({ restartCount: 1, lastState: { terminated: { reason: "OOMKilled" } } })] })];
        const r = await runResources(options(["--wait-s", "30"]), client);
        expect(r.verdict).toBe("fail");
        expect(r.metrics.polls).toBe(1);
        expect(r.reason).toMatch(/OOMKilled/);
    });

    it("fails with the RBAC it needs when the API forbids it", async () => {
        kube.state.forceStatus = 403;
        await expect(runResources(options(), client)).rejects.toThrow(/needs get\/list on deployments, pods and pods.metrics.k8s.io/);
    });

    it("exits 0, 1 and 2 as a subprocess", async () => {
        const env = { KUBECONFIG: kube.kubeconfig(), KUBERNETES_SERVICE_HOST: "" };
        const ok = await runCli(["resources", "--namespace", ns, "--selector", selector, "--wait-s", "1"], env);
        expect(ok.code).toBe(0);
        expect(ok.report!.verdict).toBe("pass");
        kube.state.pods = [pod(undefined, { ready: false, containers: [container({ ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } })] })];
        const bad = await runCli(["resources", "--namespace", ns, "--selector", selector, "--wait-s", "1"], env);
        expect(bad.code).toBe(1);
        expect(bad.report!.reason).toMatch(/CrashLoopBackOff/);
        const usage = await runCli(["resources", "--namespace", "Bad_NS", "--selector", selector], env);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/--namespace must be a DNS label/);
        const noCluster = await runCli(["resources", "--namespace", ns, "--selector", selector], { KUBECONFIG: "/nonexistent/kubeconfig", KUBERNETES_SERVICE_HOST: "" });
        expect(noCluster.code).toBe(2);
        expect(noCluster.stderr).toMatch(/no Kubernetes API configured/);
    });
});
