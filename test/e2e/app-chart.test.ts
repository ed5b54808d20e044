/**
 * The app chart (infra/apps/chart) rendered by the helm release the pinned Argo CD ships,
 * with the values and parameters each environment's Application passes, combined the way
 * Argo CD's repo server combines them (`helm template --name-template --namespace
 * --kube-version --set <parameter> --values <valuesObject>`), then applied as a server-side
 * dry run to a real kube-apiserver and checked by the policy pack's rules.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { appApplication, appChartPath, environmentNamespace } from "../../infra/apps/application";
import {
    appApplicationName,
    appImage,
    appPort,
    appPodLabels,
    appServiceName,
    appServiceUrl,
    defaultAppResources,
    type Environment,
    environmentPorts,
    environments,
    namespaces,
} from "../../vocabulary/names";
import type { IApplication } from "../../infra/platform/common/manifest";
import type { ContainerResources } from "../../infra/platform/common/resources";
import { appResourcesFrom } from "../../infra/platform/config";
import { pinnedImages } from "../../policies/rules/pinned-images";
import { resourceLimits } from "../../policies/rules/resource-limits";
import { createArgsForType, runResourcePolicy } from "../policies/util";
import { startLocalCluster, type LocalCluster } from "./harness/cluster";
import { run, runOk, type RunResult } from "./harness/process";
import { repoRoot } from "./harness/render";
import { podSecurityVersion } from "../../infra/platform/common/namespace";
import { describeWithToolchain } from "./harness/suite";

/** The model version every rendered tag carries: `<env>-1.0.7`. */
const modelVersion = 7;
const chartDir = path.join(repoRoot, appChartPath);

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<
    string,
    any
>;

interface ArgoHelmInput {
    release: string;
    namespace: string;
    parameters: { name: string; value: string }[];
    valuesObject: Record<string, unknown>;
}

/** What Argo CD reads from an Application to render its helm source. */
function helmInput(app: IApplication, imageTag: string): ArgoHelmInput {
    const source = app.spec.source!;
    const helm = source.helm!;
    expect(source.path).toBe(appChartPath);
    return {
        release: helm.releaseName ?? app.metadata!.name!,
        namespace: app.spec.destination.namespace!,
        // The pipeline rewrites the single image.tag parameter on every deploy; render with the tag it would set.
        parameters: (helm.parameters ?? []).map((p) => ({ name: p.name!, value: p.name === "image.tag" ? imageTag : p.value! })),
        valuesObject: helm.valuesObject as Record<string, unknown>,
    };
}

function applicationFor(env: Environment, resources: ContainerResources): IApplication {
    return appApplication({ environment: env, chartSource: { repoUrl: "https://git.example.org/gourmetgram.git", revision: "main" }, resources });
}

/** The default per-environment resources, as the platform config resolves them with no overrides. */
function configuredResources(overrides: Parameters<typeof appResourcesFrom>[0] = {}): Record<Environment, ContainerResources> {
    return appResourcesFrom(overrides, (key, message) => {
        throw new Error(`platform config ${key}: ${message}`);
    });
}

