import * as fs from "node:fs";
import * as path from "node:path";

/** Where scripts/toolchain/build.sh leaves the tools and CRDs the e2e suite runs. */
export const toolchainRoot = path.resolve(__dirname, "../../../.cache/toolchain");

export interface Toolchain {
    etcd: string;
    kubeApiserver: string;
    kubectl: string;
    argo: string;
    argoWorkflowsCrds: string;
    argoCdCrds: string;
    versions: { etcd: string; kubernetes: string; argoWorkflows: string; argoCd: string };
}

export type ToolchainLookup = { ok: true; toolchain: Toolchain } | { ok: false; problem: string };

const buildHint = "build it with `bash scripts/toolchain/build.sh` (cold: about 25 minutes on 2 cores)";

/** Finds the built toolchain, or says which part is missing and how to build it. */
export function findToolchain(root = toolchainRoot): ToolchainLookup {
    const at = (...parts: string[]) => path.join(root, ...parts);
    const toolchain: Toolchain = {
        etcd: at("bin", "etcd"),
        kubeApiserver: at("bin", "kube-apiserver"),
        kubectl: at("bin", "kubectl"),
        argo: at("bin", "argo"),
        argoWorkflowsCrds: at("crds", "argo-workflows"),
        argoCdCrds: at("crds", "argo-cd"),
        versions: { etcd: "", kubernetes: "", argoWorkflows: "", argoCd: "" },
    };
    const missing = [
        toolchain.etcd,
        toolchain.kubeApiserver,
        toolchain.kubectl,
        toolchain.argo,
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
    return { ok: true, toolchain };
}
