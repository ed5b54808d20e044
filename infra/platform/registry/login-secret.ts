import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { pulumiArgs } from "../common/to-pulumi";
import { loginSecretData, loginSecretManifest, type RegistryLogin } from "./login";

/**
 * The registry's login Secret in `namespace` (registryCredentials in vocabulary/names): pods
 * there name it in `imagePullSecrets`, mount it as BuildKit's docker config, or read its parts
 * into the release CLI's environment. Its values are Pulumi secrets.
 */
export function registryLoginSecret(
    resourceName: string,
    namespace: string,
    login: pulumi.Input<RegistryLogin>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    const shell = pulumiArgs<k8s.core.v1.SecretArgs>(loginSecretManifest(namespace));
    return new k8s.core.v1.Secret(resourceName, { ...shell, stringData: pulumi.secret(pulumi.output(login).apply((l) => loginSecretData(l))) }, opts);
}
