/**
 * The in-cluster image builder's container, one definition for ImageBuild's Job and the
 * pipeline's build-image step (docs/image-builds.md): BuildKit without a long-running daemon.
 * The pod starts as root with only SETUID and SETGID, creates a user namespace whose root is
 * node uid 100000, and runs buildkitd and one `buildctl build` in it; every RUN step of a
 * Dockerfile runs as node ids 100000-165535, with capabilities only inside that namespace.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import { registryCredentials } from "../../../vocabulary/names";
import { appArmorProfiles, type NodeSecurityProfiles, withoutNodeAppArmor } from "../../k3s/apparmor-profiles";
import { seccompProfiles } from "../../k3s/seccomp-profiles";
import { componentLabels } from "../common/labels";
import { type IConfigMap, manifest } from "../common/manifest";
import { dockerConfigJsonKey } from "../registry/login";

/** The script's exit status when the pod cannot create the build's user namespace. */
export const noUserNamespaceExitCode = 70;

const configDir = "/etc/buildkit";
const configFile = "buildkitd.toml";
/** `$DOCKER_CONFIG`: buildctl reads the registry's login from `config.json` here, for pulls and pushes. */
const dockerConfigDir = "/etc/registry-login";
const socket = "unix:///run/buildkit/buildkitd.sock";
/** Where buildctl writes what it pushed (`containerimage.digest`); /tmp is an emptyDir. */
export const metadataFile = "/tmp/metadata.json";

/** node ids 100000-165535 become 0-65535 in the build's namespace; its first process is its root. */
const userNamespace = "--user --mount --map-users=100000,0,65536 --map-groups=100000,0,65536 --setuid=0 --setgid=0";

/**
 * Runs in the namespace as its root: buildkitd in the background (its log kept aside and shown
 * only when something fails), a bounded wait until it answers, the build, then buildkitd stopped.
 * Passed to `sh -c` as one single-quoted word, so it holds no single quote.
 */
const inNamespace = `
log=\${TMPDIR:-/tmp}/buildkitd.log
buildkitd --config=${configDir}/${configFile} --oci-worker-no-process-sandbox --addr ${socket} > "$log" 2>&1 &
daemon=$!
tries=0
until buildctl --addr ${socket} debug workers > /dev/null 2>&1; do
    if ! kill -0 "$daemon" 2> /dev/null; then
        cat "$log" >&2
        echo "image-build: buildkitd stopped before it answered on ${socket} (its log is above)" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ]; then
        cat "$log" >&2
        echo "image-build: buildkitd did not answer on ${socket} within 60 seconds (its log is above)" >&2
        exit 1
    fi
    sleep 0.5
done
status=0
buildctl --addr ${socket} build "$@" || status=$?
kill "$daemon"
wait "$daemon"
if [ "$status" -ne 0 ]; then
    echo "image-build: buildctl exited $status; the log of buildkitd follows" >&2
    cat "$log" >&2
fi
exit "$status"
`;

if (inNamespace.includes("'")) throw new Error("the image build's namespace script must hold no single quote");

/**
 * The container's whole program, `sh -c <script> image-build <buildctl build arguments>`. First a
 * check that the user namespace can be made at all, with a message a student can act on: a bare
 * `unshare --user` before the mapped one, because util-linux 2.38's unshare waits forever for its
 * id-mapping child when unshare(2) is refused.
 */
export const imageBuildScript = `set -u
if ! err=$(unshare --user true 2>&1) || ! err=$(unshare ${userNamespace} true 2>&1); then
    echo "image-build: cannot create the build's user namespace ($err)." >&2
    echo "image-build: the pod must start as uid 0 with the capabilities SETUID and SETGID, under the seccomp profile ${seccompProfiles.imageBuilder} that the K3s install keeps on every node, which allows unshare and mount. See docs/image-builds.md." >&2
    exit ${noUserNamespaceExitCode}
fi
exec unshare ${userNamespace} -- /bin/sh -c '${inNamespace}' image-build "$@"
`;

/** buildkitd's configuration: the in-cluster registry speaks plain HTTP on the cluster network. */
export function buildkitdConfig(registryHost: string): string {
    return `[registry."${registryHost}"]\n  http = true\n`;
}

/** The ConfigMap key that holds buildkitdConfig() wherever a build mounts it. */
export const buildkitdConfigKey = configFile;

/** The ConfigMap the pipeline's build steps mount, one in the namespace they run in. */
export const buildkitdConfigMapName = "buildkitd-config";

export function buildkitdConfigMap(namespace: string, registryHost: string): IConfigMap {
    return manifest.ConfigMap({
        metadata: { name: buildkitdConfigMapName, namespace, labels: componentLabels("image-build") },
        data: { [buildkitdConfigKey]: buildkitdConfig(registryHost) },
    });
}

/**
 * Root only until the namespace exists, with SETUID and SETGID to map its ids; the node's seccomp
 * profile allows unshare and mount, and where the nodes hold the lab's AppArmor profile, so does
 * it (containerd's default AppArmor profile denies every mount).
 */
export function imageBuilderSecurityContext(nodes: NodeSecurityProfiles = withoutNodeAppArmor): ISecurityContext {
    return {
        runAsUser: 0,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] },
        readOnlyRootFilesystem: true,
        seccompProfile: { type: "Localhost", localhostProfile: seccompProfiles.imageBuilder },
        ...(nodes.appArmor ? { appArmorProfile: { type: "Localhost", localhostProfile: appArmorProfiles.imageBuilder } } : {}),
    };
}

