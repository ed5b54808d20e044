import { Secret } from "kubernetes-models/v1";
import { componentLabels } from "../common/labels";
import { validated } from "../common/to-pulumi";

export interface CredentialsSecretArgs {
    name: string;
    namespace: string;
    component: string;
}

/**
 * The typed shell of a credentials Secret: name, namespace, labels, type. Its values are
 * added by the component as Pulumi secrets (`stringData`), so the builder never sees them.
 */
export function credentialsSecretManifest(args: CredentialsSecretArgs): Secret {
    return validated(
        new Secret({
            metadata: { name: args.name, namespace: args.namespace, labels: componentLabels(args.component) },
            type: "Opaque",
        }),
    );
}
