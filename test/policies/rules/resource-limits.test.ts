import { describe, expect, it } from "vitest";
import { defaultAppResources, namespaces } from "../../../vocabulary/names";
import { parseResourceLimitsConfig, resourceLimits, resourcesProblems } from "../../../policies/rules/resource-limits";
import {
    allPodBearing,
    appApplication,
    argoTemplateVariants,
    argoWorkflows,
    goodContainer,
    withResources,
} from "../fixtures";
import { createArgsForType, expectNoViolations, expectViolation, runResourcePolicy } from "../util";

const appResources = {
    requests: { ...defaultAppResources.requests },
    limits: { ...defaultAppResources.limits },
};
/** Within the general ceiling, above the app one. */
const overAppCeiling = { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } };

describe("resource-limits: every pod-bearing kind", () => {
    describe.each(Object.entries(allPodBearing))("%s", (_kind, build) => {
        it("passes with requests and limits under the ceiling", async () => {
            await expectNoViolations(resourceLimits, build(goodContainer()));
        });

        it("fails without any resources", async () => {
            await expectViolation(
                resourceLimits,
                build(goodContainer({ resources: undefined })),
                "missing resources.limits.cpu, resources.limits.memory, resources.requests.cpu, resources.requests.memory",
            );
        });

        it("fails with only limits", async () => {
            await expectViolation(resourceLimits, build(withResources({ limits: { cpu: "1", memory: "1Gi" } })), "missing resources.requests.cpu");
        });

        it("fails when a limit is above the 2 CPU / 4Gi ceiling", async () => {
            await expectViolation(
                resourceLimits,
                build(withResources({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2500m", memory: "1Gi" } })),
                'resources.limits.cpu "2500m" exceeds the ceiling "2"',
            );
            await expectViolation(
                resourceLimits,
                build(withResources({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "4097Mi" } })),
                'resources.limits.memory "4097Mi" exceeds the ceiling "4Gi"',
            );
        });

        it("fails when a request exceeds its limit", async () => {
            await expectViolation(
                resourceLimits,
                build(withResources({ requests: { cpu: "1.5", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } })),
                'resources.requests.cpu "1.5" exceeds resources.limits.cpu "1"',
            );
        });
    });
});

describe("resource-limits: app environment namespaces", () => {
    // ClusterWorkflowTemplates are cluster-scoped: they have no namespace to be an app environment.
    const namespaced = Object.entries(allPodBearing).filter(([kind]) => kind !== "ClusterWorkflowTemplate");

    it.each(namespaced)("%s gets the app ceiling in an app environment namespace", async (_kind, build) => {
        const args = build(withResources(overAppCeiling), { namespace: namespaces.staging });
        await expectViolation(resourceLimits, args, 'resources.limits.cpu "2" exceeds the ceiling "1"', namespaces.staging);
        await expectNoViolations(resourceLimits, build(withResources(appResources), { namespace: namespaces.canary }));
    });
});

describe("resource-limits: Argo template variants", () => {
    describe.each(Object.keys(argoWorkflows))("%s", (kind) => {
        it.each(Object.keys(argoTemplateVariants))("checks a %s", async (variant) => {
            const ok = argoWorkflows[kind]([argoTemplateVariants[variant](goodContainer())]);
            await expectNoViolations(resourceLimits, ok);
            const bad = argoWorkflows[kind]([argoTemplateVariants[variant](goodContainer({ resources: { limits: { cpu: "3", memory: "1Gi" } } }))]);
            const messages = await expectViolation(resourceLimits, bad, "missing resources.requests.cpu, resources.requests.memory");
            expect(messages.join("\n")).toContain('exceeds the ceiling "2"');
            expect(messages.join("\n")).toContain(`templates[0].${variant === "containerSet" ? "containerSet.containers[0]" : variant === "script" ? "script" : variant === "container" ? "container" : `${variant}[0]`}`);
        });
    });

    it("checks every template, naming the one at fault", async () => {
        const args = argoWorkflows.WorkflowTemplate([
            { name: "ok", container: goodContainer() },
            { name: "dag-only", dag: { tasks: [{ name: "run", template: "train" }] } },
            { name: "train", script: { ...goodContainer({ resources: undefined }), source: "print(1)" } },
        ]);
        await expectViolation(resourceLimits, args, 'WorkflowTemplate template "train" script "main" (spec.templates[2].script): missing');
    });

    it("finds CronWorkflow templates under spec.workflowSpec", async () => {
        const args = argoWorkflows.CronWorkflow([{ name: "train", container: goodContainer({ resources: undefined }) }]);
        await expectViolation(resourceLimits, args, "spec.workflowSpec.templates[0].container");
    });
});

describe("resource-limits: quantities", () => {
    const ceiling = parseResourceLimitsConfig().general;

    it.each([
        [{ requests: { cpu: "0.5", memory: "256Mi" }, limits: { cpu: "500m", memory: "0.25Gi" } }],
        [{ requests: { cpu: "100m", memory: "1e6" }, limits: { cpu: "2", memory: "4Gi" } }],
        [{ requests: { cpu: "1", memory: "1G" }, limits: { cpu: "2000m", memory: "1Gi" } }],
        [{ requests: { cpu: 1, memory: "1Gi" }, limits: { cpu: 2, memory: "4096Mi" } }],
    ])("accepts %j", (resources) => {
        expect(resourcesProblems(resources, ceiling)).toEqual([]);
    });

    it.each([
        [{ requests: { cpu: "600m", memory: "1Gi" }, limits: { cpu: "0.5", memory: "1Gi" } }, 'requests.cpu "600m" exceeds resources.limits.cpu "0.5"'],
        [{ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1G" } }, 'requests.memory "1Gi" exceeds resources.limits.memory "1G"'],
        [{ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2.001", memory: "1Gi" } }, 'limits.cpu "2.001" exceeds the ceiling'],
        [{ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "5G" } }, 'limits.memory "5G" exceeds the ceiling "4Gi"'],
        [{ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1e1", memory: "1Gi" } }, 'limits.cpu "1e1" exceeds'],
        [{ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "one", memory: "1Gi" } }, 'limits.cpu "one" is not a Kubernetes quantity'],
        [{ requests: { cpu: "1", memory: "1GB" }, limits: { cpu: "1", memory: "2Gi" } }, 'requests.memory "1GB" is not a Kubernetes quantity'],
        [{ requests: { cpu: "-1", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } }, 'requests.cpu "-1" is negative'],
        [{ requests: { cpu: "0", memory: "1Gi" }, limits: { cpu: "0", memory: "2Gi" } }, 'limits.cpu "0" must be greater than zero'],
    ])("rejects %j", (resources, fragment) => {
        expect(resourcesProblems(resources, ceiling).join("\n")).toContain(fragment);
    });
});

describe("resource-limits: config", () => {
    it("raises the ceiling from pack config", async () => {
        const build = allPodBearing.Deployment;
        const big = withResources({ requests: { cpu: "3", memory: "6Gi" }, limits: { cpu: "4", memory: "8Gi" } });
        await expectViolation(resourceLimits, build(big), "exceeds the ceiling");
        await expectNoViolations(resourceLimits, build(big, { config: { maxCpu: "4", maxMemory: "8Gi" } }));
    });

    it("takes app ceilings and app namespaces from config", async () => {
        const build = allPodBearing.Deployment;
        const oneCpu = goodContainer();
        await expectNoViolations(resourceLimits, build(oneCpu, { namespace: namespaces.production, config: { appMaxCpu: "1", appMaxMemory: "1Gi" } }));
        await expectViolation(resourceLimits, build(oneCpu, { namespace: "shop", config: { appNamespaces: ["shop"], appMaxCpu: "500m" } }), 'exceeds the ceiling "500m"');
    });

    it.each([
        [{ maxCpu: "lots" }, "resource-limits.maxCpu"],
        [{ maxMemory: "0" }, "resource-limits.maxMemory"],
        [{ appMaxMemory: "-1Gi" }, "resource-limits.appMaxMemory"],
        [{ appNamespaces: "gourmetgram-staging" }, "resource-limits.appNamespaces"],
    ])("fails loudly on bad config %j", async (config, key) => {
        await expect(runResourcePolicy(resourceLimits, allPodBearing.Pod(goodContainer(), { config }))).rejects.toThrow(key);
    });

    it("defaults the app ceiling to the product's limits from vocabulary/names.ts", () => {
        const ceilings = parseResourceLimitsConfig();
        expect(ceilings.app.cpu.text).toBe(defaultAppResources.limits.cpu);
        expect(ceilings.app.memory.text).toBe(defaultAppResources.limits.memory);
        expect([...ceilings.appNamespaces]).toEqual([namespaces.staging, namespaces.canary, namespaces.production]);
    });
});

describe("resource-limits: Argo CD Applications of the app environments", () => {
    it("passes when valuesObject carries the app's limits", async () => {
        await expectNoViolations(resourceLimits, appApplication(namespaces.staging, { valuesObject: { resources: appResources } }));
    });

    it("fails when valuesObject limits exceed the app ceiling", async () => {
        const resources = { requests: appResources.requests, limits: { cpu: "2", memory: "1Gi" } };
        await expectViolation(
            resourceLimits,
            appApplication(namespaces.production, { valuesObject: { resources } }),
            `Application deploying to app environment namespace "${namespaces.production}" (spec.source.helm)`,
            'resources.limits.cpu "2" exceeds the ceiling "1"',
        );
    });

    it("fails when the values set no resources, mentioning value files it cannot see", async () => {
        await expectViolation(
            resourceLimits,
            appApplication(namespaces.canary, { valueFiles: ["values-canary.yaml"], valuesObject: { replicaCount: 1 } }),
            'helm values set no "resources" (valueFiles values-canary.yaml are not visible',
        );
    });

    it("reads helm.values YAML, with valuesObject and parameters taking precedence", async () => {
        const values = "resources:\n  requests: {cpu: 250m, memory: 128Mi}\n  limits: {cpu: 2, memory: 256Mi}\n";
        await expectViolation(resourceLimits, appApplication(namespaces.staging, { values }), 'limits.cpu "2" exceeds the ceiling "1"');
        await expectNoViolations(resourceLimits, appApplication(namespaces.staging, { values, valuesObject: { resources: { limits: { cpu: "500m" } } } }));
        await expectNoViolations(
            resourceLimits,
            appApplication(namespaces.staging, { values, parameters: [{ name: "resources.limits.cpu", value: "0.5" }] }),
        );
    });

    it("reports unparsable helm.values", async () => {
        await expectViolation(resourceLimits, appApplication(namespaces.staging, { values: "resources: [unclosed" }), "spec.source.helm.values is not valid YAML");
    });

    it("fails an app Application without a helm source", async () => {
        const args = createArgsForType("kubernetes:argoproj.io/v1alpha1:Application", {
            spec: { destination: { namespace: namespaces.staging }, source: { repoURL: "https://example.com/x.git", path: "k8s" } },
        });
        await expectViolation(resourceLimits, args, "has no helm source");
    });

    it("checks every helm source of a multi-source Application", async () => {
        const args = createArgsForType("kubernetes:argoproj.io/v1alpha1:Application", {
            spec: {
                destination: { namespace: namespaces.staging },
                sources: [{ helm: { valuesObject: { resources: appResources } } }, { helm: { valuesObject: {} } }],
            },
        });
        await expectViolation(resourceLimits, args, "(spec.sources[1].helm)", 'helm values set no "resources"');
    });

    it("ignores Applications outside the app environments", async () => {
        await expectNoViolations(resourceLimits, appApplication(namespaces.platform, { valuesObject: {} }));
    });
});

describe("resource-limits: other resources", () => {
    it("ignores kinds that run no pods, and Patch resources", async () => {
        await expectNoViolations(resourceLimits, createArgsForType("kubernetes:core/v1:Service", { spec: { ports: [{ port: 80 }] } }));
        await expectNoViolations(
            resourceLimits,
            createArgsForType("kubernetes:apps/v1:DeploymentPatch", { spec: { template: { spec: { containers: [{ name: "x" }] } } } }),
        );
    });
});

describe("resource-limits: workflows embedded in Argo Events sensors", () => {
    const sensor = (resources: ReturnType<typeof goodContainer>["resources"]) =>
        createArgsForType("kubernetes:argoproj.io/v1alpha1:Sensor", {
            metadata: { name: "github", namespace: namespaces.argoEvents },
            spec: {
                triggers: [
                    {
                        template: {
                            name: "submit",
                            argoWorkflow: {
                                operation: "submit",
                                source: {
                                    resource: {
                                        apiVersion: "argoproj.io/v1alpha1",
                                        kind: "Workflow",
                                        metadata: { generateName: "push-" },
                                        spec: { entrypoint: "t", templates: [{ name: "t", container: withResources(resources) }] },
                                    },
                                },
                            },
                        },
                    },
                ],
            },
        });

    it("checks the containers of the Workflow a trigger submits", async () => {
        await expectNoViolations(resourceLimits, sensor(goodContainer().resources));
        await expectViolation(
            resourceLimits,
            sensor(undefined),
            'Sensor trigger Workflow template "t" container "main" (spec.triggers[0].template.argoWorkflow.source.resource.spec.templates[0].container): missing',
        );
    });
});
