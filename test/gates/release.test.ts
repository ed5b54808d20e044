/**
 * promote, revert and mark-good against a real MLflow server, a real OCI registry that wants a
 * login, as the lab's does, and the Kubernetes API stand-in (for the Argo CD Applications).
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../pipeline/gates/kube/client";
import { kubeconfigTarget } from "../../pipeline/gates/kube/config";
import { withRetry, httpRequest, ServerError } from "../../pipeline/gates/http";
import { parsePromoteArgs, promote } from "../../pipeline/gates/release/promote";
import { parseRevertArgs, revert } from "../../pipeline/gates/release/revert";
import { markGood, parseMarkGoodArgs } from "../../pipeline/gates/release/markGood";
import { runRelease } from "../../pipeline/gates/release/run";
import { parseSetImageTagArgs, setImageTag } from "../../pipeline/gates/release/setImageTag";
import { RegistryClient, RegistryError } from "../../pipeline/gates/release/registry";
import { deployedTag } from "../../pipeline/gates/release/argocd";
import { application, releaseRecordConfigMap } from "../support/kube-fixtures";
import { KubeReplay, startKubeReplay } from "../support/kube-replay-server";
import { LocalMlflow, startMlflow } from "../support/mlflow-server";
import { LocalRegistry, startRegistry } from "../support/oci-registry";
import { closedPort } from "../support/app-server";
import { gateImageEnv, registryCredentials, releaseRecord } from "../../vocabulary/names";
import { runCli } from "./cli-runner";

let mlflow: LocalMlflow;
let registry: LocalRegistry;
let kube: KubeReplay;
let modelName: string;
let repository: string;
let models = 0;
const login = { username: registryCredentials.username, password: randomBytes(16).toString("hex") };
/** What a workflow step's environment holds of the registry's login (gateEnvironment()). */
const loginEnv = { [gateImageEnv.registryUsername]: login.username, [gateImageEnv.registryPassword]: login.password };

beforeAll(async () => {
    // allSettled: whatever did start is kept (and stopped in afterAll) even if another part failed.
    const [m, r, k] = await Promise.allSettled([startMlflow(), startRegistry({ login }), startKubeReplay()]);
    if (m.status === "fulfilled") mlflow = m.value;
    if (r.status === "fulfilled") registry = r.value;
    if (k.status === "fulfilled") kube = k.value;
    for (const s of [m, r, k]) if (s.status === "rejected") throw s.reason;
}, 200_000);
afterAll(async () => {
    await Promise.all([mlflow?.stop(), registry?.stop(), kube?.close()]);
});

/** Each test gets its own registered model and image repository: no state leaks between tests. */
beforeEach(async () => {
    models++;
    modelName = `GourmetGramFood11Model-${models}`;
    repository = `gourmetgram-app-${models}`;
    await mlflow.createModel(modelName);
    for (let i = 0; i < 3; i++) await mlflow.createVersion(modelName);
    kube.state = {
        deployments: [],
        pods: [],
        podMetrics: [],
        applications: [application("staging", "staging-1.0.1"), application("canary", "canary-1.0.1"), application("production", "production-1.0.1", false)],
        configMaps: [releaseRecordConfigMap()],
    };
    kube.onRequest = undefined;
    kube.requests.length = 0;
});

const conn = () => ["--mlflow-url", mlflow.url, "--registry-url", registry.url, "--model-name", modelName, "--repository", repository];
const kubeClient = () => new KubeClient(kubeconfigTarget(kube.kubeconfig()));

function doPromote(from: string, to: string, version: string) {
    const o = parsePromoteArgs(["--from", from, "--to", to, "--version", version, ...conn()], loginEnv);
    return runRelease("promote", o.conn, {}, (ctx) => promote(o, ctx), kubeClient);
}
function doRevert(env: string, reason: string) {
    const o = parseRevertArgs(["--env", env, "--reason", reason, ...conn()], loginEnv);
    return runRelease("revert", o.conn, {}, (ctx) => revert(o, ctx), kubeClient);
}
function doMarkGood(env: string, version: string, environment: NodeJS.ProcessEnv = loginEnv) {
    const o = parseMarkGoodArgs(["--env", env, "--version", version, ...conn()], environment);
    return runRelease("mark-good", o.conn, {}, (ctx) => markGood(o, ctx), kubeClient);
}
const registryClient = () => new RegistryClient(registry.url, undefined, undefined, login);

