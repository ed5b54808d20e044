/**
 * Composition root: stack config → cluster → platform → pipeline → stack outputs. No logic
 * lives here; each layer's components and config sections live in their folders.
 *
 * The program is one function, the module's whole export. `pulumi up` runs it: Pulumi's
 * Node.js runtime calls a module that exports a function and makes what it returns the stack
 * outputs. An Automation API inline program runs the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./infra/cluster/cluster";
import { clusterConfig } from "./infra/config/cluster";
import { loadStackConfig, secretConfigKeys } from "./infra/config/load";
import { PROJECT } from "./vocabulary/names";
import { platformConfig } from "./infra/platform/config";
import { Platform } from "./infra/platform/platform";
import { Pipeline } from "./pipeline/component";
import { appMemoryFitsItsTraffic } from "./pipeline/app-memory";
import { githubTriggerNeedsArgoEvents, pipelineConfig } from "./pipeline/config";
import { PipelineImageBuilds } from "./pipeline/images";

function gourmetgram() {
    const raw = pulumi.runtime.allConfig();
    const config = loadStackConfig(
        PROJECT,
        raw,
        { cluster: clusterConfig, platform: platformConfig, pipeline: pipelineConfig },
        [githubTriggerNeedsArgoEvents, appMemoryFitsItsTraffic],
        // Messages never show the value of a key set with --secret.
        { secretKeys: secretConfigKeys(raw, pulumi.runtime) },
    );

    const cluster = createCluster(config.cluster);

    const platform = new Platform(
        "platform",
        { settings: config.platform, publicAddress: cluster.publicAddress, nodeProfiles: cluster.nodeProfiles },
        { providers: [cluster.provider] },
    );

    const images = new PipelineImageBuilds(
        "pipeline-images",
        { buildsEnabled: config.platform.imageBuildsEnabled, nodeProfiles: cluster.nodeProfiles },
        { providers: [cluster.provider], dependsOn: [platform] },
    );
    const pipeline = new Pipeline(
        "pipeline",
        {
            config: config.pipeline,
            images: { gates: images.gates, train: images.train },
            stagingAppResources: config.platform.appResources.staging,
            nodeProfiles: cluster.nodeProfiles,
        },
        { providers: [cluster.provider], dependsOn: [platform] },
    );

    return {
        publicAddress: cluster.publicAddress,
        // Only a Chameleon cluster has nodes to log in to; no output at all otherwise.
        ...(cluster.sshCommand ? { sshCommand: cluster.sshCommand } : {}),
        kubeconfig: cluster.kubeconfig,
        urls: platform.urls,
        registryHost: platform.registryHost,
        mlflowTrackingUri: platform.mlflowUrl,
        workflowTemplates: pipeline.workflowTemplateNames,
        // Who can reach which port, and the credentials the program made (secrets).
        publishedPorts: cluster.publishedPorts,
        mlflowAdminPassword: platform.mlflowAdminPassword,
        argoWorkflowsToken: platform.argoWorkflowsToken,
        argoCdAdminPassword: platform.argoCdAdminPassword,
        registryLogin: platform.registryLogin,
    };
}

export = gourmetgram;
