import * as fs from "node:fs";
import * as path from "node:path";

/** Where scripts/toolchain/build.sh leaves the tools and CRDs the e2e suite runs. */
export const toolchainRoot = path.resolve(__dirname, "../../../.cache/toolchain");

export interface Toolchain {
    etcd: string;
    kubeApiserver: string;
    kubectl: string;
    argo: string;
    /** Only looked for when a suite asks for it (findToolchain's `optional`). */
    helm: string;
    argoWorkflowsCrds: string;
    argoCdCrds: string;
    versions: { etcd: string; kubernetes: string; argoWorkflows: string; argoCd: string; helm?: string };
}

/** Tools that only some suites need; a suite names the ones it runs. */
export type OptionalTool = "helm";

export type ToolchainLookup = { ok: true; toolchain: Toolchain } | { ok: false; problem: string };

const buildHint = "build it with `bash scripts/toolchain/build.sh` (cold: about 30 minutes on 2 cores)";

/**
 * Finds the built toolchain, or says which part is missing and how to build it. The tools
 * in `optional` are required as well, with their version recorded in versions.json.
 */
export function findToolchain(root = toolchainRoot, optional: readonly OptionalTool[] = []): ToolchainLookup {
    const at = (...parts: string[]) => path.join(root, ...parts);
    const toolchain: Toolchain = {
        etcd: at("bin", "etcd"),
        kubeApiserver: at("bin", "kube-apiserver"),
        kubectl: at("bin", "kubectl"),
        argo: at("bin", "argo"),
        helm: at("bin", "helm"),
        argoWorkflowsCrds: at("crds", "argo-workflows"),
        argoCdCrds: at("crds", "argo-cd"),
        versions: { etcd: "", kubernetes: "", argoWorkflows: "", argoCd: "" },
    };
    const missing = [
        toolchain.etcd,
        toolchain.kubeApiserver,
        toolchain.kubectl,
        toolchain.argo,
        ...optional.map((tool) => toolchain[tool]),
        toolchain.argoWorkflowsCrds,
        toolchain.argoCdCrds,
        at("versions.json"),
    ].filter((file) => !fs.existsSync(file));
    if (missing.length > 0) {
        return {
            ok: false,
            problem: `e2e toolchain is incomplete, missing ${missing.map((f) => path.relative(root, f)).join(", ")} under .cache/toolchain: ${buildHint}`,
        };
    }
    toolchain.versions = JSON.parse(fs.readFileSync(at("versions.json"), "utf8"));
    const unversioned = optional.filter((tool) => typeof toolchain.versions[tool] !== "string");
    if (unversioned.length > 0) {
        return {
            ok: false,
            problem: `e2e toolchain predates ${unversioned.join(", ")}: versions.json under .cache/toolchain does not record it; ${buildHint}`,
        };
    }
    return { ok: true, toolchain };
}