async function aliases(): Promise<Record<string, string>> {
    const r = await mlflow.api<{ registered_model: { aliases?: Array<{ alias: string; version: string }> } }>("GET", "registered-models/get", { name: modelName });
    return Object.fromEntries((r.registered_model.aliases ?? []).map((a) => [a.alias, a.version]));
}
async function modelTags(): Promise<Record<string, string>> {
    const r = await mlflow.api<{ registered_model: { tags?: Array<{ key: string; value: string }> } }>("GET", "registered-models/get", { name: modelName });
    return Object.fromEntries((r.registered_model.tags ?? []).map((t) => [t.key, t.value]));
}
async function versionTags(version: string): Promise<Record<string, string>> {
    const r = await mlflow.api<{ model_version: { tags?: Array<{ key: string; value: string }> } }>("GET", "model-versions/get", { name: modelName, version });
    return Object.fromEntries((r.model_version.tags ?? []).map((t) => [t.key, t.value]));
}
const digest = async (tag: string) => (await registryClient().getManifest(repository, tag))?.digest;
const appTag = (env: string) => deployedTag(kube.state.applications.find((a) => a.metadata.name === `gourmetgram-${env}`) as any);
const setAlias = (alias: string, version: string) => mlflow.api("POST", "registered-models/alias", { name: modelName, alias, version });
const recordEntry = (env: string) => kube.state.configMaps!.find((c) => c.metadata.name === "gourmetgram-release-record")!.data[`last-good-${env}`];
/** A version that passed staging: its image pushed, mark-good run, alias staging on it. */
async function passedStaging(version: string): Promise<string> {
    const pushed = await registry.push(repository, `staging-1.0.${version}`);
    expect((await doMarkGood("staging", version)).result.verdict).toBe("pass");
    await setAlias("staging", version);
    return pushed;
}

describe("mark-good", () => {
    it("records last-good only for a version whose image exists, idempotently", async () => {
        const missing = await doMarkGood("staging", "2");
        expect(missing.result.verdict).toBe("fail");
        expect(missing.result.reason).toMatch(new RegExp(`image ${repository}:staging-1.0.2 does not exist`));
        expect(await modelTags()).toEqual({});

        await registry.push(repository, "staging-1.0.2");
        const ok = await doMarkGood("staging", "2");
        expect(ok.result.verdict).toBe("pass");
        expect((await modelTags())["last-good-staging"]).toBe("2");
        expect(await versionTags("2")).toHaveProperty("passed-staging");
        const tested = await digest("staging-1.0.2");
        expect((await versionTags("2"))["tested-digest"]).toBe(tested);
        expect(JSON.parse(recordEntry("staging"))).toEqual({ version: "2", digest: tested });
        expect((await aliases()).staging).toBe("2");
        const again = await doMarkGood("staging", "2");
        expect(again.result.verdict).toBe("pass");
        expect(again.result.metrics.steps.find((s) => s.step === "last-good")!.outcome).toBe("already-done");
    });

    it("refuses a version MLflow does not have", async () => {
        const r = await doMarkGood("staging", "99");
        expect(r.result.reason).toMatch(/model version 99 of .* does not exist in MLflow/);
    });
});

