import { describe, expect, it } from "vitest";
import { mlflow, namespaces } from "../../../vocabulary/names";
import { noLoopbackUrls } from "../../../policies/rules/no-loopback-urls";
import { allPodBearing, appApplication, argoWorkflows, goodContainer, ITemplate } from "../fixtures";
import { createArgsForType, expectNoViolations, expectViolation, runResourcePolicy } from "../util";

/** Each way a workflow spec can carry an address, with the address to put there. */
const placements: Record<string, (url: string) => ITemplate[]> = {
    args: (url) => [{ name: "t", container: goodContainer({ args: ["--mlflow", url] }) }],
    command: (url) => [{ name: "t", container: goodContainer({ command: ["sh", "-c", `curl -sf ${url}/health`] }) }],
    "script source": (url) => [{ name: "t", script: { ...goodContainer(), source: `import requests\nrequests.get("${url}/version")\n` } }],
    "env value": (url) => [{ name: "t", container: goodContainer({ env: [{ name: "MLFLOW_TRACKING_URI", value: url }] }) }],
    "input parameter default": (url) => [{ name: "t", inputs: { parameters: [{ name: "mlflow-url", default: url }] }, container: goodContainer() }],
    "input parameter value": (url) => [{ name: "t", inputs: { parameters: [{ name: "mlflow-url", value: url }] }, container: goodContainer() }],
    "enum value": (url) => [{ name: "t", inputs: { parameters: [{ name: "target", enum: ["http://a.example", url] }] }, container: goodContainer() }],
    "step argument": (url) => [
        { name: "main", dag: { tasks: [{ name: "call", template: "t", arguments: { parameters: [{ name: "u", value: url }] } }] } },
        { name: "t", inputs: { parameters: [{ name: "u" }] }, container: goodContainer() },
    ],
    "http template": (url) => [{ name: "t", http: { url: `${url}/predict`, method: "GET" } }],
    "sidecar env": (url) => [{ name: "t", container: goodContainer(), sidecars: [{ ...goodContainer({ name: "proxy" }), env: [{ name: "UPSTREAM", value: url }] }] }],
};

const loopbacks = [
    "http://localhost:8000",
    "http://LOCALHOST:8000",
    "http://app.localhost",
    "http://127.0.0.1:8000",
    "http://127.1:8000",
    "http://0x7f.0.0.1:8000",
    "http://2130706433:8000",
    "http://[::1]:8000",
    "http://[::ffff:127.0.0.1]:8000",
    "localhost:8000",
    "127.0.0.1:8000",
];
const unspecified = ["http://0.0.0.0:8000", "http://[::]:8000", "0.0.0.0:8000"];

describe("no-loopback-urls: Argo workflow kinds", () => {
    describe.each(Object.keys(argoWorkflows))("%s", (kind) => {
        it.each(Object.keys(placements))("fails on a loopback URL in %s", async (placement) => {
            await expectViolation(noLoopbackUrls, argoWorkflows[kind](placements[placement]("http://localhost:8000")), "http://localhost:8000", "loopback");
        });

        it.each(Object.keys(placements))("passes with the cluster DNS name in %s", async (placement) => {
            await expectNoViolations(noLoopbackUrls, argoWorkflows[kind](placements[placement](mlflow.url)));
        });
    });

    it.each(loopbacks)("recognizes %s as loopback", async (url) => {
        await expectViolation(noLoopbackUrls, argoWorkflows.WorkflowTemplate(placements.args(url)), "is a loopback address");
    });

    it.each(unspecified)("recognizes %s as the unspecified address", async (url) => {
        await expectViolation(noLoopbackUrls, argoWorkflows.WorkflowTemplate(placements.args(url)), "unspecified address");
    });

    it.each(["http://localhost-proxy.example.com:8080", "http://{{inputs.parameters.app-url}}", "http://$(APP_HOST):8000"])(
        "accepts %s",
        async (url) => {
            await expectNoViolations(noLoopbackUrls, argoWorkflows.WorkflowTemplate(placements.args(url)));
        },
    );

    it("reads a security profile's type Localhost as the node's profile, not an address, and still checks the rest of that container", async () => {
        const securityContext = { seccompProfile: { type: "Localhost" as const, localhostProfile: "gourmetgram/image-builder.json" }, appArmorProfile: { type: "Localhost" as const, localhostProfile: "builder" } };
        await expectNoViolations(noLoopbackUrls, argoWorkflows.WorkflowTemplate([{ name: "t", container: { ...goodContainer(), securityContext } }]));
        const withUrl = argoWorkflows.WorkflowTemplate([{ name: "t", container: { ...goodContainer({ args: ["--url", "http://localhost:8000"] }), securityContext } }]);
        await expectViolation(noLoopbackUrls, withUrl, "container.args[1]", "loopback");
    });

    it("checks workflow-level arguments, naming the path", async () => {
        const args = argoWorkflows.Workflow([{ name: "t", container: goodContainer() }], {
            arguments: { parameters: [{ name: "app-url", value: "http://127.0.0.1:8000" }] },
        });
        await expectViolation(noLoopbackUrls, args, "Workflow spec.arguments.parameters[0].value");
    });

    it("ignores addresses in human-readable descriptions", async () => {
        const template: ITemplate = {
            name: "t",
            inputs: { parameters: [{ name: "u", default: mlflow.url, description: "e.g. http://localhost:8000 when port-forwarding" }] },
            container: goodContainer(),
        };
        await expectNoViolations(noLoopbackUrls, argoWorkflows.WorkflowTemplate([template]));
    });

    it("reports each finding once per place", async () => {
        const messages = await runResourcePolicy(
            noLoopbackUrls,
            argoWorkflows.WorkflowTemplate(placements["script source"]("http://localhost:8000")),
        );
        expect(messages).toHaveLength(1);
        expect(messages[0]).toContain("spec.templates[0].script.source");
    });
});

