/**
 * Composition root: stack config → cluster → platform → pipeline → stack outputs. No logic
 * lives here; each layer's components and config sections live in their folders.
 */
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./infra/cluster/cluster";
import { clusterConfig } from "./infra/config/cluster";
import { loadStackConfig } from "./infra/config/load";
import { environmentPorts, platformPublicPorts, PROJECT } from "./infra/names";
import { platformConfig } from "./infra/platform/config";
import { Platform } from "./infra/platform/platform";
import { Pipeline } from "./pipeline/component";
import { githubTriggerNeedsArgoEvents, pipelineConfig } from "./pipeline/config";
import { PipelineImages } from "./pipeline/images";

const config = loadStackConfig(
    PROJECT,
    pulumi.runtime.allConfig(),
    { cluster: clusterConfig, platform: platformConfig, pipeline: pipelineConfig },
    [githubTriggerNeedsArgoEvents],
);

const cluster = createCluster(config.cluster, {
    servicePorts: {
        ...Object.fromEntries(Object.entries(environmentPorts).map(([env, port]) => [`app-${env}`, port])),
        ...platformPublicPorts,
    },
});

const platform = new Platform(
    "platform",
    { settings: config.platform, publicAddress: cluster.publicAddress },
    { providers: [cluster.provider] },
);

const images = new PipelineImages(
    "pipeline-images",
    { buildsEnabled: config.platform.imageBuildsEnabled },
    { providers: [cluster.provider], dependsOn: [platform] },
);
const pipeline = new Pipeline(
    "pipeline",
    { config: config.pipeline, images: { gates: images.gates, train: images.train } },
    { providers: [cluster.provider], dependsOn: [platform] },
);

export const publicAddress = cluster.publicAddress;
export const sshCommand = cluster.sshCommand;
export const kubeconfig = cluster.kubeconfig;
export const urls = platform.urls;
export const registryHost = platform.registryHost;
export const mlflowTrackingUri = platform.mlflowUrl;
export const workflowTemplates = pipeline.workflowTemplateNames;
