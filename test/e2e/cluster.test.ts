/**
 * The cluster side of the program against a real control plane: etcd and kube-apiserver
 * built from the pinned upstream releases (scripts/toolchain), the Argo Workflows and
 * Argo CD CRDs from the pinned upstream modules, and the program's rendered objects
 * applied the way the Kubernetes provider applies them (server-side apply).
 *
 * No kubelet, scheduler or controller manager runs: the API server stores and validates
 * objects (CRD schemas, RBAC, admission) but never starts a pod.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { namespaces, workflowTemplates } from "../../vocabulary/names";
import { argoLintOffline } from "./harness/argo-lint";
import { startLocalCluster, type LocalCluster } from "./harness/cluster";
import { installCrds } from "./harness/crds";
import { describeRef, kubectlObject, loadManifests, type Manifest } from "./harness/manifests";
import { renderStack } from "./harness/render";
import { describeWithToolchain } from "./harness/suite";
import { brokenWorkflowTemplate, danglingEntrypointWorkflowTemplate, minimalWorkflowTemplate } from "./fixtures";
import { runOk } from "./harness/process";

describeWithToolchain("e2e on a real kube-apiserver", [], (tools) => {
    let cluster: LocalCluster;

    beforeAll(async () => {
        cluster = await startLocalCluster(tools);
        await installCrds(cluster, [tools.argoWorkflowsCrds, tools.argoCdCrds]);
    }, 400_000);

    afterAll(async () => {
        await cluster?.stop();
    });

    const kubectlOn = (verb: string, m: Manifest, ...rest: string[]) => {
        const { namespace, resource } = kubectlObject(m);
        return cluster.kubectl([...namespace, verb, resource, ...rest]);
    };

    const runArgo = (args: string[]) => runOk(tools.argo, args, { timeoutMs: 30_000 });

    const json = async (args: string[]) => {
        const result = await cluster.kubectl([...args, "-o", "json"]);
        if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
        return JSON.parse(result.stdout);
    };

    it("serves the pinned Kubernetes release", async () => {
        const version = await cluster.kubectl(["version", "-o", "json"]);
        expect(version.code, version.stderr).toBe(0);
        expect(JSON.parse(version.stdout).serverVersion.gitVersion).toBe(tools.versions.kubernetes);
    });

    it("establishes the Argo Workflows CRDs with full schemas, and Argo CD's", async () => {
        const crds = await json(["get", "crd"]);
        const names = crds.items.map((crd: { metadata: { name: string } }) => crd.metadata.name);
        expect(names).toEqual(
            expect.arrayContaining([
                "workflows.argoproj.io",
                "workflowtemplates.argoproj.io",
                "cronworkflows.argoproj.io",
                "applications.argoproj.io",
                "appprojects.argoproj.io",
            ]),
        );
        const templates = await json(["get", "crd", "workflowtemplates.argoproj.io"]);
        const schema = templates.spec.versions[0].schema.openAPIV3Schema;
        // The "minimal" CRDs accept any spec; the full ones describe every field.
        expect(schema.properties.spec.properties.templates.items.properties.container).toBeDefined();
    });

    it("accepts a well-formed WorkflowTemplate (server-side dry run)", async () => {
        const result = await cluster.kubectl(
            ["apply", "--server-side", "--dry-run=server", "-f", "-"],
            { input: stringify(minimalWorkflowTemplate("default")) },
        );
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
    });

    it("rejects a WorkflowTemplate that breaks the CRD schema, naming the field", async () => {
        const result = await cluster.kubectl(
            ["apply", "--server-side", "--dry-run=server", "-f", "-"],
            { input: stringify(brokenWorkflowTemplate("default")) },
        );
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/spec\.templates\[0\]\.container\.image/);
    });

    describe("argo lint --offline", () => {
        let dir: string;
        beforeAll(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-lint-"));
        });
        afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("is the pinned Argo Workflows release", async () => {
            const argo = await runArgo(["version", "--short"]);
            expect(argo).toContain(tools.versions.argoWorkflows);
        });

        it("passes a well-formed WorkflowTemplate", async () => {
            const lint = await argoLintOffline(tools.argo, [minimalWorkflowTemplate("default")], path.join(dir, "ok"));
            expect(lint.code, lint.stdout + lint.stderr).toBe(0);
            expect(lint.stdout).toContain("no linting errors found!");
        });

        it("fails a WorkflowTemplate whose entrypoint names no template, saying so", async () => {
            const lint = await argoLintOffline(
                tools.argo,
                [danglingEntrypointWorkflowTemplate("default")],
                path.join(dir, "dangling"),
            );
            expect(lint.code).not.toBe(0);
            expect(lint.stdout + lint.stderr).toMatch(/entrypoint|missing-step/);
        });
    });

    describe("the program's rendered objects", () => {
        let manifests: Manifest[];
        let out: string;

        beforeAll(async () => {
            out = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-render-"));
            // stacks/Pulumi.e2e.yaml targets an existing cluster and names no kubeconfig,
            // so the program takes this cluster's from $KUBECONFIG.
            await renderStack("e2e", path.join(out, "manifests"), { KUBECONFIG: cluster.kubeconfig });
            manifests = loadManifests(path.join(out, "manifests"));
        }, 180_000);

        afterAll(() => {
            if (out) fs.rmSync(out, { recursive: true, force: true });
        });

        const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);

        it("includes every pipeline WorkflowTemplate and the training CronWorkflow", () => {
            const templateNames = ofKind("WorkflowTemplate").map((m) => m.name);
            expect(templateNames).toEqual(
                expect.arrayContaining([
                    workflowTemplates.trainModel,
                    workflowTemplates.buildContainerImage,
                    workflowTemplates.deployContainerImage,
                    workflowTemplates.testStaging,
                    workflowTemplates.promoteModel,
                    workflowTemplates.revertStaging,
                ]),
            );
            expect(ofKind("CronWorkflow").map((m) => m.name)).toContain(workflowTemplates.trainModelCron);
        });

        it("argo lint --offline finds no problem in the rendered Argo objects", async () => {
            const lint = await argoLintOffline(tools.argo, manifests.map((m) => m.body), path.join(out, "lint"));
            expect(lint.linted).toBeGreaterThan(0);
            expect(lint.code, lint.stdout + lint.stderr).toBe(0);
            expect(lint.stdout).toContain("no linting errors found!");
        });

        it("the API server accepts every object, and each then exists as rendered", async () => {
            const namespaceFirst = [...ofKind("Namespace"), ...manifests.filter((m) => m.kind !== "Namespace")];
            for (const m of namespaceFirst) {
                const applied = await cluster.kubectl(
                    ["apply", "--server-side", "--field-manager=pulumi-kubernetes", "-f", "-"],
                    { input: stringify(m.body) },
                );
                expect(applied.code, `${describeRef(m)} (${m.file}): ${applied.stderr}`).toBe(0);
            }
            for (const m of manifests) {
                const found = await kubectlOn("get", m, "-o", "name");
                expect(found.code, `${describeRef(m)}: ${found.stderr}`).toBe(0);
            }
            const present = new Set(ofKind("Namespace").map((m) => m.name));
            for (const ns of [namespaces.argo, namespaces.workflows, namespaces.staging, namespaces.canary, namespaces.production]) {
                expect(present.has(ns) || (await cluster.kubectl(["get", "namespace", ns])).code === 0, ns).toBe(true);
            }
            for (const kind of ["ServiceAccount", "Role", "RoleBinding"]) {
                expect(ofKind(kind).length, `rendered ${kind}s`).toBeGreaterThan(0);
            }
        }, 180_000);

        it("applying the same objects again changes nothing", async () => {
            const all = manifests.map((m) => stringify(m.body)).join("---\n");
            const diff = await cluster.kubectl(
                ["diff", "--server-side", "--field-manager=pulumi-kubernetes", "-f", "-"],
                { input: all, timeoutMs: 120_000 },
            );
            expect(diff.stdout, diff.stderr).toBe("");
            expect(diff.code, diff.stderr).toBe(0);
        }, 150_000);

        it("deleting the objects leaves none of them behind", async () => {
            const contents = manifests.filter((m) => m.kind !== "Namespace").reverse();
            for (const m of contents) {
                const deleted = await kubectlOn("delete", m, "--wait=true");
                expect(deleted.code, `${describeRef(m)}: ${deleted.stderr}`).toBe(0);
            }
            for (const m of contents) {
                const found = await kubectlOn("get", m, "-o", "name");
                expect(found.stderr, describeRef(m)).toMatch(/NotFound|not found/);
            }
        }, 180_000);
    });
});
