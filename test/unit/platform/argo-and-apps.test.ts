import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appImageTag, appName, appProjectName, defaultAppResources, environmentPorts, environments, namespaces, registry, registryCredentials } from "../../../vocabulary/names";
import { appApplication, appChartPath, environmentNamespace } from "../../../infra/apps/application";
import { appImageTagParameter } from "../../../vocabulary/app-image-tag-fields";
import { appProject, chartKinds, inClusterServer, lockedDefaultProject } from "../../../infra/apps/project";
import { prepareObjects } from "../../../infra/platform/argo/install";
import { loadManifest, parseManifest } from "../../../infra/platform/argo/manifest-source";
import { argoCdUiService, argoWorkflowsUiService } from "../../../infra/platform/argo/services";
import { setContainerFlag } from "../../../infra/platform/argo/transforms";
import { withoutDex } from "../../../infra/platform/argo/without-dex";
import { argoDefaultResources, customizeArgoWorkflows } from "../../../infra/platform/argo";
import { allowedWorkflowSpecFields, workflowAdmissionBinding, workflowAdmissionPolicy } from "../../../infra/platform/argo/workflow-admission";
import { trainOnPushSensor } from "../../../pipeline/events/github-trigger";
import { pipelineCronWorkflows, pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { cron, settings as pipelineSettings } from "../pipeline/fixtures";
import { argoLabUser, argoLabUserRole, argoLabUserRoleBinding, argoLabUserServiceAccount, workflowControllerConfigMap } from "../../../infra/platform/argo/access";
import { platformUrls } from "../../../infra/platform/urls";
import { installMocks, isSecret, ofType, plainStrings, secretValues, settled } from "./harness";
import { validate } from "./schema";

const fixtures = path.join(__dirname, "fixtures");
const workflowsFile = { kind: "file" as const, path: path.join(fixtures, "argo-workflows-install.yaml") };
const argocdFile = { kind: "file" as const, path: path.join(fixtures, "argo-cd-install.yaml") };

describe("install manifests", () => {
    it("put namespaced objects in the install namespace and leave cluster-scoped ones alone", async () => {
        const objects = prepareObjects(await loadManifest(workflowsFile), { namespace: namespaces.argo, defaultResources: argoDefaultResources });
        const byKind = (k: string) => objects.filter((o) => o.kind === k);
        expect(byKind("CustomResourceDefinition")[0].metadata.namespace).toBeUndefined();
        expect(byKind("ClusterRoleBinding")[0].metadata.namespace).toBeUndefined();
        expect(byKind("ServiceAccount")[0].metadata.namespace).toBe("argo");
        expect(byKind("Deployment").every((d) => d.metadata.namespace === "argo")).toBe(true);
    });

    it("give upstream containers the default resources without overriding what upstream set", async () => {
        const objects = prepareObjects(await loadManifest(workflowsFile), { namespace: namespaces.argo, defaultResources: argoDefaultResources });
        const controller = objects.find((o) => o.metadata.name === "workflow-controller") as any;
        expect(controller.spec.template.spec.containers[0].resources).toEqual({
            requests: argoDefaultResources.requests,
            limits: { cpu: argoDefaultResources.limits.cpu, memory: "2Gi" },
        });
    });

    it("leave the Deployments they edit (resources, auth mode) valid against the schema", async () => {
        for (const [file, namespace] of [
            [workflowsFile, namespaces.argo],
            [argocdFile, namespaces.argocd],
        ] as const) {
            const objects = prepareObjects(await loadManifest(file), {
                namespace,
                defaultResources: argoDefaultResources,
                customize: (o) => (namespace === namespaces.argo ? setContainerFlag(o, { deployment: "argo-server", container: "argo-server" }, "auth-mode", "client") : o),
            });
            const deployments = objects.filter((o) => o.kind === "Deployment");
            expect(deployments.length, file.path).toBeGreaterThan(0);
            for (const d of deployments) expect(() => validate(d), d.metadata.name).not.toThrow();
        }
    });

    it("replace argo-server's auth mode, in either flag form", async () => {
        const objects = await loadManifest(workflowsFile);
        const set = setContainerFlag(objects, { deployment: "argo-server", container: "argo-server" }, "auth-mode", "server");
        const args = (set.find((o) => o.kind === "Deployment" && o.metadata.name === "argo-server") as any).spec.template.spec.containers[0].args;
        expect(args).toEqual(["server", "--auth-mode=server"]);
        expect(() => setContainerFlag(objects, { deployment: "missing", container: "x" }, "auth-mode", "server")).toThrow(/no container x/);
    });

    it("leave Argo CD's Dex out, and nothing that remains refers to it", async () => {
        const upstream = await loadManifest(argocdFile);
        const dex = upstream.filter((o) => JSON.stringify(o.metadata).includes("argocd-dex-server"));
        expect(dex.map((o) => o.kind).sort()).toEqual(["Deployment", "NetworkPolicy", "Role", "RoleBinding", "Service", "ServiceAccount"]);
        const kept = withoutDex(upstream);
        expect(kept.length).toBe(upstream.length - dex.length);
        expect(kept.filter((o) => JSON.stringify(o).includes("dex")).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    });

    it("reject files that are not Kubernetes manifests, naming the document", () => {
        expect(() => parseManifest("kind: Thing\n", "x.yaml")).toThrow(/x\.yaml: document 1 is not a Kubernetes object/);
        expect(() => parseManifest("---\n", "x.yaml")).toThrow(/no Kubernetes objects/);
        expect(() => parseManifest("a: [\n", "x.yaml")).toThrow(/not valid YAML/);
    });

    it("fail with the path when a local manifest is missing", async () => {
        await expect(loadManifest({ kind: "file", path: "/nonexistent/install.yaml" })).rejects.toThrow(/cannot read install manifest \/nonexistent/);
    });

    it("publish both UIs through LoadBalancer Services that select the upstream pods", async () => {
        for (const [service, file, ns] of [
            [argoWorkflowsUiService(), workflowsFile, namespaces.argo],
            [argoCdUiService(), argocdFile, namespaces.argocd],
        ] as const) {
            expect(() => validate(service)).not.toThrow();
            expect(service.spec!.type).toBe("LoadBalancer");
            expect(service.metadata!.namespace).toBe(ns);
            const pods = (await loadManifest(file)).filter((o) => o.kind === "Deployment").map((d: any) => d.spec.template.metadata.labels);
            expect(pods.some((labels) => Object.entries(service.spec!.selector!).every(([k, v]) => labels[k] === v))).toBe(true);
        }
    });
});

describe("Argo Workflows handles the workflows namespace only", () => {
    const prepared = async () =>
        prepareObjects(await loadManifest(workflowsFile), {
            namespace: namespaces.argo,
            defaultResources: argoDefaultResources,
            customize: (o) => customizeArgoWorkflows(o, "client"),
        });
    const argsOf = (objects: Awaited<ReturnType<typeof prepared>>, deployment: string) =>
        (objects.find((o) => o.kind === "Deployment" && o.metadata.name === deployment) as any).spec.template.spec.containers[0].args as string[];

    it("the controller and the server manage only the workflows namespace", async () => {
        const objects = await prepared();
        for (const deployment of ["workflow-controller", "argo-server"]) {
            expect(argsOf(objects, deployment), deployment).toEqual(expect.arrayContaining(["--namespaced=true", `--managed-namespace=${namespaces.workflows}`]));
        }
        expect(argsOf(objects, "argo-server")).toContain("--auth-mode=client");
        for (const d of objects.filter((o) => o.kind === "Deployment")) expect(() => validate(d), d.metadata.name).not.toThrow();
    });

    it("the controller runs only workflows that reference one of the lab's templates", async () => {
        const config = (await prepared()).find((o) => o.kind === "ConfigMap" && o.metadata.name === workflowControllerConfigMap) as any;
        expect(config.metadata.namespace).toBe(namespaces.argo);
        expect(parse(config.data.workflowRestrictions)).toEqual({ templateReferencing: "Strict" });
    });

    it("the install's service accounts (the controller's and the server's) all stay in argo, none in the workflows namespace", async () => {
        const accounts = (await prepared()).filter((o) => o.kind === "ServiceAccount");
        expect(accounts.map((a) => a.metadata.name)).toContain("argo-server");
        for (const a of accounts) expect(a.metadata.namespace).toBe(namespaces.argo);
    });

    it("the lab user's Role is in the workflows namespace, its account and token beside argo-server", () => {
        expect(argoLabUserRole().metadata!.namespace).toBe(namespaces.workflows);
        expect(argoLabUserRoleBinding().metadata!.namespace).toBe(namespaces.workflows);
        expect(argoLabUserRoleBinding().subjects).toEqual([{ kind: "ServiceAccount", name: argoLabUser.serviceAccount, namespace: namespaces.argo }]);
        expect(argoLabUserServiceAccount().metadata!.namespace).toBe(namespaces.argo);
    });
});

describe("Workflows in the workflows namespace carry nothing but a template reference", () => {
    const policy = workflowAdmissionPolicy();
    const binding = workflowAdmissionBinding();
    /** Every Workflow spec the lab itself creates: the submit steps' children, the CronWorkflow's, the GitHub sensor's. */
    const ownWorkflowSpecs = (): Array<[string, object]> => [
        ...pipelineWorkflowTemplates(pipelineSettings).flatMap((wt) =>
            (wt.spec.templates ?? [])
                .map((t) => [`${wt.metadata!.name}/${t.name}`, t.resource?.manifest ? parse(t.resource.manifest) : undefined] as const)
                .filter(([, object]) => object?.kind === "Workflow")
                .map(([from, object]) => [from, object.spec] as [string, object]),
        ),
        ...pipelineCronWorkflows(pipelineSettings, cron).map((c) => [c.metadata!.name!, c.spec.workflowSpec] as [string, object]),
        ["train-on-push-sensor", (trainOnPushSensor() as any).spec.triggers[0].template.k8s.source.resource.spec],
    ];

    it("validates, applies to Workflows on create and update, and denies in the workflows namespace only", () => {
        expect(() => validate(policy)).not.toThrow();
        expect(() => validate(binding)).not.toThrow();
        expect(policy.spec!.failurePolicy).toBe("Fail");
        expect(policy.spec!.matchConstraints!.resourceRules).toEqual([
            { apiGroups: ["argoproj.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["workflows"] },
        ]);
        expect(binding.spec).toEqual({
            policyName: policy.metadata!.name,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespaces.workflows } } },
        });
    });

    it("refuses, by name, the fields that would change what a template runs", () => {
        for (const field of ["serviceAccountName", "podSpecPatch", "templates", "templateDefaults", "volumes", "securityContext", "executor", "automountServiceAccountToken"]) {
            expect(allowedWorkflowSpecFields as readonly string[]).not.toContain(field);
        }
        const [reference, onlyAllowed] = policy.spec!.validations!;
        expect(reference.expression).toBe("has(object.spec) && has(object.spec.workflowTemplateRef)");
        expect(policy.spec!.variables![0].expression).toContain(`[${allowedWorkflowSpecFields.map((f) => `'${f}'`).join(", ")}]`);
        expect(onlyAllowed.messageExpression).toContain("it also sets ' + variables.extra.join(', ')");
    });

    it("admits every Workflow the lab itself creates", () => {
        const specs = ownWorkflowSpecs();
        expect(specs.length).toBeGreaterThanOrEqual(4);
        for (const [from, spec] of specs) {
            expect(Object.keys(spec).filter((k) => !(allowedWorkflowSpecFields as readonly string[]).includes(k)), from).toEqual([]);
            expect(spec, from).toHaveProperty("workflowTemplateRef");
        }
    });
});

describe("app environments", () => {
    const chartSource = { repoUrl: "https://git.example.test/gourmetgram.git", revision: "main" };

    it.each(environments)("%s: one validated Application with the chart, the image tag parameter and the limits", (env) => {
        const app = appApplication({ environment: env, chartSource, resources: defaultAppResources as any });
        expect(() => validate(app)).not.toThrow();
        expect(app.metadata.namespace).toBe(namespaces.argocd);
        expect(app.spec.destination.namespace).toBe(namespaces[env]);
        expect(app.spec.source!.path).toBe(appChartPath);
        expect(app.spec.source!.helm!.parameters).toEqual([{ name: appImageTagParameter, value: appImageTag(env, 0) }]);
        const values = app.spec.source!.helm!.valuesObject as any;
        expect(values.publicPort).toBe(environmentPorts[env]);
        expect(values.resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
        expect(`${values.image.repository}:${appImageTag(env, 3)}`).toBe(`${registry.host}/gourmetgram-app:${env}-1.0.3`);
        expect(values.imagePullSecrets).toEqual([{ name: registryCredentials.secretName }]);
        expect(() => validate(environmentNamespace(env))).not.toThrow();
    });

    it("keeps the chart's defaults in step with the shared names", () => {
        const values = parse(fs.readFileSync(path.join(__dirname, "../../../", appChartPath, "values.yaml"), "utf8"));
        expect(values.containerPort).toBe(8000);
        expect(values.image.repository).toBe(`${registry.host}/gourmetgram-app`);
        expect(values.resources).toEqual(defaultAppResources);
        expect(values.imagePullSecrets).toEqual([]);
        const templates = fs.readdirSync(path.join(__dirname, "../../../", appChartPath, "templates"));
        expect(templates.sort()).toEqual(["_helpers.tpl", "deployment.yaml", "networkpolicy.yaml", "service.yaml"]);
    });

    it("registers the three Applications in the lab's project (what they ignore: image-tag-ownership.test.ts)", async () => {
        const registered = installMocks();
        const { AppEnvironments } = await import("../../../infra/apps/index.js");
        const registryLogin = { username: registryCredentials.username, password: "MockPwRegistryQ7x" };
        new AppEnvironments("apps", { chartSource, resources: { staging: defaultAppResources, canary: defaultAppResources, production: defaultAppResources } as any, registryLogin });
        await settled(registered);
        const apps = ofType(registered, "kubernetes:argoproj.io/v1alpha1:Application");
        expect(apps.map((a) => a.inputs.metadata.name).sort()).toEqual(["gourmetgram-canary", "gourmetgram-production", "gourmetgram-staging"]);
        expect(ofType(registered, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name).sort()).toEqual([
            "gourmetgram-canary",
            "gourmetgram-production",
            "gourmetgram-staging",
        ]);
        const projects = ofType(registered, "kubernetes:argoproj.io/v1alpha1:AppProject");
        expect(projects.map((p) => p.inputs.metadata.name).sort()).toEqual([appProjectName, "default"].sort());
        expect(projects.find((p) => p.inputs.metadata.name === appProjectName)!.inputs.spec.sourceRepos).toEqual([chartSource.repoUrl]);
        expect(apps.every((a) => a.inputs.spec.project === appProjectName)).toBe(true);
        expect(apps.every((a) => !isSecret(a.inputs.spec))).toBe(true);

        // Each environment's kubelet pulls with the registry's login, written into its namespace as a secret.
        const logins = ofType(registered, "kubernetes:core/v1:Secret");
        expect(logins.map((s) => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`).sort()).toEqual(
            environments.map((env) => `${namespaces[env]}/${registryCredentials.secretName}`).sort(),
        );
        for (const secret of logins) {
            expect(secret.inputs.type).toBe("kubernetes.io/dockerconfigjson");
            expect(plainStrings(secret.inputs).map((s) => s.value).join(" ")).not.toMatch(/MockPw/);
            const [data] = secretValues(secret.inputs.stringData) as Record<string, string>[];
            expect(JSON.parse(data[".dockerconfigjson"]).auths[registry.host]).toMatchObject(registryLogin);
        }
    });
});

/** Every apiVersion/kind pair the chart's templates write, from the templates themselves. */
function kindsInChart(): Array<{ group: string; kind: string }> {
    const dir = path.join(__dirname, "../../../", appChartPath, "templates");
    const found = new Map<string, { group: string; kind: string }>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        const apiVersions = [...text.matchAll(/^apiVersion: (\S+)$/gm)].map((m) => m[1]);
        const kinds = [...text.matchAll(/^kind: (\S+)$/gm)].map((m) => m[1]);
        expect(apiVersions.length, file).toBe(kinds.length);
        kinds.forEach((kind, i) => {
            const group = apiVersions[i].includes("/") ? apiVersions[i].split("/")[0] : "";
            found.set(`${group}/${kind}`, { group, kind });
        });
    }
    return [...found.values()];
}

type Project = ReturnType<typeof appProject>;
type App = ReturnType<typeof appApplication>;

/**
 * What Argo CD checks before it syncs an Application of a project, for a project written
 * without globs (the lab's are, see below): the repository is listed, the destination is
 * listed (server and namespace), and the project is the Application's.
 */
function projectPermits(project: Project, app: App): boolean {
    const spec = project.spec!;
    return (
        app.spec.project === project.metadata!.name &&
        (spec.sourceRepos ?? []).includes(app.spec.source!.repoURL) &&
        (spec.destinations ?? []).some((d) => d.server === app.spec.destination.server && d.namespace === app.spec.destination.namespace)
    );
}

describe("the lab's AppProject", () => {
    const repoUrl = "https://git.example.test/gourmetgram.git";
    const project = appProject(repoUrl);
    const app = (env: (typeof environments)[number]) => appApplication({ environment: env, chartSource: { repoUrl, revision: "main" }, resources: defaultAppResources as any });

    it("validates, and allows the chart's repository, exactly the three app namespaces here, and nothing cluster-scoped", () => {
        expect(() => validate(project)).not.toThrow();
        expect(project.metadata).toMatchObject({ name: appProjectName, namespace: namespaces.argocd });
        expect(project.spec!.sourceRepos).toEqual([repoUrl]);
        expect(project.spec!.destinations).toEqual(environments.map((env) => ({ server: inClusterServer, namespace: namespaces[env] })));
        expect(project.spec!.clusterResourceWhitelist).toEqual([]);
        // Exact names only: Argo CD reads `*` and `?` in these fields as globs.
        expect(JSON.stringify([project.spec!.sourceRepos, project.spec!.destinations])).not.toMatch(/[*?]/);
    });

    it("whitelists exactly the kinds the chart renders", () => {
        const sorted = (list: ReadonlyArray<{ group: string; kind: string }>) => list.map((k) => `${k.group}/${k.kind}`).sort();
        expect(sorted(project.spec!.namespaceResourceWhitelist!)).toEqual(sorted(kindsInChart()));
        expect(sorted(chartKinds)).toEqual(sorted(kindsInChart()));
    });

    it.each(environments)("holds %s's Application as Pulumi writes it", (env) => {
        expect(app(env).spec.project).toBe(appProjectName);
        expect(projectPermits(project, app(env))).toBe(true);
    });

    it("refuses an Application patched to another repository, namespace, cluster or project", () => {
        const patched = (edit: (a: App) => void): App => {
            const copy = structuredClone(app("staging"));
            edit(copy);
            return copy;
        };
        expect(projectPermits(project, patched((a) => (a.spec.source!.repoURL = "https://git.example.test/other.git")))).toBe(false);
        expect(projectPermits(project, patched((a) => (a.spec.destination.namespace = "kube-system")))).toBe(false);
        expect(projectPermits(project, patched((a) => (a.spec.destination.namespace = namespaces.argocd)))).toBe(false);
        expect(projectPermits(project, patched((a) => (a.spec.destination.server = "https://203.0.113.9:6443")))).toBe(false);
        // The one other project is `default`, which the program closes.
        expect(projectPermits(lockedDefaultProject(), patched((a) => (a.spec.project = "default")))).toBe(false);
    });

    it("closes Argo CD's default project: no repository, no destination, no kind", () => {
        const closed = lockedDefaultProject();
        expect(() => validate(closed)).not.toThrow();
        expect(closed.metadata).toMatchObject({ name: "default", namespace: namespaces.argocd });
        expect(closed.spec).toEqual({
            sourceRepos: [],
            sourceNamespaces: [],
            destinations: [],
            clusterResourceWhitelist: [],
            namespaceResourceBlacklist: [{ group: "*", kind: "*" }],
        });
    });

    it("lets the chart deploy only the lab's registry image, so a values patch cannot swap in another", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../", appChartPath, "values.schema.json"), "utf8"));
        expect(schema.properties.image.properties.repository.enum).toEqual([`${registry.host}/${appName}`]);
    });
});

describe("platformUrls", () => {
    it("maps the public address to every UI and environment", () => {
        expect(platformUrls("203.0.113.7")).toEqual({
            mlflow: "http://203.0.113.7:8000",
            minioConsole: "http://203.0.113.7:9001",
            argoWorkflows: "https://203.0.113.7:2746",
            argoCd: "https://203.0.113.7:8443",
            app: "http://203.0.113.7",
            staging: "http://203.0.113.7:8081",
            canary: "http://203.0.113.7:8080",
            production: "http://203.0.113.7:8082",
        });
        expect(platformUrls("2001:db8::1").mlflow).toBe("http://[2001:db8::1]:8000");
        expect(() => platformUrls("http://x")).toThrow(/not a host name/);
    });
});