describe("promote", () => {
    it("retags, points the target Application at the new tag, then moves the alias", async () => {
        const source = await passedStaging("2");
        const r = await doPromote("staging", "canary", "2");
        expect(r.result.verdict).toBe("pass");
        expect(r.result.reason).toBe("version 2 promoted from staging to canary (image canary-1.0.2)");
        expect(await digest("canary-1.0.2")).toBe(source);
        const app = kube.state.applications.find((a) => a.metadata.name === "gourmetgram-canary")!;
        expect(app.spec.source.helm.parameters).toEqual([{ name: "image.tag", value: "canary-1.0.2" }]);
        expect(app.spec.source.helm.valuesObject.image).toEqual({ repository: "registry.kube-system.svc.cluster.local:5000/gourmetgram-app", tag: "canary-1.0.2" });
        expect(app.spec.source.helm.valuesObject.environment).toBe("canary");
        expect(await aliases()).toEqual({ staging: "2", canary: "2" });
        expect(r.result.metrics.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(["source:checked", "tested:checked", "retag:changed", "deploy:changed", "alias:changed"]);
        const patch = kube.requests.find((q) => q.method === "PATCH" && q.path.includes("/applications/"))!;
        expect(patch.contentType).toBe("application/merge-patch+json");
        expect(patch.path).toMatch(/fieldManager=gourmetgram-release/);

        const rerun = await doPromote("staging", "canary", "2");
        expect(rerun.result.verdict).toBe("pass");
        expect(rerun.result.metrics.steps.map((s) => s.outcome)).toEqual(["checked", "checked", "already-done", "already-done", "already-done"]);
    });

    it("finishes the job on a rerun after the Kubernetes API failed mid-promotion, and never moved the alias early", async () => {
        await passedStaging("3");
        // The record reads fine; the Argo CD Application does not.
        kube.onRequest = (path) => {
            if (path.includes("/applications/")) kube.state.forceStatus = 500;
        };
        const crashed = await doPromote("staging", "canary", "3");
        expect(crashed.result.verdict).toBe("fail");
        expect(crashed.result.reason).toMatch(/answered HTTP 500/);
        expect(kube.requests.length).toBeGreaterThan(1); // retried 5xx with backoff
        expect(await digest("canary-1.0.3")).toBeDefined();
        expect((await aliases()).canary).toBeUndefined();

        kube.onRequest = undefined;
        kube.state.forceStatus = undefined;
        const rerun = await doPromote("staging", "canary", "3");
        expect(rerun.result.verdict).toBe("pass");
        expect(rerun.result.metrics.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(["source:checked", "tested:checked", "retag:already-done", "deploy:changed", "alias:changed"]);
        expect(appTag("canary")).toBe("canary-1.0.3");
    });

    it("refuses when the source image is missing, leaving the alias and the Application alone", async () => {
        await passedStaging("2");
        await registry.deleteTag(repository, "staging-1.0.2");
        const r = await doPromote("staging", "canary", "2");
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toBe(`image ${repository}:staging-1.0.2 does not exist in the registry; nothing to retag`);
        expect((await aliases()).canary).toBeUndefined();
        expect(appTag("canary")).toBe("canary-1.0.1");
    });

    it("refuses a version the source environment does not have", async () => {
        await registry.push(repository, "staging-1.0.2");
        await setAlias("staging", "1");
        const r = await doPromote("staging", "canary", "2");
        expect(r.result.reason).toBe("staging does not have version 2 (alias staging -> 1, last-good-staging = none)");
        const unknown = await doPromote("staging", "canary", "42");
        expect(unknown.result.reason).toMatch(/model version 42 of .* does not exist in MLflow/);
    });

    it("works on an Application that carries the tag only in valuesObject (canary -> production)", async () => {
        await passedStaging("2");
        expect((await doPromote("staging", "canary", "2")).result.verdict).toBe("pass");
        const r = await doPromote("canary", "production", "2");
        expect(r.result.verdict).toBe("pass");
        const app = kube.state.applications.find((a) => a.metadata.name === "gourmetgram-production")!;
        expect(app.spec.source.helm.parameters).toBeUndefined();
        expect(app.spec.source.helm.valuesObject.image.tag).toBe("production-1.0.2");
    });

    it("refuses a tag pushed again after staging's gates tested it", async () => {
        const tested = await passedStaging("2");
        const repushed = await registry.push(repository, "staging-1.0.2");
        const r = await doPromote("staging", "canary", "2");
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toBe(
            `image ${repository}:staging-1.0.2 is ${repushed}, but the image that passed staging's gates was ${tested}: the tag was pushed again after testing, so it is not promoted. Run the pipeline again for this version`,
        );
        expect(await digest("canary-1.0.2")).toBeUndefined();
        expect((await aliases()).canary).toBeUndefined();
    });

    it("takes the tested digest from MLflow once staging's record has moved on, and refuses a version with none", async () => {
        const tested = await passedStaging("2");
        expect((await doPromote("staging", "canary", "2")).result.verdict).toBe("pass");
        await passedStaging("3");
        const r = await doPromote("canary", "production", "2");
        expect(r.result.verdict).toBe("pass");
        expect(await digest("production-1.0.2")).toBe(tested);

        await registry.push(repository, "canary-1.0.1");
        await setAlias("canary", "1");
        const untested = await doPromote("canary", "production", "1");
        expect(untested.result.reason).toBe("version 1 has no tested image digest (mark-good records it when the version passes staging), so there is no proof it passed; it is not promoted");

        await mlflow.api("POST", "model-versions/set-tag", { name: modelName, version: "1", key: "tested-digest", value: "7/../../x" });
        const forged = await doPromote("canary", "production", "1");
        expect(forged.result.reason).toBe(`version 1's tested-digest tag in MLflow is not an image digest: "7/../../x"`);
        expect(appTag("production")).toBe("production-1.0.2");
    });

    it("rejects bad flags as usage errors", () => {
        expect(() => parsePromoteArgs(["--from", "canary", "--to", "staging", "--version", "2"], {})).toThrow(/--to must come after --from in staging -> canary -> production/);
        expect(() => parsePromoteArgs(["--from", "staging", "--to", "qa", "--version", "2"], {})).toThrow(/--to must be one of staging, canary, production, got "qa"/);
        expect(() => parsePromoteArgs(["--from", "staging", "--to", "canary", "--version", "1.0.2"], {})).toThrow(/--version must be a positive integer/);
        expect(() => parsePromoteArgs(["--from", "staging", "--to", "canary", "--version", "2", "--mlflow-url", "mlflow:8000"], {})).toThrow(/--mlflow-url must/);
    });
});

describe("revert", () => {
    it("goes back to the recorded last-good version and records why on the replaced one", async () => {
        await registry.push(repository, "staging-1.0.1");
        await registry.push(repository, "staging-1.0.2");
        expect((await doMarkGood("staging", "1")).result.verdict).toBe("pass");
        await setAlias("staging", "2");
        kube.state.applications[0] = application("staging", "staging-1.0.2");

        const r = await doRevert("staging", "integration gate: /test returned an HTML error page (HTTP 500)");
        expect(r.result.verdict).toBe("pass");
        expect(r.result.reason).toBe("staging reverted to last-good version 1 (replacing v2)");
        expect(appTag("staging")).toBe("staging-1.0.1");
        expect((await aliases()).staging).toBe("1");
        expect((await versionTags("2"))["reverted-from-staging"]).toBe("integration gate: /test returned an HTML error page (HTTP 500)");

        const rerun = await doRevert("staging", "again");
        expect(rerun.result.verdict).toBe("pass");
        expect(rerun.result.metrics.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual([
            "last-good:checked",
            "image:checked",
            "deploy:already-done",
            "record:already-done",
            "alias:already-done",
        ]);
        expect((await versionTags("1"))["reverted-from-staging"]).toBeUndefined();
    });

    it("records the reason on the version the caller names, even if the alias never moved to it", async () => {
        await registry.push(repository, "staging-1.0.1");
        expect((await doMarkGood("staging", "1")).result.verdict).toBe("pass");
        await setAlias("staging", "1");
        const o = parseRevertArgs(["--env", "staging", "--reason", "load gate failed", "--failed-version", "3", ...conn()], loginEnv);
        const r = await runRelease("revert", o.conn, {}, (ctx) => revert(o, ctx), kubeClient);
        expect(r.result.reason).toBe("staging reverted to last-good version 1 (replacing v3)");
        expect((await versionTags("3"))["reverted-from-staging"]).toBe("load gate failed");
        expect(() => parseRevertArgs(["--env", "staging", "--reason", "x", "--failed-version", "v3"], {})).toThrow(/--failed-version must be a positive integer/);
    });

    it("refuses without a last-good record instead of guessing from version numbers", async () => {
        await setAlias("staging", "3");
        const r = await doRevert("staging", "load gate failed");
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toMatch(/no last-good version is recorded for staging; mark-good records it when a version passes/);
        expect((await aliases()).staging).toBe("3");
    });

    it("restores a missing last-good image from another environment's tag with the tested digest", async () => {
        const tested = await passedStaging("1");
        // The registry deletes manifests, not tags: keep the tested manifest under canary's tag only.
        const client = registryClient();
        const manifest = (await client.getManifest(repository, "staging-1.0.1"))!;
        await registry.deleteTag(repository, "staging-1.0.1");
        await client.putManifest(repository, "canary-1.0.1", manifest);
        await setAlias("staging", "2");
        const r = await doRevert("staging", "resource gate failed");
        expect(r.result.reason).toBe("staging reverted to last-good version 1 (replacing v2)");
        expect(await digest("staging-1.0.1")).toBe(tested);

        // A donor tag with other content is not the tested image.
        await registry.deleteTag(repository, "staging-1.0.1");
        await registry.push(repository, "canary-1.0.1");
        await setAlias("staging", "2");
        const gone = await doRevert("staging", "resource gate failed");
        expect(gone.result.verdict).toBe("fail");
        expect(gone.result.reason).toBe(`image ${repository}:staging-1.0.1 for last-good v1 is missing, and no other environment has the tested image ${tested} to restore it from`);
        expect((await aliases()).staging).toBe("2");
    });

    it("refuses a last-good tag that was pushed again, and a malformed record", async () => {
        const tested = await passedStaging("1");
        const repushed = await registry.push(repository, "staging-1.0.1");
        const r = await doRevert("staging", "load gate failed");
        expect(r.result.reason).toBe(`image ${repository}:staging-1.0.1 is ${repushed}, not the tested ${tested}: the tag was pushed again, so it is not deployed`);

        kube.state.configMaps = [releaseRecordConfigMap({ "last-good-staging": JSON.stringify({ version: "7/../../x", digest: tested }) })];
        const bad = await doRevert("staging", "load gate failed");
        expect(bad.result.verdict).toBe("fail");
        expect(bad.result.reason).toMatch(new RegExp(`^ConfigMap ${releaseRecord.namespace}/${releaseRecord.configMap} holds a malformed last-good-staging entry`));
        expect(appTag("staging")).toBe("staging-1.0.1");
    });

    it("restores staging first when MLflow is down, and a rerun records it", async () => {
        await passedStaging("1");
        await registry.push(repository, "staging-1.0.2");
        await setAlias("staging", "2");
        kube.state.applications[0] = application("staging", "staging-1.0.2");
        const down = `http://127.0.0.1:${await closedPort()}`;
        const o = parseRevertArgs(["--env", "staging", "--reason", "load gate failed", "--failed-version", "2", ...conn()], loginEnv);
        const r = await runRelease("revert", { ...o.conn, mlflowUrl: down }, {}, (ctx) => revert(o, ctx), kubeClient);
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toMatch(/^staging is restored to v1 \(Argo CD deploys staging-1\.0\.1\), but recording the revert in MLflow failed: .*connection refused/);
        expect(appTag("staging")).toBe("staging-1.0.1");
        expect((await aliases()).staging).toBe("2");

        const rerun = await doRevert("staging", "load gate failed");
        expect(rerun.result.verdict).toBe("pass");
        expect(rerun.result.metrics.steps.find((s) => s.step === "deploy")!.outcome).toBe("already-done");
        expect((await aliases()).staging).toBe("1");
    }, 60_000);

    it("needs --reason and a known environment", () => {
        expect(() => parseRevertArgs(["--env", "staging"], {})).toThrow(/--reason is required/);
        expect(() => parseRevertArgs(["--env", "dev", "--reason", "x"], {})).toThrow(/--env must be one of/);
        expect(parseRevertArgs(["--env", "staging", "--reason", "x".repeat(6000)], {}).reason).toHaveLength(5000);
    });
});

describe("set-image-tag", () => {
    it("points the Application at the tag from a checked version, idempotently, keeping other Helm parameters", async () => {
        kube.state.applications[0].spec.source.helm.parameters.push({ name: "replicaCount", value: "2" });
        const o = parseSetImageTagArgs(["--env", "staging", "--version", "4", ...conn()], loginEnv);
        const r = await runRelease("set-image-tag", o.conn, {}, (ctx) => setImageTag(o, ctx), kubeClient);
        expect(r.result.reason).toBe("staging deploys staging-1.0.4");
        expect(kube.state.applications[0].spec.source.helm.parameters).toEqual([
            { name: "image.tag", value: "staging-1.0.4" },
            { name: "replicaCount", value: "2" },
        ]);
        const again = await runRelease("set-image-tag", o.conn, {}, (ctx) => setImageTag(o, ctx), kubeClient);
        expect(again.result.metrics.steps.map((s) => s.outcome)).toEqual(["already-done"]);
        for (const version of ["4\nspec: {project: other}", "1.0.4", "-1"]) {
            expect(() => parseSetImageTagArgs(["--env", "staging", `--version=${version}`], {}), version).toThrow(/--version must be a positive integer/);
        }
    });
});

describe("the registry's login", () => {
    it("works with the login from the step's environment", async () => {
        await registry.push(repository, "staging-1.0.2");
        expect((await doMarkGood("staging", "2")).result.verdict).toBe("pass");
    });

    it("fails a step the registry refused without a login, saying what to set", async () => {
        await registry.push(repository, "staging-1.0.2");
        const r = await doMarkGood("staging", "2", {});
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toMatch(
            new RegExp(
                `^registry ${repository}:staging-1\\.0\\.2: the registry refused a request without a login \\(REGISTRY_USERNAME / REGISTRY_PASSWORD are unset; ` +
                    `workflow steps take them from Secret ${registryCredentials.secretName}\\): HTTP 401 .*UNAUTHORIZED`,
            ),
        );
        expect(await modelTags()).toEqual({});
    });

    it("fails a step whose login the registry refused, never showing a password", async () => {
        await registry.push(repository, "staging-1.0.2");
        const wrong = { ...loginEnv, [gateImageEnv.registryPassword]: "hunter2-not-the-password" };
        const r = await doMarkGood("staging", "2", wrong);
        expect(r.result.verdict).toBe("fail");
        expect(r.result.reason).toMatch(/the registry refused the login in REGISTRY_USERNAME \/ REGISTRY_PASSWORD \(compare it with Secret registry-credentials or the stack output registryLogin\): HTTP 401/);
        for (const secret of ["hunter2", login.password]) expect(JSON.stringify(r)).not.toContain(secret);
    });

    it("refuses a retag without a login, at once (a 401 is an answer, not retried)", async () => {
        await registry.push(repository, "staging-1.0.2");
        const manifest = (await registryClient().getManifest(repository, "staging-1.0.2"))!;
        const anonymous = new RegistryClient(registry.url, 5_000, { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 2_000 });
        const started = Date.now();
        const refused = await anonymous.putManifest(repository, "canary-1.0.2", manifest).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(RegistryError);
        expect((refused as Error).message).toMatch(new RegExp(`^registry ${repository}:canary-1\\.0\\.2: the registry refused a request without a login .*HTTP 401`));
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(await digest("canary-1.0.2")).toBeUndefined();
    });

    it("takes both variables or neither, as a usage error that never shows the password", () => {
        expect(() => parseMarkGoodArgs(["--env", "staging", "--version", "2"], { [gateImageEnv.registryPassword]: "hunter2-secret" })).toThrow(
            /REGISTRY_PASSWORD is set but REGISTRY_USERNAME is not: set both for the registry's login, or neither/,
        );
        expect(() => parseMarkGoodArgs(["--env", "staging", "--version", "2"], { [gateImageEnv.registryUsername]: "u" })).toThrow(
            /REGISTRY_USERNAME is set but REGISTRY_PASSWORD is not/,
        );
    });
});

describe("retries", () => {
    it("retries 5xx and gives up with the last error; never retries a 4xx", async () => {
        let calls = 0;
        const statuses = [503, 502, 200];
        const server = http.createServer((_req, res) => {
            res.statusCode = statuses[Math.min(calls++, statuses.length - 1)];
            res.end("x");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const op = async () => {
            const res = await httpRequest({ url, timeoutMs: 1000 });
            if (res.status >= 500) throw new ServerError(res.status, "test", "");
            if (res.status >= 400) throw new Error(`client error ${res.status}`);
            return res.status;
        };
        const policy = { attempts: 5, baseDelayMs: 5, maxDelayMs: 20 };
        expect(await withRetry(op, policy)).toBe(200);
        expect(calls).toBe(3);
        calls = 0;
        statuses.splice(0, 3, 500, 500, 500);
        await expect(withRetry(op, { ...policy, attempts: 2 })).rejects.toThrow(/HTTP 500/);
        expect(calls).toBe(2);
        calls = 0;
        statuses.splice(0, 3, 404, 200, 200);
        await expect(withRetry(op, policy)).rejects.toThrow(/client error 404/);
        expect(calls).toBe(1);
        await new Promise((r) => server.close(r));
    });
});

describe("release commands as subprocesses", () => {
    it("read MLflow and the registry from the environment the workflow sets, and exit 0/1/2", async () => {
        await passedStaging("2");
        const env = { MLFLOW_TRACKING_URI: mlflow.url, REGISTRY_URL: registry.url, ...loginEnv, KUBECONFIG: kube.kubeconfig(), KUBERNETES_SERVICE_HOST: "" };
        const names = ["--model-name", modelName, "--repository", repository];
        const ok = await runCli(["promote", "--from", "staging", "--to", "canary", "--version", "2", ...names], env);
        expect(ok.code).toBe(0);
        expect(ok.report!.verdict).toBe("pass");
        expect(ok.report!.metrics.steps).toHaveLength(5);
        const bad = await runCli(["revert", "--env", "canary", "--reason", "manual", ...names], env);
        expect(bad.code).toBe(1);
        expect(bad.report!.reason).toMatch(/no last-good version is recorded for canary/);
        const usage = await runCli(["mark-good", "--env", "staging", "--version", "two"], env);
        expect(usage.code).toBe(2);
    });
});
