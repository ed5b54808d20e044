import { PROJECT } from "../../names";
import { type INamespace, manifest } from "./manifest";

export function namespaceManifest(name: string, labels: Record<string, string> = {}): INamespace {
    return manifest.Namespace({ metadata: { name, labels: { "app.kubernetes.io/part-of": PROJECT, ...labels } } });
}
