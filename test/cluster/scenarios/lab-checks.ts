/**
 * The lab's own checks, on the suite's fresh lab (test/cluster/lab.test.ts), in the order a user
 * meets them: up finishes with every workload available; logins are required where the lab
 * promises them; Argo CD syncs the three app environments from the git server; MLflow stores a
 * model version's artifact in MinIO; the registry keeps a pushed image across a restart of its
 * pod and refuses a push from a pod without its login; MinIO's and Postgres's containers killed
 * mid-run come back with nothing lost.
 */
import * as path from "node:path";
import { expect, it } from "vitest";
import { appApplicationName, appName, environments, minio, namespaces, platformPublicPorts, registry, registryNodeMirror } from "../../../vocabulary/names";
import { run, runOk, waitUntil } from "../../e2e/harness/process";
import { labMlflowUrl as mlflowUrl, minutes, type LabSession, type Obj } from "../harness/lab-session";
import { clusterNetwork } from "../harness/network";
import { registryAuthHeaders, skopeoDestCreds, type RegistryLogin } from "../harness/registry-images";

/** Where `pulumi up` runs workloads itself; the app environments' are Argo CD's, and wait for the pipeline's first image. */
const upNamespaces: string[] = [namespaces.platform, namespaces.argo, namespaces.argocd, namespaces.registry];

