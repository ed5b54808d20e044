/**
 * Rung 4 of the verification ladder: a real one-node cluster on this machine (test/cluster/
 * harness), from Debian packages and Go modules only, running images built here. The node
 * becomes Ready; a pod serves through its Service and cluster DNS; the kubelet OOM-kills a
 * pod over its memory limit and the project's resource gate, run as the pipeline runs it,
 * names it; metrics.k8s.io serves the usage the gate checks; a local-path volume keeps its
 * data when its pod is replaced. Stopping the cluster leaves the machine as it was.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../gates/cli-runner";
import { waitUntil } from "../e2e/harness/process";
import { clusterLockWaitMs, startNodeCluster, type NodeCluster } from "./harness/cluster";
import { shimPids } from "./harness/containerd";
import { hostDifferences, snapshotHost } from "./harness/host";
import { clusterNetwork } from "./harness/network";
import { cgroupRoot, nodeName } from "./harness/node";
import { describeWithCluster } from "./harness/suite";

type Obj = Record<string, any>;
const ns = "cluster-test";

describeWithCluster("a one-node cluster built on this machine", (tools) => {
    let cluster: NodeCluster;
    const busybox = tools.images.busybox.ref;

    const kubectl = async (args: string[], input?: string): Promise<string> => {
        const r = await cluster.kubectl(args, { input, timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
        return r.stdout;
    };
    const apply = (...objects: Obj[]) => kubectl(["apply", "-f", "-"], objects.map((o) => JSON.stringify(o)).join("\n"));
    const getJson = async (...args: string[]): Promise<Obj> => JSON.parse(await kubectl(["get", ...args, "-o", "json"]));
    const limits = (memory: string) => ({ requests: { cpu: "10m", memory }, limits: { cpu: "200m", memory } });
    /** A pod that runs a busybox command once; resolves with its log when it succeeded. */
    async function runOnce(name: string, script: string, extra: Obj = {}): Promise<string> {
        await apply({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace: ns },
            spec: {
                restartPolicy: "Never",
                containers: [{ name, image: busybox, imagePullPolicy: "Never", command: ["sh", "-c", script], resources: limits("16Mi"), ...extra.container }],
                ...extra.pod,
            },
        });
        await waitUntil(`pod ${name} to finish`, async () => {
            const phase = (await getJson("pod", name, "-n", ns)).status?.phase;
            if (phase === "Failed") throw new Error(`pod ${name} failed: ${await kubectl(["logs", name, "-n", ns])}`);
            return phase === "Succeeded";
        }, { timeoutMs: 120_000 });
        return kubectl(["logs", name, "-n", ns]);
    }

    beforeAll(async () => {
        const started = Date.now();
        cluster = await startNodeCluster(tools, { progress: (step) => console.log(`cluster: ${step} (${Math.round((Date.now() - started) / 1000)} s)`) });
        await apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        await waitUntil(`service account default in ${ns}`, async () => (await cluster.kubectl(["get", "sa", "default", "-n", ns])).code === 0, {
            timeoutMs: 60_000,
        });
    }, clusterLockWaitMs + 900_000);

    afterAll(async () => {
        await cluster?.stop();
    }, 300_000);

    it("the node is Ready, running the pinned kubelet on containerd, and every system pod runs", async () => {
        const node = await getJson("node", nodeName);
        expect(node.status.nodeInfo.kubeletVersion).toBe(tools.versions.kubernetes);
        expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
        expect(node.status.addresses).toContainEqual({ type: "InternalIP", address: clusterNetwork.nodeIp });
        expect(node.status.conditions.find((c: Obj) => c.type === "Ready").status).toBe("True");
        const pods = (await getJson("pods", "-A")).items as Obj[];
        const system = pods.filter((p) => ["kube-system", "local-path-storage"].includes(p.metadata.namespace));
        expect(system.map((p) => p.metadata.labels["k8s-app"] ?? p.metadata.labels.app).sort()).toEqual(
            ["kube-dns", "local-path-provisioner", "metrics-server"],
        );
        for (const pod of system) {
            expect(pod.status.phase, pod.metadata.name).toBe("Running");
            expect(pod.status.containerStatuses.every((c: Obj) => c.ready), pod.metadata.name).toBe(true);
        }
    });

    it("a pod from a locally built image serves through its Service, by cluster DNS name and from the node", async () => {
        const page = `served by ${nodeName}\n`;
        await apply(
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: ns }, data: { "index.html": page } },
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "web", namespace: ns, labels: { app: "web" } },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: "web" } },
                    template: {
                        metadata: { labels: { app: "web" } },
                        spec: {
                            containers: [{
                                name: "web",
                                image: busybox,
                                imagePullPolicy: "Never",
                                command: ["httpd", "-f", "-p", "8000", "-h", "/www"],
                                ports: [{ containerPort: 8000 }],
                                readinessProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1 },
                                resources: limits("16Mi"),
                                volumeMounts: [{ name: "www", mountPath: "/www" }],
                            }],
                            volumes: [{ name: "www", configMap: { name: "web" } }],
                        },
                    },
                },
            },
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "web", namespace: ns },
                spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8000 }] },
            },
        );
        await kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
        const service = await getJson("service", "web", "-n", ns);

        // busybox's own resolver (its static wget would need glibc's NSS), then the address it found;
        // `timeout`, not wget's -T, which crashes this static build.
        const name = `web.${ns}.svc.${clusterNetwork.clusterDomain}`;
        const fromPod = await runOnce("client", [
            `addr=$(nslookup ${name} | sed -n 's/^Address: \\([0-9.]*\\)$/\\1/p' | tail -n 1)`,
            'echo "resolved $addr"',
            'timeout 10 wget -qO- "http://$addr/"',
            "echo ---",
            // CoreDNS has no forward: a name outside the cluster is not resolved, nothing leaves the machine.
            "nslookup example.org 2>&1 || true",
        ].join("; "));
        const [served, lookup] = fromPod.split("---\n");
        expect(served).toBe(`resolved ${service.spec.clusterIP}\n${page}`);
        expect(lookup).toMatch(new RegExp(`Server:\\s+${clusterNetwork.dnsServiceIp.replace(/\./g, "\\.")}\\s`));
        expect(lookup).toMatch(/can't find example\.org/);

        const fromNode = await fetch(`http://${service.spec.clusterIP}/`, { signal: AbortSignal.timeout(10_000) });
        expect(await fromNode.text()).toBe(page);
    }, 300_000);

    it("metrics.k8s.io serves usage: the resource gate passes the healthy rollout with its memory measured", async () => {
        const run = await runCli(
            ["resources", "--namespace", ns, "--selector", "app=web", "--wait-s", "150", "--poll-ms", "2000"],
            { KUBECONFIG: cluster.kubeconfig, KUBERNETES_SERVICE_HOST: "" },
            200_000,
        );
        expect(run.code, `${run.stderr}\n${JSON.stringify(run.report)}`).toBe(0);
        expect(run.report!.verdict).toBe("pass");
        expect(run.report!.metrics.metricsAvailable).toBe(true);
        const [usage] = run.report!.metrics.usage;
        expect(usage.container).toBe("web");
        expect(usage.memoryBytes).toBeGreaterThan(0);
        expect(usage.memoryLimitBytes).toBe(16 * 2 ** 20);
        expect(usage.memoryRatio).toBeLessThan(0.9);
    }, 300_000);

    it("the kubelet OOM-kills a pod over its memory limit, and the resource gate names it", async () => {
        await apply({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "hog", namespace: ns, labels: { app: "hog" } },
            spec: {
                replicas: 1,
                selector: { matchLabels: { app: "hog" } },
                template: {
                    metadata: { labels: { app: "hog" } },
                    spec: {
                        containers: [{
                            name: "hog",
                            image: busybox,
                            imagePullPolicy: "Never",
                            // dd's 256 MiB block is filled as it reads: 16 times the limit.
                            command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"],
                            resources: limits("16Mi"),
                        }],
                    },
                },
            },
        });
        let pod: Obj = {};
        await waitUntil("the hog pod to be OOMKilled", async () => {
            [pod] = (await getJson("pods", "-n", ns, "-l", "app=hog")).items;
            const status = pod?.status?.containerStatuses?.[0];
            return [status?.state?.terminated?.reason, status?.lastState?.terminated?.reason].includes("OOMKilled");
        }, { timeoutMs: 120_000 });
        const status = pod.status.containerStatuses[0];
        const terminated = status.state.terminated ?? status.lastState.terminated;
        expect(terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });

        const run = await runCli(
            ["resources", "--namespace", ns, "--selector", "app=hog", "--wait-s", "60", "--poll-ms", "2000"],
            { KUBECONFIG: cluster.kubeconfig, KUBERNETES_SERVICE_HOST: "" },
            120_000,
        );
        expect(run.code, run.stderr).toBe(1);
        expect(run.report!.verdict).toBe("fail");
        expect(run.report!.metrics.problems).toContain(
            `container hog in pod ${pod.metadata.name} was OOMKilled: the model does not fit in the memory limit`,
        );
    }, 300_000);

    it("a PVC on the default local-path class binds and keeps its data when its pod is replaced", async () => {
        await apply({
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "data", namespace: ns },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "16Mi" } } },
        });
        const token = `kept-${Date.now()}`;
        const volume = {
            pod: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] },
            container: { volumeMounts: [{ name: "data", mountPath: "/data" }] },
        };
        await runOnce("writer", `echo ${token} > /data/token && sync`, volume);
        const claim = await getJson("pvc", "data", "-n", ns);
        expect(claim.status.phase).toBe("Bound");
        expect(claim.spec.storageClassName).toBe("local-path");
        const pv = await getJson("pv", claim.spec.volumeName);
        expect(pv.spec.hostPath?.path ?? pv.spec.local?.path).toContain(cluster.workDir);
        await kubectl(["delete", "pod", "writer", "-n", ns, "--wait=true"]);

        expect((await runOnce("reader", "cat /data/token", volume)).trim()).toBe(token);
    }, 300_000);

    it("stops every process it started and leaves the machine as it found it", async () => {
        const daemons = cluster.daemons();
        expect(daemons.map((d) => d.name).sort()).toEqual(
            ["containerd", "etcd", "kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler", "kubelet"],
        );
        const pids = daemons.map((d) => d.child.pid!);
        const problems = await cluster.stop();
        expect(problems).toEqual([]);
        for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`), `pid ${pid}`).toBe(false);
        expect(shimPids(`${cluster.workDir}/containerd/containerd.sock`)).toEqual([]);
        expect(hostDifferences(cluster.before, await snapshotHost(cgroupRoot))).toEqual([]);
        if (!process.env.E2E_KEEP_WORKDIR) expect(fs.existsSync(cluster.workDir)).toBe(false);
    }, 300_000);
});