/** checkov's checks the builder container cannot pass, and why (annotations beside the Job). */
export const imageBuilderWaivers = {
    CKV_K8S_23: "the image-build container starts as uid 0 only to create the build's user namespace; buildkitd and every RUN step run as node ids 100000-165535",
    CKV_K8S_40: "the image-build container starts as uid 0 only to create the build's user namespace; buildkitd and every RUN step run as node ids 100000-165535",
    CKV_K8S_25: "the image-build container adds SETUID and SETGID only, to map the build's user namespace ids (within Pod Security baseline)",
} as const;

const volumes = {
    config: "buildkitd-config",
    login: "registry-login",
    state: "buildkit-state",
    run: "buildkit-run",
    runc: "runc-state",
    tmp: "tmp",
} as const;

/**
 * The builder's volumes: its configuration from `configMapName`, the registry's login from the
 * namespace's login Secret, and writable emptyDirs for buildkitd's state, its socket, runc's
 * container state and /tmp (the root is read-only).
 */
export function imageBuilderVolumes(configMapName: string): IVolume[] {
    return [
        { name: volumes.config, configMap: { name: configMapName, items: [{ key: buildkitdConfigKey, path: configFile }] } },
        {
            name: volumes.login,
            // World-readable: buildctl reads it as the build's namespace root, node uid 100000, not the file's owner.
            secret: { secretName: registryCredentials.secretName, items: [{ key: dockerConfigJsonKey, path: "config.json" }], defaultMode: 0o444 },
        },
        ...[volumes.state, volumes.run, volumes.runc, volumes.tmp].map((name) => ({ name, emptyDir: {} })),
    ];
}

const volumeMounts: IVolumeMount[] = [
    { name: volumes.config, mountPath: configDir, readOnly: true },
    { name: volumes.login, mountPath: dockerConfigDir, readOnly: true },
    { name: volumes.state, mountPath: "/var/lib/buildkit" },
    { name: volumes.run, mountPath: "/run/buildkit" },
    // runc, run by buildkitd for each RUN step, keeps its state at its default: without this
    // volume every RUN step fails with `mkdir /run/runc: read-only file system`.
    { name: volumes.runc, mountPath: "/run/runc" },
    { name: volumes.tmp, mountPath: "/tmp" },
];

export interface ImageBuildRequest {
    /** Directory in the container holding the build context. */
    readonly contextDir: string;
    /** The Dockerfile's path relative to contextDir. */
    readonly dockerfile: string;
    /** Full references pushed, all in one repository (its `:buildcache` tag holds the cache). */
    readonly images: readonly string[];
}

/** `<registry>/<repository>` of a reference `<registry>/<repository>:<tag>`. */
function repositoryOf(reference: string): string {
    const tagAt = reference.lastIndexOf(":");
    if (tagAt <= reference.lastIndexOf("/")) throw new Error(`image reference ${reference} has no tag`);
    return reference.slice(0, tagAt);
}

/** The registry cache beside the images: `<registry>/<repository>:buildcache`. */
export function buildCacheReference(images: readonly string[]): string {
    const repositories = [...new Set(images.map(repositoryOf))];
    if (repositories.length !== 1) throw new Error(`one build pushes to one repository, got ${repositories.join(", ") || "no image"}`);
    return `${repositories[0]}:buildcache`;
}

/** What follows `buildctl build`: the Dockerfile frontend, one push of every reference, the registry cache both ways. */
export function buildctlBuildArgs(request: ImageBuildRequest): string[] {
    const cache = buildCacheReference(request.images);
    return [
        "--progress=plain",
        "--frontend=dockerfile.v0",
        `--local=context=${request.contextDir}`,
        `--local=dockerfile=${request.contextDir}`,
        `--opt=filename=${request.dockerfile}`,
        `--output=type=image,"name=${request.images.join(",")}",push=true`,
        `--export-cache=type=registry,ref=${cache},mode=max`,
        `--import-cache=type=registry,ref=${cache}`,
        `--metadata-file=${metadataFile}`,
    ];
}

export interface ImageBuilderContainerArgs extends ImageBuildRequest {
    /** The container's name ("main" in an Argo template). */
    readonly name: string;
    /** The BuildKit image (platformImages.buildkit). */
    readonly image: string;
    /** The pod's mount that holds contextDir. */
    readonly contextMount: IVolumeMount;
    readonly resources: IResourceRequirements;
    /** What the nodes the build may run on hold of the lab's security profiles. */
    readonly nodeProfiles: NodeSecurityProfiles;
}

/** The builder container; its pod needs imageBuilderVolumes() beside the context's volume. */
export function imageBuilderContainer(args: ImageBuilderContainerArgs): IContainer {
    return {
        name: args.name,
        image: args.image,
        command: ["/bin/sh", "-c", imageBuildScript, "image-build"],
        args: buildctlBuildArgs(args),
        env: [{ name: "DOCKER_CONFIG", value: dockerConfigDir }],
        volumeMounts: [args.contextMount, ...volumeMounts],
        resources: args.resources,
        securityContext: imageBuilderSecurityContext(args.nodeProfiles),
    };
}
