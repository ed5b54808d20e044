import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { judgeWithPods, parseLoadArgs } from "../../pipeline/gates/load/command";
import { podChangesUnderLoad } from "../../pipeline/gates/load/pods";
import { UsageError } from "../../pipeline/gates/args";
import { pass } from "../../pipeline/gates/report";
import { AppServer, healthyBehaviour, startAppServer } from "../support/app-server";
import { container, ns, pod as fixturePod, selector } from "../support/kube-fixtures";
import type { Pod } from "../../pipeline/gates/resources/kinds";
import { KubeReplay, startKubeReplay } from "../support/kube-replay-server";
import { runCli } from "./cli-runner";

const pod = (...args: Parameters<typeof fixturePod>) => fixturePod(...args) as Pod;
const oomRestarted = (restarts = 1) =>
    pod(undefined, { containers: [container({ restartCount: restarts, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } })] });

describe("the app's pods across the load", () => {
    it("finds nothing when no container restarted", () => {
        expect(podChangesUnderLoad([pod()], [pod()], 10)).toEqual([]);
    });

    it("names an OOM kill during the load with the concurrency and the memory limit", () => {
        const [problem] = podChangesUnderLoad([pod()], [oomRestarted()], 10);
        expect(problem).toMatch(/^OOMKilled under load at concurrency 10: limit 256Mi \(container app in pod gourmetgram-staging-7d9f8-abcde restarted 1 time\(s\) during the load\)/);
    });

    it("counts only the restarts that happened during the load", () => {
        expect(podChangesUnderLoad([oomRestarted(2)], [oomRestarted(2)], 10)).toEqual([]);
        expect(podChangesUnderLoad([oomRestarted(2)], [oomRestarted(3)], 4)[0]).toMatch(/^OOMKilled under load at concurrency 4: limit 256Mi/);
    });

    it("names an OOM-killed container that has not been restarted yet", () => {
        const killed = pod(undefined, { containers: [container({ state: { terminated: { reason: "OOMKilled", exitCode: 137 } } })] });
        expect(podChangesUnderLoad([pod()], [killed], 10)[0]).toMatch(/^OOMKilled under load at concurrency 10: limit 256Mi .*was killed/);
    });

    it("names any other restart with its exit", () => {
        const crashed = pod(undefined, { containers: [container({ restartCount: 1, lastState: { terminated: { reason: "Error", exitCode: 1 } } })] });
        expect(podChangesUnderLoad([pod()], [crashed], 10)).toEqual([
            "container app in pod gourmetgram-staging-7d9f8-abcde restarted 1 time(s) under load at concurrency 10 (last exit: Error, exit code 1)",
        ]);
    });

    it("names a pod that was replaced or lost during the load", () => {
        const problems = podChangesUnderLoad([pod("old-pod")], [pod("new-pod")], 10);
        expect(problems).toContain("pod new-pod started during the load under load at concurrency 10: it replaced a pod that was lost");
        expect(problems).toContain("pod old-pod disappeared during the load under load at concurrency 10");
        expect(podChangesUnderLoad([pod()], [], 10)[0]).toMatch(/no pod matched after the load/);
    });

    it("fails a run whose figures passed when a container restarted, and keeps what the figures said", () => {
        const figures = pass("success rate 100% >= 95% and p95 80 ms <= 2000 ms", { pods: null } as any);
        const problems = podChangesUnderLoad([pod()], [oomRestarted()], 10);
        const judged = judgeWithPods(figures, { namespace: ns, selector, before: [], after: [], problems });
        expect(judged.verdict).toBe("fail");
        expect(judged.reason).toMatch(/^OOMKilled under load at concurrency 10: limit 256Mi .*\(the load figures alone passed: success rate 100%/);
        expect(judgeWithPods(figures, { namespace: ns, selector, before: [], after: [], problems: [] }).verdict).toBe("pass");
    });
});

describe("load flags for the pod check", () => {
    const base = ["--url", "http://127.0.0.1:1/test"];
    it("takes --namespace and --selector together", () => {
        expect(parseLoadArgs([...base, "--namespace", ns, "--selector", selector]).pods).toEqual({ namespace: ns, selector });
        expect(parseLoadArgs(base).pods).toBeUndefined();
    });
    it.each([
        [["--namespace", ns], /--namespace and --selector go together/],
        [["--selector", selector], /--namespace and --selector go together/],
        [["--namespace", "Staging!", "--selector", selector], /--namespace must be a DNS label .* got "Staging!"/],
        [["--namespace", ns, "--selector", " "], /--selector must not be empty/],
    ])("rejects %j", (args, message) => {
        expect(() => parseLoadArgs([...base, ...args])).toThrow(UsageError);
        expect(() => parseLoadArgs([...base, ...args])).toThrow(message);
    });
});

describe("load gate with the pod check, as a subprocess against an app and an API server", () => {
    let app: AppServer;
    let kube: KubeReplay;
    let podReads = 0;
    beforeAll(async () => {
        app = await startAppServer();
        kube = await startKubeReplay();
    });
    afterAll(async () => {
        await app.close();
        await kube.close();
    });
    beforeEach(() => {
        app.set(healthyBehaviour);
        kube.state.pods = [pod()];
        kube.state.forceStatus = undefined;
        podReads = 0;
        kube.onRequest = undefined;
    });
    const env = () => ({ KUBECONFIG: kube.kubeconfig(), KUBERNETES_SERVICE_HOST: "" });
    const args = () => ["load", "--url", `${app.url}/test`, "--requests", "40", "--concurrency", "10", "--namespace", ns, "--selector", selector];

    it("passes when the pods are unchanged, and reports them", async () => {
        const r = await runCli(args(), env());
        expect(r.code).toBe(0);
        expect(r.report!.metrics.pods.after).toEqual([{ pod: "gourmetgram-staging-7d9f8-abcde", container: "app", restarts: 0, memoryLimit: "256Mi" }]);
        expect(r.report!.metrics.pods.problems).toEqual([]);
        expect(kube.requests.filter((q) => q.path.startsWith(`/api/v1/namespaces/${ns}/pods`))).toHaveLength(2);
    });

    it("fails by name when the container was OOM-killed during the load, though every request succeeded", async () => {
        kube.onRequest = (p) => {
            if (p.endsWith("/pods") && ++podReads === 2) kube.state.pods = [oomRestarted()];
        };
        const r = await runCli(args(), env());
        expect(r.code).toBe(1);
        expect(r.report!.metrics.successRate).toBe(1);
        expect(r.report!.reason).toMatch(/^OOMKilled under load at concurrency 10: limit 256Mi/);
        expect(r.stderr).toMatch(/gate load: FAIL: OOMKilled under load at concurrency 10: limit 256Mi/);
    });

    it("names the OOM kill before the resets it caused", async () => {
        kube.onRequest = (p) => {
            if (p.endsWith("/pods") && ++podReads === 2) kube.state.pods = [oomRestarted()];
        };
        app.set({ resetEvery: 2 });
        const r = await runCli(args(), env());
        expect(r.code).toBe(1);
        expect(r.report!.reason).toMatch(/^OOMKilled under load at concurrency 10: limit 256Mi .*\(load: success rate 50% is below 95% \(20x connection reset\)\)/);
    });

    it("fails closed, saying which permission it needs, when the API forbids reading pods", async () => {
        kube.state.forceStatus = 403;
        const r = await runCli(args(), env());
        expect(r.code).toBe(1);
        expect(r.report!.reason).toMatch(/gate could not decide: .*HTTP 403.*needs get\/list on pods in gourmetgram-staging/);
    });

    it("exits 2 with a clear message when no Kubernetes API is configured", async () => {
        const r = await runCli(args(), { KUBECONFIG: "/nonexistent/kubeconfig", KUBERNETES_SERVICE_HOST: "" });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/no Kubernetes API configured.*--namespace\/--selector need the Kubernetes API/);
    });
});