describeWithToolchain("app chart, rendered by helm as Argo CD renders it", ["helm"], (tools) => {
    let dir: string;

    /** The helm arguments shared by `template` and `lint`: values file first, parameters on top. */
    const valueArgs = (input: ArgoHelmInput, name: string): string[] => {
        const valuesFile = path.join(dir, `${name}-values.yaml`);
        fs.writeFileSync(valuesFile, stringify(input.valuesObject));
        return [
            "--namespace",
            input.namespace,
            ...input.parameters.flatMap((p) => ["--set", `${p.name}=${p.value}`]),
            "--values",
            valuesFile,
        ];
    };

    const helm = (args: string[]): Promise<RunResult> =>
        run(tools.helm, args, {
            timeoutMs: 60_000,
            // A private helm home: no user repositories, plugins or cache leak in.
            env: { ...process.env, HELM_CONFIG_HOME: path.join(dir, "helm/config"), HELM_CACHE_HOME: path.join(dir, "helm/cache"), HELM_DATA_HOME: path.join(dir, "helm/data") },
        });

    const template = (input: ArgoHelmInput, name: string): Promise<RunResult> =>
        helm(["template", chartDir, "--name-template", input.release, "--kube-version", tools.versions.kubernetes, ...valueArgs(input, name)]);

    const renderObjects = async (input: ArgoHelmInput, name: string): Promise<K8sObject[]> => {
        const result = await template(input, name);
        if (result.code !== 0) throw new Error(`helm template ${name} exited ${result.code}:\n${result.stderr}`);
        return parseAllDocuments(result.stdout)
            .map((doc) => doc.toJS() as K8sObject | null)
            .filter((o): o is K8sObject => o !== null);
    };

    const one = (objects: K8sObject[], kind: string, name: string): K8sObject => {
        const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
        expect(found, `${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`).toHaveLength(1);
        return found[0];
    };

    /** As Argo CD applies it: into the Application's destination namespace. */
    const inNamespace = (object: K8sObject, namespace: string): K8sObject => ({ ...object, metadata: { ...object.metadata, namespace } });

    const policyViolations = async (deployment: K8sObject): Promise<string[]> => {
        const args = createArgsForType("kubernetes:apps/v1:Deployment", deployment);
        return [...(await runResourcePolicy(resourceLimits, args)), ...(await runResourcePolicy(pinnedImages, args))];
    };

    const rendered = {} as Record<Environment, { input: ArgoHelmInput; objects: K8sObject[] }>;

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-chart-"));
        const resources = configuredResources();
        for (const env of environments) {
            const input = helmInput(applicationFor(env, resources[env]), `${env}-1.0.${modelVersion}`);
            rendered[env] = { input, objects: await renderObjects(input, env) };
        }
    }, 120_000);

    afterAll(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is the helm release the pinned Argo CD bundles", async () => {
        const version = await runOk(tools.helm, ["version", "--short"]);
        expect(version.trim()).toMatch(new RegExp(`^${tools.versions.helm!.replace(/\./g, "\\.")}(\\+|$)`));
    });

    it("fails to render without image.tag, naming the value", async () => {
        const input = rendered.staging.input;
        const result = await template({ ...input, parameters: [] }, "no-tag");
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("at '/image/tag': '' does not match pattern");
    });

    it("fails to render an environment the chart does not know, listing the allowed ones", async () => {
        const input = rendered.staging.input;
        const result = await template({ ...input, valuesObject: { ...input.valuesObject, environment: "qa" } }, "unknown-env");
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain(`at '/environment': value must be one of ${environments.map((e) => `'${e}'`).join(", ")}`);
    });

    it("fails to render a public port that is not a port number", async () => {
        const input = rendered.staging.input;
        const result = await template({ ...input, valuesObject: { ...input.valuesObject, publicPort: "http" } }, "bad-port");
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("at '/publicPort': got string, want integer");
    });

    it("fails helm lint without image.tag, so lint checks the values it is given", async () => {
        const result = await helm(["lint", "--strict", chartDir, ...valueArgs({ ...rendered.staging.input, parameters: [] }, "lint-no-tag")]);
        expect(result.code).not.toBe(0);
        expect(result.stdout).toContain("at '/image/tag': '' does not match pattern");
    });

    it("lets the Application's image.tag parameter win over a tag in the values, as Argo CD's --set does", async () => {
        const input = rendered.staging.input;
        const values = { ...input.valuesObject, image: { ...(input.valuesObject.image as object), tag: "staging-1.0.1" } };
        const objects = await renderObjects({ ...input, valuesObject: values }, "tag-in-values");
        const deployment = one(objects, "Deployment", appApplicationName("staging"));
        expect(deployment.spec.template.spec.containers[0].image).toBe(appImage("staging", modelVersion));
    });

    describe.each(environments)("%s", (env) => {
        const namespace = namespaces[env];
        const objects = () => rendered[env].objects;
        const deployment = () => one(objects(), "Deployment", appApplicationName(env));
        const container = () => deployment().spec.template.spec.containers[0];

        it("renders exactly a Deployment, a ClusterIP Service, a public LoadBalancer Service and a NetworkPolicy", () => {
            expect(objects().map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
                [
                    `Deployment/${appApplicationName(env)}`,
                    `Service/${appServiceName(env)}`,
                    `Service/${appServiceName(env)}-public`,
                    `NetworkPolicy/${appApplicationName(env)}`,
                ].sort(),
            );
        });

        it("lets traffic reach its pods on the app port only, and gives the container nothing to escalate with", () => {
            const [policy] = objects().filter((o) => o.kind === "NetworkPolicy");
            expect(policy.spec).toEqual({
                podSelector: { matchLabels: { app: appApplicationName(env) } },
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ protocol: "TCP", port: appPort }] }],
            });
            const [deployment] = objects().filter((o) => o.kind === "Deployment");
            const pod = deployment.spec.template.spec;
            expect(pod.automountServiceAccountToken).toBe(false);
            expect(pod.securityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
            expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } });
        });

        it("passes helm lint --strict with the Application's values", async () => {
            const result = await helm(["lint", "--strict", chartDir, ...valueArgs(rendered[env].input, `${env}-lint`)]);
            expect(result.code, result.stdout + result.stderr).toBe(0);
            expect(result.stdout).toContain("0 chart(s) failed");
        });

        it("runs the environment's image on the app port", () => {
            expect(container().image).toBe(appImage(env, modelVersion));
            expect(container().image).toBe(`registry.kube-system.svc.cluster.local:5000/gourmetgram-app:${env}-1.0.${modelVersion}`);
            expect(container().ports).toEqual([expect.objectContaining({ containerPort: appPort })]);
        });

        it("limits the container to the default app resources", () => {
            expect(container().resources).toEqual({
                limits: { ...defaultAppResources.limits },
                requests: { ...defaultAppResources.requests },
            });
            expect(container().resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
        });

        it("labels its pods so the resource gate and both Services select them", () => {
            const podLabels = deployment().spec.template.metadata.labels;
            expect(podLabels).toEqual(expect.objectContaining(appPodLabels));
            expect(podLabels).toEqual(expect.objectContaining(deployment().spec.selector.matchLabels));
            for (const service of objects().filter((o) => o.kind === "Service")) {
                expect(podLabels, `${service.metadata.name} selector`).toEqual(expect.objectContaining(service.spec.selector));
            }
        });

        it("probes the app for readiness and liveness on its port", () => {
            const port = container().ports[0];
            for (const probe of [container().readinessProbe, container().livenessProbe]) {
                expect(probe?.httpGet?.path).toMatch(/^\//);
                expect([port.name, port.containerPort]).toContain(probe.httpGet.port);
            }
        });

        it("serves in-cluster at appServiceUrl through a ClusterIP Service on the app port", () => {
            const service = one(objects(), "Service", appServiceName(env));
            expect(service.spec.type).toBe("ClusterIP");
            expect(service.spec.ports).toEqual([expect.objectContaining({ port: appPort })]);
            expect(appServiceUrl(env)).toBe(`http://${service.metadata.name}.${namespace}.svc.cluster.local:${service.spec.ports[0].port}`);
        });

        it(`is public on port ${environmentPorts[env]} through a LoadBalancer Service`, () => {
            const publicServices = objects().filter((o) => o.kind === "Service" && o.spec.type === "LoadBalancer");
            expect(publicServices).toHaveLength(1);
            expect(publicServices[0].spec.ports).toEqual([expect.objectContaining({ port: environmentPorts[env] })]);
            const targetPort = publicServices[0].spec.ports[0].targetPort;
            expect([container().ports[0].name, appPort]).toContain(targetPort);
        });

        it("passes the resource-limits and pinned-images rules", async () => {
            expect(await policyViolations(inNamespace(deployment(), namespace))).toEqual([]);
        });
    });

    describe("resources from the stack's appResources", () => {
        it("reach the container when overridden", async () => {
            const resources = configuredResources({ canary: { limits: { cpu: "750m", memory: "768Mi" } } });
            const input = helmInput(applicationFor("canary", resources.canary), `canary-1.0.${modelVersion}`);
            const deployment = one(await renderObjects(input, "canary-override"), "Deployment", appApplicationName("canary"));
            expect(deployment.spec.template.spec.containers[0].resources).toEqual({
                limits: { cpu: "750m", memory: "768Mi" },
                requests: { ...defaultAppResources.requests },
            });
            expect(await policyViolations(inNamespace(deployment, namespaces.canary))).toEqual([]);
        });

        it("above the app ceiling are caught by resource-limits on the rendered Deployment", async () => {
            const resources = configuredResources({ production: { limits: { memory: "2Gi" } } });
            const input = helmInput(applicationFor("production", resources.production), `production-1.0.${modelVersion}`);
            const deployment = one(await renderObjects(input, "production-over"), "Deployment", appApplicationName("production"));
            const violations = await policyViolations(inNamespace(deployment, namespaces.production));
            expect(violations).toEqual([expect.stringContaining('resources.limits.memory "2Gi" exceeds the ceiling "1Gi"')]);
        });
    });

    describe("on a real kube-apiserver", () => {
        let cluster: LocalCluster;

        beforeAll(async () => {
            cluster = await startLocalCluster(tools);
            for (const env of environments) {
                const created = await cluster.kubectl(["apply", "--server-side", "-f", "-"], { input: stringify(environmentNamespace(env)) });
                if (created.code !== 0) throw new Error(`namespace ${namespaces[env]}: ${created.stderr}`);
            }
        }, 200_000);

        afterAll(async () => {
            await cluster?.stop();
        });

        const dryRun = (namespace: string, objects: K8sObject[]) =>
            cluster.kubectl(["apply", "--server-side", "--dry-run=server", "--namespace", namespace, "-f", "-"], {
                input: objects.map((o) => stringify(o)).join("---\n"),
            });

        it.each(environments)("accepts everything the chart renders for %s", async (env) => {
            const result = await dryRun(namespaces[env], rendered[env].objects);
            // The namespace enforces Pod Security baseline and warns at restricted: the app image
            // runs as root (docs/platform.md), and that is the one thing restricted would refuse.
            expect(result.stderr.trim()).toBe(
                `Warning: would violate PodSecurity "restricted:${podSecurityVersion}": runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)`,
            );
            expect(result.code).toBe(0);
            for (const o of rendered[env].objects) {
                // kubectl names an object kind.group/name, the core group by its kind alone.
                const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
                expect(result.stdout).toContain(`${o.kind.toLowerCase()}${group}/${o.metadata.name} serverside-applied (server dry run)`);
            }
        });

        it("rejects a rendered Deployment the API server's validation does not allow, naming the field", async () => {
            const deployment = structuredClone(one(rendered.staging.objects, "Deployment", appApplicationName("staging")));
            deployment.spec.template.spec.containers[0].ports[0].containerPort = 70000;
            const result = await dryRun(namespaces.staging, [deployment]);
            expect(result.code).not.toBe(0);
            expect(result.stderr).toMatch(/spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort/);
        });
    });
});
