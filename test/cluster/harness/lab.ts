/**
 * The lab on the one-node cluster: the program's own `pulumi up` of stacks/Pulumi.local.yaml
 * with the real engine, nothing awaited skipped. Around the program, the harness runs what a
 * Chameleon lab gets from elsewhere: the git servers Argo CD clones the chart from and the
 * pipeline clones the app from (GitHub, there), LoadBalancer addresses (K3s's ServiceLB) and the
 * images (public registries), replaced through one table; after `up`, the images the pipeline's
 * pods pull from the in-cluster registry (registry-images.ts). `npm run lab:local` and the cluster
 * suites start it with startLab.
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
import { createAppRepository } from "./app-source";
import { startGitServer, type GitServer } from "./git-server";
import { localImageTransform, type ImageLookup } from "./local-image-transform";
import { clusterNetwork } from "./network";
import { registryMirrorEndpoint } from "./containerd";
import { pushRegistryImages, unmappedRegistryImages, type RegistryLogin } from "./registry-images";
import { appName, namespaces, registry } from "../../../vocabulary/names";
import { waitUntil } from "../../e2e/harness/process";
import { startServiceLoadBalancer, type ServiceLoadBalancer } from "./service-lb";
import type { ClusterToolchain } from "./tools";

export const labStackName = "local";

function labStackConfig(key: string): string {
    const stack = parse(fs.readFileSync(path.join(repoRoot, "stacks", `Pulumi.${labStackName}.yaml`), "utf8")) as { config: Record<string, string> };
    const value = stack.config[`gourmetgram:${key}`];
    if (value === undefined) throw new Error(`stacks/Pulumi.${labStackName}.yaml sets no gourmetgram:${key}`);
    return value;
}

/** The chart repository URL the local stack names: the git server must answer there. */
export function labChartRepoUrl(): URL {
    return new URL(labStackConfig("appChartRepoUrl"));
}

/** The app repository URL the local stack names: the pipeline clones the app from there. */
export function labAppRepoUrl(): URL {
    return new URL(labStackConfig("appGitUrl"));
}

function onNodeAddress(url: URL, key: string): URL {
    if (url.hostname !== clusterNetwork.nodeIp) {
        throw new Error(`stacks/Pulumi.${labStackName}.yaml must name the ${key} on the node's address ${clusterNetwork.nodeIp}, not ${url.host}`);
    }
    return url;
}

/**
 * Free disk a lab needs when it starts. Measured in the lab suite: the cluster's directory peaked at
 * 21 GiB, during the oversized model (its 1.5 GiB of weights are held by the build context,
 * BuildKit's cache, the registry and containerd each), and the kubelet keeps 1% of the disk
 * free on top.
 */
export const labNeedsFreeBytes = 26 * 2 ** 30;

export interface Lab {
    engine: Engine;
    git: GitServer;
    /** The app repository's server and the commit it serves. */
    appGit: GitServer;
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
    const chart = onNodeAddress(labChartRepoUrl(), "chart repository");
    const app = onNodeAddress(labAppRepoUrl(), "app repository");
    const git = await startGitServer({
        source: repoRoot,
        dir: options.dir,
        host: chart.hostname,
        port: Number(chart.port),
        name: path.basename(chart.pathname, ".git"),
    });
    let appGit: GitServer;
    try {
        const appRepository = await createAppRepository(path.join(options.dir, "app-source"));
        appGit = await startGitServer({
            source: appRepository.dir,
            dir: path.join(options.dir, "app"),
            host: app.hostname,
            port: Number(app.port),
            name: path.basename(app.pathname, ".git"),
        });
    } catch (error) {
        await git.stop();
        throw error;
    }
    const loadBalancer = startServiceLoadBalancer(cluster, clusterNetwork.nodeIp);
    // The inline program runs in this process and reads $KUBECONFIG as it would in a user's shell.
    const previousKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cluster.kubeconfig;
    const restoreKubeconfig = () => {
        if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = previousKubeconfig;
    };
    const transform = localImageTransform({ lookup: options.lookup, executorImage: options.executorImage, registryHost: registry.host });
    const program: PulumiFn = async () => {
        pulumi.runtime.registerResourceTransform(transform);
        return gourmetgram() as unknown as Record<string, unknown>;
    };
    try {
        const engine = await startEngine(tools, { stackName: labStackName, program, kubeconfig: cluster.kubeconfig });
        return {
            engine,
            git,
            appGit,
            loadBalancer,
            program,
            stop: async () => {
                await loadBalancer.stop();
                await appGit.stop();
                await git.stop();
                engine.remove();
                restoreKubeconfig();
            },
        };
    } catch (error) {
        await loadBalancer.stop();
        await appGit.stop();
        await git.stop();
        restoreKubeconfig();
        throw error;
    }
}

/**
 * After `up`: pushes the pipeline's images into the in-cluster registry (registry-images.ts),
 * once the registry answers through the node's mirror address, and checks that every registry
 * image the deployed WorkflowTemplates name has a row. Returns the references pushed.
 */
export async function publishPipelineImages(tools: ClusterToolchain, cluster: NodeCluster, login: RegistryLogin | undefined): Promise<string[]> {
    const templates = await cluster.kubectl(["get", "workflowtemplates", "-n", namespaces.workflows, "-o", "jsonpath={..image}"], { timeoutMs: 60_000 });
    if (templates.code !== 0) throw new Error(`reading the WorkflowTemplates' images: ${templates.stderr}`);
    const unmapped = unmappedRegistryImages(templates.stdout.split(/\s+/).filter(Boolean), appName);
    if (unmapped.length > 0) {
        throw new Error(`no locally built image stands in for ${unmapped.join(", ")}: add a row to test/cluster/harness/registry-images.ts`);
    }
    const endpoint = new URL(registryMirrorEndpoint()).host;
    // 200, or 401 when it wants a login: either way it answers.
    await waitUntil("the in-cluster registry on the node's mirror address", async () => [200, 401].includes((await fetch(`http://${endpoint}/v2/`)).status), {
        timeoutMs: 180_000,
    });
    // images.json as it is now: a rebuild since the cluster started replaces the archives it named.
    return pushRegistryImages(JSON.parse(fs.readFileSync(tools.imagesFile, "utf8")) as Record<string, { archive: string } | undefined>, endpoint, login);
}