describe("no-loopback-urls: Argo Events", () => {
    it.each(["Sensor", "EventSource"])("checks a %s", async (kind) => {
        const type = `kubernetes:argoproj.io/v1alpha1:${kind}`;
        const bad = createArgsForType(type, {
            metadata: { namespace: namespaces.argoEvents },
            spec: { triggers: [{ template: { name: "t", http: { url: "http://127.0.0.1:2746/api/v1/workflows/argo" } } }] },
        });
        await expectViolation(noLoopbackUrls, bad, `${kind} spec.triggers[0].template.http.url`);
        const good = createArgsForType(type, {
            spec: { triggers: [{ template: { name: "t", http: { url: "https://argo-server.argo.svc.cluster.local:2746/api/v1/workflows/argo" } } }] },
        });
        await expectNoViolations(noLoopbackUrls, good);
    });
});

describe("no-loopback-urls: ConfigMaps and env in the watched namespaces", () => {
    const configMap = (namespace: string, data: Record<string, string>) =>
        createArgsForType("kubernetes:core/v1:ConfigMap", { metadata: { name: "c", namespace }, data });

    it("fails on a ConfigMap value in the pipeline namespace", async () => {
        await expectViolation(noLoopbackUrls, configMap(namespaces.argo, { MLFLOW_TRACKING_URI: "http://localhost:8000" }), "ConfigMap data.MLFLOW_TRACKING_URI");
        await expectViolation(noLoopbackUrls, configMap(namespaces.staging, { "app.yaml": "mlflow:\n  host: 127.0.0.1:8000\n" }), "data.app.yaml");
    });

    it("passes ConfigMaps with cluster DNS, and ignores namespaces it does not watch", async () => {
        await expectNoViolations(noLoopbackUrls, configMap(namespaces.argo, { MLFLOW_TRACKING_URI: mlflow.url }));
        await expectNoViolations(noLoopbackUrls, configMap("kube-system", { "registries.yaml": "mirrors:\n  localhost:5000: {}\n" }));
    });

    it("follows the configured namespaces", async () => {
        await expectViolation(
            noLoopbackUrls,
            createArgsForType(
                "kubernetes:core/v1:ConfigMap",
                { metadata: { namespace: "shop" }, data: { URL: "http://[::1]/" } },
                { config: { namespaces: ["shop"] } },
            ),
            "ConfigMap data.URL",
        );
    });

    it.each(Object.keys(allPodBearing).filter((k) => !k.includes("Workflow")))("checks env values of a %s", async (kind) => {
        const bad = goodContainer({ env: [{ name: "MLFLOW_TRACKING_URI", value: "http://localhost:8000" }] });
        await expectViolation(noLoopbackUrls, allPodBearing[kind](bad, { namespace: namespaces.platform }), ".env[0].value");
        const good = goodContainer({ env: [{ name: "MLFLOW_TRACKING_URI", value: mlflow.url }] });
        await expectNoViolations(noLoopbackUrls, allPodBearing[kind](good, { namespace: namespaces.platform }));
    });

    it("checks the helm values of app environment Applications", async () => {
        await expectViolation(
            noLoopbackUrls,
            appApplication(namespaces.staging, { valuesObject: { env: { MLFLOW_TRACKING_URI: "http://localhost:8000" } } }),
            "spec.source.helm values.env.MLFLOW_TRACKING_URI",
        );
        await expectNoViolations(noLoopbackUrls, appApplication(namespaces.staging, { valuesObject: { env: { MLFLOW_TRACKING_URI: mlflow.url } } }));
    });
});
