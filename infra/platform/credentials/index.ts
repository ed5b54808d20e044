import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { pulumiArgs } from "../common/to-pulumi";
import { credentialsSecretManifest } from "./secret";

/**
 * A Kubernetes Secret whose values are Pulumi secrets: encrypted in the state file, shown
 * as [secret] in previews, and never part of a ConfigMap or a plain stack config value.
 */
export function credentialsSecret(
    resourceName: string,
    args: { name: string; namespace: string; component: string; values: Record<string, pulumi.Input<string>> },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    const shell = pulumiArgs<k8s.core.v1.SecretArgs>(credentialsSecretManifest(args));
    return new k8s.core.v1.Secret(resourceName, { ...shell, stringData: pulumi.secret(pulumi.output(args.values)) }, opts);
}

export { secretPassword, GeneratedPassword } from "./generated-password";
export { PasswordHash } from "./password-hash";