export function labChecks(session: LabSession): void {
    const { tools } = session;
    const kubectl = (args: string[], input?: string) => session.kubectl(args, input);
    const getJson = (...args: string[]) => session.getJson(...args);
    const crictl = (args: string[]) =>
        runOk(tools.crictl, ["--runtime-endpoint", `unix://${path.join(session.cluster.workDir, "containerd", "containerd.sock")}`, "--timeout", "20s", ...args]);
    const mlflowAuth = () => session.mlflowAuthorization();
    const registryLogin = () => session.registryLogin();
    const mlflow = (method: string, route: string, body?: unknown) => session.mlflow(method, route, body);

    it("finishes up with every Deployment and StatefulSet it runs available", async () => {
        const workloads = [...(await getJson("deployments", "-A")).items, ...(await getJson("statefulsets", "-A")).items].filter((w: Obj) =>
            upNamespaces.includes(w.metadata.namespace),
        );
        expect(workloads.map((w: Obj) => `${w.metadata.namespace}/${w.metadata.name}`)).toEqual(
            expect.arrayContaining([`${namespaces.platform}/mlflow`, `${namespaces.platform}/minio`, `${namespaces.registry}/${registry.serviceName}`, `${namespaces.argo}/workflow-controller`, `${namespaces.argocd}/argocd-server`]),
        );
        const unavailable = workloads
            .filter((w: Obj) => (w.status?.readyReplicas ?? 0) < (w.spec.replicas ?? 1))
            .map((w: Obj) => `${w.metadata.namespace}/${w.metadata.name}: ${w.status?.readyReplicas ?? 0}/${w.spec.replicas ?? 1} ready`);
        expect(unavailable).toEqual([]);
    });

    it("refuses requests without a login where the lab promises one", async () => {
        const anonymous = await fetch(`${mlflowUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { signal: AbortSignal.timeout(30_000) });
        expect(anonymous.status).toBe(401);
        const wrong = await fetch(`${mlflowUrl}/api/2.0/mlflow/experiments/search?max_results=1`, {
            headers: { authorization: `Basic ${Buffer.from("admin:not-the-password").toString("base64")}` },
            signal: AbortSignal.timeout(30_000),
        });
        expect(wrong.status).toBe(401);
        const argo = await run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", `https://${clusterNetwork.nodeIp}:${platformPublicPorts.argoWorkflows}/api/v1/workflows/${namespaces.workflows}`], {
            timeoutMs: 30_000,
        });
        expect(argo.stdout).toBe("401");
        expect(session.outputs.registryLogin?.secret).toBe(true);
        const registryApi = `http://${clusterNetwork.nodeIp}:${registryNodeMirror.nodePort}/v2/`;
        const registryAnswer = async (login?: RegistryLogin) =>
            (await fetch(registryApi, { headers: registryAuthHeaders(login), signal: AbortSignal.timeout(30_000) })).status;
        expect(await registryAnswer()).toBe(401);
        expect(await registryAnswer({ ...registryLogin(), password: "not-the-password" })).toBe(401);
        expect(await registryAnswer(registryLogin())).toBe(200);
    });

    it("has Argo CD sync the three app environments from the git server at its commit", async () => {
        for (const env of environments) {
            await waitUntil(`Application ${appApplicationName(env)} synced`, async () => {
                const app = await getJson("application", appApplicationName(env), "-n", namespaces.argocd);
                return app.status?.sync?.status === "Synced" && app.status?.sync?.revision === session.lab.git.commit;
            }, { timeoutMs: minutes(5) });
        }
    }, minutes(16));

    const model = { name: "LabCheckModel", artifact: "model/MLmodel", content: `artifact_path: model\nflavors: {}\nchecked: ${Date.now()}\n` };
    let runId = "";
    let experimentId = "";

    it("has MLflow keep a model version whose artifact is stored in MinIO", async () => {
        experimentId = (await mlflow("POST", "/api/2.0/mlflow/experiments/create", { name: `lab-check-${Date.now()}` })).experiment_id;
        runId = (await mlflow("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId })).run.info.run_id;
        const artifactPath = `${experimentId}/${runId}/artifacts/${model.artifact}`;
        const put = await fetch(`${mlflowUrl}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, {
            method: "PUT",
            headers: { authorization: mlflowAuth() },
            body: model.content,
            signal: AbortSignal.timeout(30_000),
        });
        expect(put.status).toBe(200);
        await mlflow("POST", "/api/2.0/mlflow/registered-models/create", { name: model.name });
        const version = await mlflow("POST", "/api/2.0/mlflow/model-versions/create", {
            name: model.name,
            source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
            run_id: runId,
        });
        expect(version.model_version.version).toBe("1");
        // In MinIO's own volume, not in MLflow's pod: MinIO keeps each object as a directory.
        const volumes = path.join(session.cluster.workDir, "local-path");
        const stored = (await runOk("find", [volumes, "-path", `*/${minio.artifactsBucket}/${artifactPath}/*`])).trim();
        expect(stored).not.toBe("");
    });

    it("keeps a pushed image in the registry across a restart of its pod", async () => {
        const address = `${clusterNetwork.nodeIp}:${registryNodeMirror.nodePort}`;
        const pushed = `docker://${address}/lab-check/busybox:1`;
        const { username, password } = registryLogin();
        const inspect = () => ["inspect", "--tls-verify=false", "--creds", `${username}:${password}`, pushed];
        await runOk("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...skopeoDestCreds(registryLogin()), `docker-archive:${tools.images.busybox.archive}`, pushed], {
            timeoutMs: 120_000,
        });
        const before = JSON.parse(await runOk("skopeo", inspect())).Digest;
        await kubectl(["delete", "pod", "-n", namespaces.registry, "-l", `app.kubernetes.io/name=${registry.serviceName}`, "--wait=true"]);
        await kubectl(["rollout", "status", "-n", namespaces.registry, `deployment/${registry.serviceName}`, "--timeout=180s"]);
        await waitUntil("the registry to answer again", async () => (await run("skopeo", inspect(), { timeoutMs: 30_000 })).code === 0, {
            timeoutMs: minutes(3),
        });
        expect(JSON.parse(await runOk("skopeo", inspect())).Digest).toBe(before);
    }, minutes(6));

    it("a pod in an app namespace cannot push to the registry", async () => {
        // On K3s the registry's NetworkPolicy refuses this connection first; this cluster enforces
        // no NetworkPolicy, so the pod reaches the registry and meets the second line: the login.
        const name = "registry-push-check";
        const namespace = namespaces.staging;
        const [registryName, registryPort] = registry.host.split(":");
        // busybox's own resolver (its static wget would need glibc's NSS), then a POST that starts
        // a blob upload, the first request of every push; `timeout`, not wget's -T, which crashes.
        const script = [
            `addr=$(nslookup ${registryName} | sed -n 's/^Address: \\([0-9.]*\\)$/\\1/p' | tail -n 1)`,
            'echo "resolved $addr"',
            `timeout 10 wget -S -O /dev/null --post-data= "http://$addr:${registryPort}/v2/${appName}/blobs/uploads/" 2>&1 | sed -n 's|^ *HTTP/1\\.[01] \\([0-9][0-9][0-9]\\).*|status \\1|p'`,
        ].join("; ");
        const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } };
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                containers: [{
                    name,
                    image: tools.images.busybox.ref,
                    imagePullPolicy: "Never",
                    command: ["sh", "-c", script],
                    securityContext: restricted,
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "16Mi" } },
                }],
            },
        };
        await kubectl(["apply", "-f", "-"], JSON.stringify(pod));
        try {
            await waitUntil(`pod ${name} to finish`, async () => {
                const phase = (await getJson("pod", name, "-n", namespace)).status?.phase;
                if (phase === "Failed") throw new Error(`pod ${name} failed: ${await kubectl(["logs", name, "-n", namespace])}`);
                return phase === "Succeeded";
            }, { timeoutMs: minutes(2) });
            const log = await kubectl(["logs", name, "-n", namespace]);
            expect(log).toMatch(/^resolved \d+\.\d+\.\d+\.\d+$/m);
            expect(log).toMatch(/^status 401$/m);
            expect(log).not.toMatch(/^status 202$/m);
        } finally {
            await kubectl(["delete", "pod", name, "-n", namespace, "--ignore-not-found", "--wait=true"]);
        }
    }, minutes(4));

    it("loses nothing when MinIO's and Postgres's containers are killed: the kubelet restarts them and MLflow serves the model again", async () => {
        const restarts: Record<string, number> = {};
        for (const name of ["minio", "postgres"]) {
            const pod = (await getJson("pods", "-n", namespaces.platform, "-l", `app.kubernetes.io/name=${name}`)).items[0];
            restarts[name] = pod.status.containerStatuses.find((c: Obj) => c.name === name).restartCount;
            const id = (await crictl(["ps", "--quiet", "--name", `^${name}$`, "--namespace", namespaces.platform])).trim().split("\n")[0];
            const pid = JSON.parse(await crictl(["inspect", id])).info.pid as number;
            process.kill(pid, "SIGKILL");
        }
        for (const name of ["minio", "postgres"]) {
            await waitUntil(`${name} restarted by the kubelet and ready`, async () => {
                const pod = (await getJson("pods", "-n", namespaces.platform, "-l", `app.kubernetes.io/name=${name}`)).items[0];
                const status = pod.status.containerStatuses.find((c: Obj) => c.name === name);
                return status.restartCount > restarts[name] && status.ready === true;
            }, { timeoutMs: minutes(4) });
        }
        await waitUntil("MLflow to serve the model version again", async () => {
            try {
                const version = await mlflow("GET", `/api/2.0/mlflow/model-versions/get?name=${model.name}&version=1`);
                return version.model_version.run_id === runId;
            } catch {
                return false;
            }
        }, { timeoutMs: minutes(3) });
        const artifact = await fetch(`${mlflowUrl}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${model.artifact}`, {
            headers: { authorization: mlflowAuth() },
            signal: AbortSignal.timeout(30_000),
        });
        expect(artifact.status).toBe(200);
        expect(await artifact.text()).toBe(model.content);
    }, minutes(12));
}
