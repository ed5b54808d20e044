import * as fs from "node:fs";
import * as path from "node:path";
import { findToolchain, toolchainRoot, type Toolchain } from "../../e2e/harness/toolchain";

/** An image the cluster runs: the reference pods name and the archive `ctr images import` loads. */
export interface ClusterImage {
    ref: string;
    archive: string;
}

export const clusterImageNames = ["pause", "busybox", "coredns", "metrics-server", "local-path-provisioner"] as const;
export type ClusterImageName = (typeof clusterImageNames)[number];

/** The e2e toolchain plus what a node runs: scripts/toolchain/build.sh and scripts/setup.d/40-cluster-packages.sh. */
export interface ClusterToolchain extends Toolchain {
    kubelet: string;
    kubeProxy: string;
    kubeScheduler: string;
    crictl: string;
    images: Record<ClusterImageName, ClusterImage>;
    /** images.json itself, for reading it again after a rebuild (archives are replaced, not kept). */
    imagesFile: string;
    /** Upstream's install manifests, as the add-ons' releases ship them: metrics-server's is a kustomization. */
    manifests: { metricsServer: string; localPathProvisioner: string };
    /** From Debian packages. */
    containerd: string;
    ctr: string;
    cniBinDir: string;
}

export type ClusterToolchainLookup = { ok: true; tools: ClusterToolchain } | { ok: false; problem: string };

const buildHint =
    "run `bash scripts/setup.d/40-cluster-packages.sh` (as root) and `bash scripts/toolchain/build.sh` " +
    "(the node, add-ons and images take about 15 more minutes of CPU time, cold)";

/** Finds everything the one-node cluster runs, or says what is missing and how to get it. */
export function findClusterToolchain(root = toolchainRoot): ClusterToolchainLookup {
    const base = findToolchain(root, ["kubeControllerManager"]);
    if (!base.ok) return { ok: false, problem: base.problem };
    const at = (...parts: string[]) => path.join(root, ...parts);
    const manifests = {
        metricsServer: at("manifests", "metrics-server", "overlays", "release"),
        localPathProvisioner: at("manifests", "local-path-storage.yaml"),
    };
    const files = {
        kubelet: at("bin", "kubelet"),
        kubeProxy: at("bin", "kube-proxy"),
        kubeScheduler: at("bin", "kube-scheduler"),
        crictl: at("bin", "crictl"),
        containerd: "/usr/bin/containerd",
        ctr: "/usr/bin/ctr",
        cniBinDir: "/usr/lib/cni",
    };
    const imagesFile = at("images.json");
    const missing = [
        ...Object.values(files),
        path.join(files.cniBinDir, "bridge"),
        path.join(files.cniBinDir, "host-local"),
        "/usr/sbin/iptables",
        "/usr/sbin/conntrack",
        imagesFile,
        path.join(manifests.metricsServer, "kustomization.yaml"),
        manifests.localPathProvisioner,
    ].filter((file) => !fs.existsSync(file));
    if (missing.length > 0) {
        return { ok: false, problem: `the cluster toolchain is incomplete, missing ${missing.join(", ")}: ${buildHint}` };
    }
    const images = JSON.parse(fs.readFileSync(imagesFile, "utf8")) as Record<ClusterImageName, ClusterImage>;
    const absent = clusterImageNames.filter((name) => !images[name] || !fs.existsSync(images[name].archive));
    if (absent.length > 0) {
        return { ok: false, problem: `images.json lacks built images for ${absent.join(", ")}: ${buildHint}` };
    }
    return { ok: true, tools: { ...base.toolchain, ...files, images, imagesFile, manifests } };
}
