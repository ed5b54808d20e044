import { componentLabels } from "../common/labels";
import { type ISecret, manifest } from "../common/manifest";

export interface CredentialsSecretArgs {
    name: string;
    namespace: string;
    component: string;
}

/**
 * The typed shell of a credentials Secret: name, namespace, labels, type. Its values are
 * added by the component as Pulumi secrets (`stringData`), so the builder never sees them.
 */
export function credentialsSecretManifest(args: CredentialsSecretArgs): ISecret {
    return manifest.Secret({
        metadata: { name: args.name, namespace: args.namespace, labels: componentLabels(args.component) },
        type: "Opaque",
    });
}
