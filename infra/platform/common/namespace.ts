import { Namespace } from "kubernetes-models/v1";
import { PROJECT } from "../../names";
import { validated } from "./to-pulumi";

export function namespaceManifest(name: string, labels: Record<string, string> = {}): Namespace {
    return validated(new Namespace({ metadata: { name, labels: { "app.kubernetes.io/part-of": PROJECT, ...labels } } }));
}
