import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { registry, registryCredentials, registryNodeMirror } from "../../../vocabulary/names";
import { PasswordHash, secretPassword } from "../credentials";
import { pulumiArgs } from "../common/to-pulumi";
import { htpasswdFile, type RegistryLogin } from "./login";
import { registryLoginSecret } from "./login-secret";
import { registryAuth, registryManifests } from "./manifests";

export interface ImageRegistryArgs {
    storageSize: string;
    storageClassName: string;
    /**
     * Namespaces (existing before the component) whose pods push to or pull from the registry:
     * each gets the login Secret. Other components write it elsewhere with registryLoginSecret().
     */
    loginNamespaces: readonly string[];
}

/**
 * A persistent OCI registry in kube-system. Images survive pod restarts (they live on a
 * PVC); workflow pods push and pull at `registry.host`, nodes pull through the K3s mirror.
 * Every request but `/` needs the one login it generates (htpasswd, bcrypt).
 */
export class ImageRegistry extends pulumi.ComponentResource {
    /** Where pods address the registry: `registry.kube-system.svc.cluster.local:5000`. */
    readonly host: pulumi.Output<string>;
    /** Where each node's containerd reaches it (the registries.yaml mirror endpoint). */
    readonly nodeEndpoint: pulumi.Output<string>;
    /** The login every client presents, a Pulumi secret. */
    readonly login: pulumi.Output<RegistryLogin>;

    constructor(name: string, args: ImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ImageRegistry", name, {}, opts);
        const manifests = registryManifests(args);
        const child = { parent: this };

        const password = secretPassword(`${name}-login-password`, { length: 32 }, child);
        this.login = pulumi.secret(password.apply((pw) => ({ username: registryCredentials.username, password: pw })));
        // Hashed once and kept: bcrypt salts every hash, so one made on each up would change the Secret every time.
        const hash = new PasswordHash(`${name}-login-hash`, { password }, child).hash;
        const htpasswd = new k8s.core.v1.Secret(`${name}-htpasswd`, {
            ...pulumiArgs<k8s.core.v1.SecretArgs>(manifests.htpasswd),
            stringData: pulumi.secret(hash.apply((h) => ({ [registryAuth.key]: htpasswdFile(registryCredentials.username, h) }))),
        }, child);
        for (const namespace of args.loginNamespaces) registryLoginSecret(`${name}-login-${namespace}`, namespace, this.login, child);

        const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, pulumiArgs(manifests.volumeClaim), child);
        const deployment = new k8s.apps.v1.Deployment(name, pulumiArgs(manifests.deployment), { ...child, dependsOn: [claim, htpasswd] });
        const service = new k8s.core.v1.Service(name, pulumiArgs(manifests.service), { ...child, dependsOn: [deployment] });

        this.host = service.metadata.apply(() => registry.host);
        this.nodeEndpoint = service.metadata.apply(() => registryNodeMirror.endpoint);
        this.registerOutputs({ host: this.host, nodeEndpoint: this.nodeEndpoint, login: this.login });
    }
}
