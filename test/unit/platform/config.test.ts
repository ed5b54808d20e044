import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load";
import { platformConfig } from "../../../infra/platform/config";
import { upstreamManifests } from "../../../infra/platform/argo";
import { installManifestSha256 } from "../../../vocabulary/versions";

const repo = "https://git.example.test/gourmetgram.git";
const load = (raw: Record<string, string>) =>
    loadStackConfig("gourmetgram", { "gourmetgram:appChartRepoUrl": repo, ...raw }, { platform: platformConfig }).platform;

function problems(raw: Record<string, string>): string {
    try {
        load(raw);
    } catch (error) {
        return JSON.stringify((error as { problems: unknown }).problems);
    }
    throw new Error("expected a ConfigError");
}

describe("platformConfig", () => {
    it("defaults to upstream manifests of the pinned versions, builds on, Argo Events off", () => {
        const s = load({});
        expect(s.argoWorkflowsManifest).toEqual(upstreamManifests.argoWorkflows);
        expect(s.argoCdManifest).toEqual(upstreamManifests.argoCd);
        expect(s.argoWorkflowsManifest).toMatchObject({ kind: "url", sha256: installManifestSha256.argoWorkflows });
        expect(s.argoEvents).toEqual({ enabled: false });
        expect(s.imageBuildsEnabled).toBe(true);
        expect(s.argoWorkflowsAuthMode).toBe("client");
        expect(s.appChartSource).toEqual({ repoUrl: repo, revision: "main" });
        expect(s.appResources.production.limits).toEqual({ cpu: "1", memory: "1Gi" });
        expect(s.storageClassName).toBe("local-path");
    });

    it("takes a local manifest file for offline clusters", () => {
        const file = path.join(__dirname, "fixtures", "argo-cd-install.yaml");
        expect(load({ "gourmetgram:argoCdManifest": file }).argoCdManifest).toEqual({ kind: "file", path: file });
        expect(problems({ "gourmetgram:argoCdManifest": "/nonexistent/install.yaml" })).toMatch(/argoCdManifest.*the path of an existing manifest file/);
    });

    it("overrides one environment's resources and keeps the others at the default", () => {
        const s = load({ "gourmetgram:appResources": JSON.stringify({ staging: { limits: { memory: "2Gi" } } }) });
        expect(s.appResources.staging.limits).toEqual({ cpu: "1", memory: "2Gi" });
        expect(s.appResources.canary.limits.memory).toBe("1Gi");
    });

    it("names the key and what is wrong for bad resource overrides", () => {
        expect(problems({ "gourmetgram:appResources": JSON.stringify({ staging: { limits: { memory: "lots" } } }) })).toMatch(
            /appResources.*staging\.limits\.memory \\"lots\\" is not a memory quantity/,
        );
        expect(problems({ "gourmetgram:appResources": JSON.stringify({ staging: { requests: { cpu: "2" } } }) })).toMatch(/CPU request 2 exceeds the limit 1\b/);
        expect(problems({ "gourmetgram:appResources": JSON.stringify({ qa: {} }) })).toMatch(/appResources/);
    });

    it("requires the chart's git URL and rejects unpinned MLflow images and unknown auth modes", () => {
        expect(() => loadStackConfig("gourmetgram", {}, { platform: platformConfig })).toThrow(/appChartRepoUrl/);
        expect(problems({ "gourmetgram:mlflowImage": "ghcr.io/mlflow/mlflow:latest" })).toMatch(/mlflowImage.*pinned by tag and digest/);
        expect(problems({ "gourmetgram:argoWorkflowsAuthMode": "none" })).toMatch(/argoWorkflowsAuthMode.*one of .*client.*sso/);
        // "server" mode let anyone who reached port 2746 act as argo-server's cluster-wide account.
        expect(problems({ "gourmetgram:argoWorkflowsAuthMode": "server" })).toMatch(/argoWorkflowsAuthMode.*"value":"server".*expected one of .*client.*sso[^,]*"\}\]$/);
    });

    it("turns Argo Events on with its upstream manifest", () => {
        expect(load({ "gourmetgram:argoEventsEnabled": "true" }).argoEvents).toEqual({
            enabled: true,
            manifest: upstreamManifests.argoEvents,
        });
    });

    it("accepts the pinned upstream URL written out, and refuses plain http or a URL without a pinned sha256", () => {
        expect(load({ "gourmetgram:argoCdManifest": upstreamManifests.argoCd.url }).argoCdManifest).toEqual(upstreamManifests.argoCd);
        const http = upstreamManifests.argoWorkflows.url.replace("https://", "http://");
        expect(problems({ "gourmetgram:argoWorkflowsManifest": http })).toMatch(/argoWorkflowsManifest.*plain http is refused.*use https:\/\/github\.com\/argoproj\/argo-workflows/);
        expect(problems({ "gourmetgram:argoCdManifest": "https://mirror.example.test/argo-cd/install.yaml" })).toMatch(
            /argoCdManifest.*only https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/v[\d.]+\/manifests\/install\.yaml \(the default\) has a pinned sha256.*set this key to its local path/,
        );
    });
});
