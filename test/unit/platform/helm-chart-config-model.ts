/**
 * A model class for K3s's HelmChartConfig (helm.cattle.io/v1), which no model package covers,
 * written from helm-controller's HelmChartConfigSpec: valuesContent (a YAML document as a
 * string), values (an object), valuesSecrets, failurePolicy. It checks what the API server's
 * structural schema would (types, no unknown spec fields) and that valuesContent is a YAML
 * mapping, which helm-controller merges over the packaged chart's values.
 */
import { parse } from "yaml";

interface HelmChartConfigData {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
    spec?: Record<string, unknown>;
}

const specFields: Record<string, (v: unknown) => boolean> = {
    valuesContent: (v) => typeof v === "string",
    values: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    valuesSecrets: (v) => Array.isArray(v),
    failurePolicy: (v) => v === "abort" || v === "reinstall",
};

export class HelmChartConfigModel {
    static readonly apiVersion = "helm.cattle.io/v1";
    static readonly kind = "HelmChartConfig";

    constructor(private readonly data: HelmChartConfigData) {}

    validate(): void {
        const d = this.data;
        if (d.apiVersion !== HelmChartConfigModel.apiVersion || d.kind !== HelmChartConfigModel.kind) throw new Error("apiVersion/kind must be helm.cattle.io/v1 HelmChartConfig");
        if (typeof d.metadata?.name !== "string" || d.metadata.name === "") throw new Error("metadata/name must be a non-empty string");
        if (typeof d.metadata.namespace !== "string") throw new Error("metadata/namespace must be a string (the HelmChart's namespace)");
        for (const [key, value] of Object.entries(d.spec ?? {})) {
            const check = specFields[key];
            if (!check) throw new Error(`spec must NOT have additional property ${key}`);
            if (!check(value)) throw new Error(`spec/${key} has the wrong type`);
        }
        const content = d.spec?.valuesContent;
        if (typeof content === "string") {
            const values = parse(content) as unknown;
            if (typeof values !== "object" || values === null || Array.isArray(values)) throw new Error("spec/valuesContent must be a YAML mapping of chart values");
        }
    }
}
