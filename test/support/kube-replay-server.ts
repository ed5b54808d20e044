/**
 * A replay of the Kubernetes API for the gates' unit tests. The same ground against a real
 * kube-apiserver is covered by test/e2e/resources-gate.test.ts: Deployment/ReplicaSet/Pod
 * states set through the status subresource (OOMKilled, CrashLoopBackOff, Unschedulable, an
 * unfinished rollout), metrics.k8s.io not served (404), 403s from real ServiceAccount tokens
 * and the pipeline's Roles, and the Argo CD Application merge patch with its 409 precondition.
 * This replay stays for what that server cannot reach quickly: PodMetrics with usage (a pass,
 * usage over the limit ratio), a metrics-server answering 503, a rollout that settles between
 * polls, forced 5xx answers for the retry paths, and the promote/revert flows of
 * test/gates/release.test.ts, which run beside a real MLflow and registry.
 *
 * Replays documented Kubernetes API responses over plain HTTP: Deployment and Pod lists
 * (apps/v1, core/v1, filtered by an equality label selector), PodMetrics lists
 * (metrics.k8s.io/v1beta1, or the error status an absent/unready metrics-server gives), and
 * Argo CD Applications and ConfigMaps with GET and JSON merge patch (RFC 7386) including the
 * resourceVersion precondition the API server enforces (409 Conflict).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

type Obj = Record<string, any>;

export interface KubeState {
    deployments: Obj[];
    pods: Obj[];
    /** PodMetrics items, or the HTTP status the metrics API answers with. */
    podMetrics: Obj[] | { status: number };
    applications: Obj[];
    /** ConfigMaps (the release record), read and merge-patched like Applications. */
    configMaps?: Obj[];
    /** Answer every request with this status (e.g. 403 for missing RBAC). */
    forceStatus?: number;
}

export interface KubeReplay {
    url: string;
    state: KubeState;
    /** Called before each list/get; lets a test move a rollout along between polls. */
    onRequest?: (path: string, count: number) => void;
    requests: Array<{ method: string; path: string; contentType?: string; body?: string }>;
    /** Writes a kubeconfig pointing at this server and returns its path. */
    kubeconfig(): string;
    close(): Promise<void>;
}

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
    if (!selector) return true;
    return selector.split(",").every((term) => {
        const [k, v] = term.split("=");
        return labels?.[k.trim()] === v?.trim();
    });
}

function mergePatch(target: any, patch: any): any {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const out: Obj = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = mergePatch(out[k], v);
    }
    return out;
}

function status(code: number, reason: string, message: string): Obj {
    return { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code };
}

export async function startKubeReplay(initial: Partial<KubeState> = {}): Promise<KubeReplay> {
    const replay: KubeReplay = {
        url: "",
        state: { deployments: [], pods: [], podMetrics: [], applications: [], ...initial },
        requests: [],
        kubeconfig: () => "",
        close: async () => undefined,
    };
    let count = 0;
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://replay");
            const body = Buffer.concat(chunks).toString("utf8");
            replay.requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, contentType: req.headers["content-type"], body });
            replay.onRequest?.(url.pathname, ++count);
            const send = (code: number, obj: Obj) => {
                const text = JSON.stringify(obj);
                res.writeHead(code, { "content-type": "application/json" });
                res.end(text);
            };
            const s = replay.state;
            if (s.forceStatus) return send(s.forceStatus, status(s.forceStatus, "Forbidden", `forced ${s.forceStatus}`));
            const selector = url.searchParams.get("labelSelector");
            const list = (items: Obj[], ns: string, kind: string) =>
                send(200, { kind, apiVersion: "v1", items: items.filter((i) => i.metadata.namespace === ns && matches(i.metadata.labels, selector)) });
            let m: RegExpExecArray | null;
            if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(url.pathname))) return list(s.deployments, m[1], "DeploymentList");
            if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname))) return list(s.pods, m[1], "PodList");
            if ((m = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname))) {
                if (!Array.isArray(s.podMetrics)) {
                    const code = s.podMetrics.status;
                    return send(code, status(code, code === 404 ? "NotFound" : "ServiceUnavailable", "the server could not find the requested resource"));
                }
                return list(s.podMetrics, m[1], "PodMetricsList");
            }
            const objectRoutes: Array<[RegExp, Obj[], string]> = [
                [/^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications\/([^/]+)$/, s.applications, "applications.argoproj.io"],
                [/^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/, (s.configMaps ??= []), "configmaps"],
            ];
            for (const [route, items, resource] of objectRoutes) {
                if (!(m = route.exec(url.pathname))) continue;
                const [, ns, name] = m;
                const i = items.findIndex((a) => a.metadata.namespace === ns && a.metadata.name === name);
                if (i < 0) return send(404, status(404, "NotFound", `${resource} "${name}" not found`));
                if (req.method === "GET") return send(200, items[i]);
                if (req.method === "PATCH") {
                    if (req.headers["content-type"] !== "application/merge-patch+json") {
                        return send(415, status(415, "UnsupportedMediaType", `unsupported patch type ${req.headers["content-type"]}`));
                    }
                    const patch = JSON.parse(body);
                    const current = items[i];
                    const wanted = patch?.metadata?.resourceVersion;
                    if (wanted !== undefined && wanted !== current.metadata.resourceVersion) {
                        return send(409, status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again"));
                    }
                    const next = mergePatch(current, patch);
                    next.metadata.resourceVersion = String(Number(current.metadata.resourceVersion) + 1);
                    items[i] = next;
                    return send(200, next);
                }
            }
            return send(404, status(404, "NotFound", `no route for ${req.method} ${url.pathname}`));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    replay.url = `http://127.0.0.1:${port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-kube-"));
    replay.kubeconfig = () => {
        const file = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            file,
            stringify({
                apiVersion: "v1",
                kind: "Config",
                "current-context": "replay",
                clusters: [{ name: "replay", cluster: { server: replay.url } }],
                users: [{ name: "gate", user: { token: "replay-token" } }],
                contexts: [{ name: "replay", context: { cluster: "replay", user: "gate" } }],
            }),
        );
        return file;
    };
    replay.close = () =>
        new Promise<void>((resolve) => {
            fs.rmSync(dir, { recursive: true, force: true });
            server.closeAllConnections();
            server.close(() => resolve());
        });
    return replay;
}
