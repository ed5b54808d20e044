import { namespaces, registry, registryNodeMirror } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { componentLabels, selectorLabels } from "../common/labels";
import { type IDeployment, type IPersistentVolumeClaim, type ISecret, type IService, manifest } from "../common/manifest";
import { platformResources, toResourceRequirements } from "../common/resources";
import { dataVolume, dataVolumeClaim, singleInstanceDeployment } from "../common/single-instance";
import { restrictedContainer, restrictedPod } from "../common/security";

export interface RegistryManifestArgs {
    /** Size of the volume that holds every pushed image, e.g. "20Gi". */
    storageSize: string;
    /** StorageClass of that volume; K3s ships `local-path`. */
    storageClassName: string;
}

export interface RegistryManifests {
    volumeClaim: IPersistentVolumeClaim;
    /** The shell of the htpasswd Secret; the component adds its one line as a Pulumi secret. */
    htpasswd: ISecret;
    deployment: IDeployment;
    service: IService;
}

const dataPath = "/var/lib/registry";

/** Distribution's htpasswd auth: every request but `/` needs the login (login.ts). */
export const registryAuth = {
    secretName: "registry-htpasswd",
    key: "htpasswd",
    dir: "/etc/registry-auth",
    realm: "GourmetGram registry",
} as const;

/**
 * The registry's objects. The Service is a NodePort: pods reach it by cluster DNS on
 * `registry.port`, each node's containerd through `registryNodeMirror` on loopback.
 */
export function registryManifests(args: RegistryManifestArgs): RegistryManifests {
    const name = registry.serviceName;
    const namespace = namespaces.registry;
    const labels = componentLabels(name);
    // `/v2/` answers 401 without the login; Distribution answers 200 on `/` to anyone.
    const probe = { httpGet: { path: "/", port: registry.port } };

    const volumeClaim = dataVolumeClaim({ name, namespace, labels }, args);
    const htpasswd = manifest.Secret({ metadata: { name: registryAuth.secretName, namespace, labels }, type: "Opaque" });

    // registry:2 runs as root by default but needs only its data directory (local-path
    // volumes are world-writable) and nothing else writable: a non-root, read-only pod.
    const deployment = singleInstanceDeployment({ name, namespace, labels, mountsDataVolume: true }, restrictedPod({
        containers: [
            restrictedContainer({
                name,
                image: platformImages.registry,
                ports: [{ name: "http", containerPort: registry.port }],
                env: [
                    { name: "REGISTRY_HTTP_ADDR", value: `:${registry.port}` },
                    { name: "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", value: dataPath },
                    // Nothing in the lab deletes an image; a client that could would remove a tested digest.
                    { name: "REGISTRY_STORAGE_DELETE_ENABLED", value: "false" },
                    { name: "REGISTRY_AUTH", value: "htpasswd" },
                    { name: "REGISTRY_AUTH_HTPASSWD_REALM", value: registryAuth.realm },
                    { name: "REGISTRY_AUTH_HTPASSWD_PATH", value: `${registryAuth.dir}/${registryAuth.key}` },
                ],
                volumeMounts: [
                    { name: "data", mountPath: dataPath },
                    { name: "htpasswd", mountPath: registryAuth.dir, readOnly: true },
                ],
                readinessProbe: { ...probe, periodSeconds: 5 },
                livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 20 },
                resources: toResourceRequirements(platformResources.registry),
            }),
        ],
        volumes: [dataVolume(volumeClaim), { name: "htpasswd", secret: { secretName: registryAuth.secretName } }],
    }));

    const service = manifest.Service({
        metadata: { name, namespace, labels },
        spec: {
            type: "NodePort",
            selector: selectorLabels(name),
            ports: [{ name: "http", port: registry.port, targetPort: registry.port, nodePort: registryNodeMirror.nodePort }],
        },
    });

    return { volumeClaim, htpasswd, deployment, service };
}
