/**
 * The registry's login in the two forms its clients read: the htpasswd line the registry checks
 * (Distribution 2.8 accepts bcrypt only), and the docker config JSON that kubelets (through an
 * `imagePullSecrets` Secret) and BuildKit's buildctl (`$DOCKER_CONFIG/config.json`) read.
 */
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { registry, registryCredentials } from "../../../vocabulary/names";
import { componentLabels } from "../common/labels";
import { type ISecret, manifest } from "../common/manifest";

export interface RegistryLogin {
    readonly username: string;
    readonly password: string;
}

/** The key of a `kubernetes.io/dockerconfigjson` Secret, fixed by Kubernetes. */
export const dockerConfigJsonKey = ".dockerconfigjson";

/** A username that HTTP basic auth and htpasswd can carry (":" would end it in both). */
function checkUsername(username: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(username)) {
        throw new Error(`registry username ${JSON.stringify(username)} must be letters, digits, ".", "_" or "-"`);
    }
    return username;
}

export function checkRegistryLogin(login: RegistryLogin): RegistryLogin {
    checkUsername(login.username);
    // Never the password itself in a message.
    if (login.password.length === 0 || /[\r\n]/.test(login.password)) throw new Error("the registry password must be one non-empty line");
    return login;
}

/** The registry's htpasswd file: one `user:hash` line, the hash a bcrypt one (PasswordHash). */
export function htpasswdFile(username: string, hash: string): string {
    return `${checkUsername(username)}:${hash}\n`;
}

/** A docker config whose only login is `login` for `host` (host:port, as image references name it). */
export function dockerConfigJson(host: string, login: RegistryLogin): string {
    checkRegistryLogin(login);
    const auth = Buffer.from(`${login.username}:${login.password}`, "utf8").toString("base64");
    return JSON.stringify({ auths: { [host]: { username: login.username, password: login.password, auth } } });
}

/** Every key of the login Secret: the docker config for pulls and pushes, the two parts for the release CLI's env. */
export function loginSecretData(login: RegistryLogin, host: string = registry.host): Record<string, string> {
    return {
        [dockerConfigJsonKey]: dockerConfigJson(host, login),
        [registryCredentials.usernameKey]: login.username,
        [registryCredentials.passwordKey]: login.password,
    };
}

/** The typed shell of the login Secret in one namespace; its values are added as Pulumi secrets. */
export function loginSecretManifest(namespace: string): ISecret {
    return manifest.Secret({
        metadata: { name: registryCredentials.secretName, namespace, labels: componentLabels(registry.serviceName) },
        type: "kubernetes.io/dockerconfigjson",
    });
}

/** The `imagePullSecrets` of a pod that runs `images`: the login when any is the registry's, else none. */
export function registryPullSecrets(images: readonly string[]): Pick<IPodSpec, "imagePullSecrets"> {
    return images.some((image) => image.startsWith(`${registry.host}/`)) ? { imagePullSecrets: [{ name: registryCredentials.secretName }] } : {};
}
