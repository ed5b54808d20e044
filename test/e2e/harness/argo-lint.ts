import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { run } from "./process";

const lintedKinds = new Set(["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"]);

type KubernetesObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };

/**
 * Runs `argo lint --offline --strict` over the Argo objects among objects (one file each,
 * so a finding names the object); templateRefs resolve among those objects only.
 */
export async function argoLintOffline(argo: string, objects: readonly KubernetesObject[], dir: string) {
    const argoObjects = objects.filter(
        (o) => String(o.apiVersion).startsWith("argoproj.io/") && lintedKinds.has(String(o.kind)),
    );
    fs.mkdirSync(dir, { recursive: true });
    const files = argoObjects.map((o) => {
        const file = path.join(dir, `${String(o.kind).toLowerCase()}-${String(o.metadata?.name)}.yaml`);
        fs.writeFileSync(file, stringify(o));
        return file;
    });
    const result = await run(argo, ["lint", "--offline", "--strict", "--output", "simple", ...files], {
        timeoutMs: 60_000,
        // No cluster is consulted offline; an empty KUBECONFIG makes sure of it.
        env: { ...process.env, KUBECONFIG: path.join(dir, "no-kubeconfig") },
    });
    return { ...result, linted: argoObjects.length };
}
