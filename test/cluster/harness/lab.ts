/**
 * The lab on the one-node cluster: the program's own `pulumi up` of stacks/Pulumi.local.yaml
 * with the real engine, nothing awaited skipped. Around the program, the harness runs what a
 * Chameleon lab gets from elsewhere: the git server Argo CD clones the chart from (GitHub, there),
 * LoadBalancer addresses (K3s's ServiceLB) and the images (public registries), replaced through
 * one table. `npm run lab:local` and test/cluster/lab.test.ts both start it with startLab.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import gourmetgram from "../../../index";
import { startEngine, type Engine } from "../../e2e/harness/engine";
import { repoRoot } from "../../e2e/harness/render";
import type { NodeCluster } from "./cluster";
import { startGitServer, type GitServer } from "./git-server";
import { localImageTransform, type ImageLookup } from "./local-image-transform";
import { clusterNetwork } from "./network";
import { startServiceLoadBalancer, type ServiceLoadBalancer } from "./service-lb";
import type { ClusterToolchain } from "./tools";

export const labStackName = "local";

/** The chart repository URL the local stack names: the git server must answer there. */
export function labChartRepoUrl(): URL {
    const stack = parse(fs.readFileSync(path.join(repoRoot, "stacks", `Pulumi.${labStackName}.yaml`), "utf8")) as { config: Record<string, string> };
    return new URL(stack.config["gourmetgram:appChartRepoUrl"]);
}

export interface Lab {
    engine: Engine;
    git: GitServer;
    loadBalancer: ServiceLoadBalancer;
    /** The program with the harness's image replacement, for up, preview and refresh. */
    program: PulumiFn;
    stop(): Promise<void>;
}

export interface LabOptions {
    lookup: ImageLookup;
    executorImage: string;
    /** Where the served repository goes. */
    dir: string;
}

export async function startLab(tools: ClusterToolchain, cluster: NodeCluster, options: LabOptions): Promise<Lab> {
    const chart = labChartRepoUrl();
    if (chart.hostname !== clusterNetwork.nodeIp) {
        throw new Error(`stacks/Pulumi.${labStackName}.yaml must name the chart repository on the node's address ${clusterNetwork.nodeIp}, not ${chart.host}`);
    }
    const git = await startGitServer({
        source: repoRoot,
        dir: options.dir,
        host: chart.hostname,
        port: Number(chart.port),
        name: path.basename(chart.pathname, ".git"),
    });
    const loadBalancer = startServiceLoadBalancer(cluster, clusterNetwork.nodeIp);
    // The inline program runs in this process and reads $KUBECONFIG as it would in a user's shell.
    const previousKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cluster.kubeconfig;
    const restoreKubeconfig = () => {
        if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = previousKubeconfig;
    };
    const transform = localImageTransform({ lookup: options.lookup, executorImage: options.executorImage });
    const program: PulumiFn = async () => {
        pulumi.runtime.registerResourceTransform(transform);
        return gourmetgram() as unknown as Record<string, unknown>;
    };
    try {
        const engine = await startEngine(tools, { stackName: labStackName, program, kubeconfig: cluster.kubeconfig });
        return {
            engine,
            git,
            loadBalancer,
            program,
            stop: async () => {
                await loadBalancer.stop();
                await git.stop();
                engine.remove();
                restoreKubeconfig();
            },
        };
    } catch (error) {
        await loadBalancer.stop();
        await git.stop();
        restoreKubeconfig();
        throw error;
    }
}
