import { platformImages } from "../../../vocabulary/versions";
import { type NodeSecurityProfiles, withoutNodeAppArmor } from "../../k3s/apparmor-profiles";
import { componentLabels } from "../common/labels";
import { type IConfigMap, type IJob, manifest } from "../common/manifest";
import { platformResources, toResourceRequirements } from "../common/resources";
import { checkovWaivers, defaultUid, restrictedSecurityContext } from "../common/security";
import { buildkitdConfig, buildkitdConfigKey, imageBuilderContainer, imageBuilderVolumes, imageBuilderWaivers } from "./builder";

/** An image repository name as the distribution spec allows it (lowercase path components). */
const repositoryPattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export function checkRepositoryName(name: string): string {
    if (!repositoryPattern.test(name) || name.length > 60) {
        throw new Error(
            `image name "${name}" is not a valid repository name: use lowercase letters, digits and . _ - separators, at most 60 characters`,
        );
    }
    return name;
}

export interface ImageBuildManifestArgs {
    /** Image repository, e.g. "gourmetgram-gates". */
    repository: string;
    /** Registry host:port the image is pushed to (plain HTTP). */
    registryHost: string;
    /** Content tag from contentTag(). */
    tag: string;
    dockerfile: string;
    namespace: string;
    /** gzip tar of the context, as base64. */
    archiveBase64: string;
    /** What the cluster's nodes hold of the lab's security profiles; none when omitted. */
    nodeProfiles?: NodeSecurityProfiles;
}

const contextFile = "context.tar.gz";
const archiveMount = "/workspace/archive";
const contextMount = "/workspace/context";
/** tar unpacking a ConfigMap's few hundred KiB. */
const unpackResources = { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } };

/** `name` cut to a DNS label together with a short hash suffix. */
function objectName(prefix: string, repository: string, tag: string): string {
    const suffix = tag.slice(-12);
    const base = `${prefix}-${repository.replace(/[^a-z0-9-]/g, "-")}`.slice(0, 63 - suffix.length - 1).replace(/-+$/, "");
    return `${base}-${suffix}`;
}

export function imageReference(registryHost: string, repository: string, tag: string): string {
    return `${registryHost}/${repository}:${tag}`;
}

/**
 * The build context in an immutable ConfigMap (the archive and buildkitd's configuration) and a
 * Job that unpacks the archive (BuildKit reads a directory) and builds and pushes it with the
 * image builder (builder.ts). Both names carry the content tag: a changed source is a new Job,
 * an unchanged one is no change at all.
 */
export function imageBuildManifests(args: ImageBuildManifestArgs): { context: IConfigMap; job: IJob } {
    checkRepositoryName(args.repository);
    const labels = { ...componentLabels("image-build"), "gourmetgram.io/image": args.repository.replace(/\//g, ".") };
    const contextName = objectName("build-context", args.repository, args.tag);
    // buildkitd's configuration rides in the build's own ConfigMap: ImageBuilds are made by
    // components in two layers, and none owns a ConfigMap shared by the namespace.
    const context = manifest.ConfigMap({
        metadata: { name: contextName, namespace: args.namespace, labels },
        immutable: true,
        data: { [buildkitdConfigKey]: buildkitdConfig(args.registryHost) },
        binaryData: { [contextFile]: args.archiveBase64 },
    });
    const job = manifest.Job({
        metadata: {
            name: objectName("build", args.repository, args.tag),
            namespace: args.namespace,
            labels,
            annotations: checkovWaivers(imageBuilderWaivers),
        },
        spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    // The build pushes over plain HTTP and never calls the Kubernetes API.
                    automountServiceAccountToken: false,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    initContainers: [
                        {
                            name: "unpack-context",
                            image: platformImages.buildkit,
                            command: ["tar", "-xzf", `${archiveMount}/${contextFile}`, "-C", contextMount],
                            volumeMounts: [
                                { name: "context-archive", mountPath: archiveMount, readOnly: true },
                                { name: "context", mountPath: contextMount },
                            ],
                            resources: unpackResources,
                            // The image's user is root: the numeric uid lets runAsNonRoot hold.
                            securityContext: { ...restrictedSecurityContext(), runAsUser: defaultUid, runAsGroup: defaultUid },
                        },
                    ],
                    containers: [
                        imageBuilderContainer({
                            name: "image-build",
                            image: platformImages.buildkit,
                            contextDir: contextMount,
                            dockerfile: args.dockerfile,
                            images: [imageReference(args.registryHost, args.repository, args.tag)],
                            contextMount: { name: "context", mountPath: contextMount, readOnly: true },
                            resources: toResourceRequirements(platformResources.imageBuild),
                            nodeProfiles: args.nodeProfiles ?? withoutNodeAppArmor,
                        }),
                    ],
                    volumes: [
                        { name: "context-archive", configMap: { name: contextName, items: [{ key: contextFile, path: contextFile }] } },
                        { name: "context", emptyDir: {} },
                        ...imageBuilderVolumes(contextName),
                    ],
                },
            },
        },
    });
    return { context, job };
}
