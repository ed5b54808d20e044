import * as path from "path";
import { isSecret as pulumiIsSecret } from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load";
import { platformConfig } from "../../../infra/platform/config";
import { namespaces, registryCredentials } from "../../../vocabulary/names";
import type { Platform } from "../../../infra/platform/platform";
import { containerImages, contentTaggedImage, installMocks, mockPassword, mockToken, ofType, plainStrings, type Registered, settled } from "./harness";
import { registeredObject, validate } from "./schema";

const fixtures = path.join(__dirname, "fixtures");

describe("Platform (the whole layer under mocks, offline manifests)", () => {
    let registered: Registered[];
    let platform: Platform;

    beforeAll(async () => {
        const settings = loadStackConfig(
            "gourmetgram",
            {
                "gourmetgram:appChartRepoUrl": "https://git.example.test/gourmetgram.git",
                "gourmetgram:argoWorkflowsManifest": path.join(fixtures, "argo-workflows-install.yaml"),
                "gourmetgram:argoCdManifest": path.join(fixtures, "argo-cd-install.yaml"),
                "gourmetgram:imageBuildsEnabled": "false",
            },
            { platform: platformConfig },
        ).platform;
        registered = installMocks();
        const { Platform } = await import("../../../infra/platform/platform.js");
        platform = new Platform("platform", { settings, publicAddress: "203.0.113.7" });
        await settled(registered);
    });

    it("creates every namespace and component, keeps secrets secret and sets limits everywhere", async () => {

        expect(ofType(registered, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name).sort()).toEqual([
            "argo",
            "argocd",
            "gourmetgram-canary",
            "gourmetgram-platform",
            "gourmetgram-production",
            "gourmetgram-staging",
            "gourmetgram-workflows",
        ]);
        const components = registered.filter((r) => r.type.startsWith("gourmetgram:")).map((r) => r.type);
        for (const t of ["ImageRegistry", "Postgres", "Minio", "Mlflow", "ImageBuild", "ArgoWorkflows", "ArgoCd"]) {
            expect(components).toContain(`gourmetgram:platform:${t}`);
        }
        expect(components).not.toContain("gourmetgram:platform:ArgoEvents");
        // Builds are off: the MLflow image tag is computed but no image build Job exists.
        expect(ofType(registered, "kubernetes:batch/v1:Job").map((j) => j.inputs.metadata.name).sort()).toEqual([
            "minio-create-bucket-mlflow-artifacts",
            "mlflow-create-users",
        ]);
        const mlflow = ofType(registered, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === "mlflow")!;
        expect(containerImages(mlflow.inputs)[0]).toMatch(contentTaggedImage);

        const groups = ofType(registered, "kubernetes:yaml/v2:ConfigGroup");
        expect(groups).toHaveLength(2);
        const upstream = groups.flatMap((g) => g.inputs.objs as any[]);
        for (const workload of upstream.filter((o) => o.kind === "Deployment")) {
            for (const c of workload.spec.template.spec.containers) expect(c.resources.limits, c.name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        }

        const leaks = registered.flatMap((r) =>
            plainStrings(r.inputs).filter((s) => /MockPw/.test(s.value) || s.value === mockPassword("x")).map((s) => `${r.name}:${s.path}`),
        );
        expect(leaks).toEqual([]);
        const urls = await new Promise((resolve) => platform.urls.apply(resolve));
        expect(urls).toMatchObject({ mlflow: "http://203.0.113.7:8000", app: "http://203.0.113.7", production: "http://203.0.113.7:8082" });
    });

    it("hands Pulumi only objects that validate against their Kubernetes schema", () => {
        // The upstream install manifests (ConfigGroup) are applied as published; everything
        // else is built by this repository and must pass its schema, secrets included.
        const objects = registered.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:yaml/v2:ConfigGroup");
        for (const resource of objects) expect(() => validate(registeredObject(resource)), resource.name).not.toThrow();
        expect(new Set(objects.map((r) => r.type.split(":")[2]))).toEqual(
            new Set([
                ...["Namespace", "Secret", "Service", "PersistentVolumeClaim", "Deployment", "Job", "Application", "AppProject", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy"],
                ...["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
                ...["TraefikService", "IngressRoute", "HelmChartConfig"],
            ]),
        );
    });

    it("hands the people of the lab MLflow's admin password and an Argo Workflows token, both secret", async () => {
        const reveal = <T>(o: import("@pulumi/pulumi").Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        expect(await reveal(platform.mlflowAdminPassword)).toBe(mockPassword("platform-mlflow-admin-password"));
        expect(await reveal(platform.argoWorkflowsToken)).toBe(`Bearer ${mockToken}`);
        expect(await pulumiIsSecret(platform.mlflowAdminPassword)).toBe(true);
        expect(await pulumiIsSecret(platform.argoWorkflowsToken)).toBe(true);
    });

    it("hands them the registry's login, secret, and writes it where pods push to or pull from the registry", async () => {
        const reveal = <T>(o: import("@pulumi/pulumi").Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        expect(await reveal(platform.registryLogin)).toEqual({ username: registryCredentials.username, password: mockPassword("platform-registry-login-password") });
        expect(await pulumiIsSecret(platform.registryLogin)).toBe(true);
        const logins = ofType(registered, "kubernetes:core/v1:Secret").filter((s) => s.inputs.metadata.name === registryCredentials.secretName);
        expect(logins.map((s) => s.inputs.metadata.namespace).sort()).toEqual(
            [namespaces.platform, namespaces.workflows, namespaces.staging, namespaces.canary, namespaces.production].sort(),
        );
    });

    it("runs argo-server in client auth mode, namespaced, and the controller only from WorkflowTemplates", () => {
        const upstream = ofType(registered, "kubernetes:yaml/v2:ConfigGroup").flatMap((g) => g.inputs.objs as any[]);
        const server = upstream.find((o) => o.kind === "Deployment" && o.metadata.name === "argo-server");
        expect(server.spec.template.spec.containers[0].args).toEqual(["server", "--auth-mode=client", "--namespaced=true", "--managed-namespace=gourmetgram-workflows"]);
        const controller = upstream.find((o) => o.kind === "Deployment" && o.metadata.name === "workflow-controller");
        expect(controller.spec.template.spec.containers[0].args).toEqual(["--namespaced=true", "--managed-namespace=gourmetgram-workflows"]);
        const controllerConfig = upstream.find((o) => o.kind === "ConfigMap" && o.metadata.name === "workflow-controller-configmap");
        expect(controllerConfig.data.workflowRestrictions).toBe("templateReferencing: Strict\n");
        // The lab user's token Secret belongs to a service account bound to a Role in the workflows namespace only.
        const token = ofType(registered, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.annotations?.["kubernetes.io/service-account.name"] === "gourmetgram-lab-user")!;
        expect(token.inputs.metadata).toMatchObject({ namespace: "argo", annotations: { "kubernetes.io/service-account.name": "gourmetgram-lab-user" } });
        const bindings = ofType(registered, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        expect(bindings.map((b) => b.inputs.subjects[0].name).sort()).toEqual(["gourmetgram-lab-user", "gourmetgram-workflow-executor"]);
        for (const binding of bindings) expect(binding.inputs).toMatchObject({ metadata: { namespace: "gourmetgram-workflows" }, roleRef: { kind: "Role" } });
        for (const role of ofType(registered, "kubernetes:rbac.authorization.k8s.io/v1:Role")) expect(JSON.stringify(role.inputs.rules)).not.toMatch(/secrets|"\*"/);
        expect(ofType(registered, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")).toEqual([]);
    });
});
