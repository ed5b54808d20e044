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
    /** The Pulumi CLI, with the dynamic-provider launcher beside it (optional tool "pulumi"). */
    pulumi: string;
    /** The Kubernetes resource plugin binary, installed per run with `pulumi plugin install` (with "pulumi"). */
    pulumiKubernetes: string;
    /** Same release as kube-apiserver (optional tool "kubeControllerManager"). */
    kubeControllerManager: string;
    argoWorkflowsCrds: string;
    argoCdCrds: string;
    versions: {
        etcd: string;
        kubernetes: string;
        argoWorkflows: string;
        argoCd: string;
        helm?: string;
        pulumi?: string;
        pulumiKubernetes?: string;
        kubeControllerManager?: string;
    };
}

/** Tools that only some suites need; a suite names the ones it runs. */
export type OptionalTool = "helm" | "pulumi" | "kubeControllerManager";

/** The files each optional tool is made of. */
const optionalFiles = (toolchain: Toolchain, tool: OptionalTool): string[] =>
    tool === "pulumi"
        ? [toolchain.pulumi, path.join(path.dirname(toolchain.pulumi), "pulumi-resource-pulumi-nodejs"), toolchain.pulumiKubernetes]
        : [toolchain[tool]];

export type ToolchainLookup = { ok: true; toolchain: Toolchain } | { ok: false; problem: string };

const buildHint = "build it with `bash scripts/toolchain/build.sh` (cold: about 75 minutes on 2 cores)";

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
        pulumi: at("bin", "pulumi"),
        pulumiKubernetes: at("plugins", "pulumi-resource-kubernetes"),
        kubeControllerManager: at("bin", "kube-controller-manager"),
        argoWorkflowsCrds: at("crds", "argo-workflows"),
        argoCdCrds: at("crds", "argo-cd"),
        versions: { etcd: "", kubernetes: "", argoWorkflows: "", argoCd: "" },
    };
    const missing = [
        toolchain.etcd,
        toolchain.kubeApiserver,
        toolchain.kubectl,
        toolchain.argo,
        ...optional.flatMap((tool) => optionalFiles(toolchain, tool)),
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
    if (optional.includes("pulumi") && typeof toolchain.versions.pulumiKubernetes !== "string") unversioned.push("pulumi");
    if (unversioned.length > 0) {
        return {
            ok: false,
            problem: `e2e toolchain predates ${unversioned.join(", ")}: versions.json under .cache/toolchain does not record it; ${buildHint}`,
        };
    }
    return { ok: true, toolchain };
}
