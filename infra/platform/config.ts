import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { boolean, expandHome, gitRevision, integer, jsonObject, memoryQuantity, oneOf, optional, text, url } from "../config/fields";
import { defineSection } from "../config/section";
import { defaultAppResources, Environment, environments, publicRoute } from "../../vocabulary/names";
import type { GitSource } from "../../vocabulary/git-source";
import type { ContainerResources } from "./common/resources";
import { argoWorkflowsAuthModes, ArgoWorkflowsAuthMode, upstreamManifests } from "./argo";
import type { ManifestSource } from "./argo/manifest-source";
import { parseCpuMillicores, parseMemoryBytes } from "../../vocabulary/quantities";

export interface PlatformSettings {
    readonly storageClassName: string;
    readonly registryStorageSize: string;
    readonly postgresStorageSize: string;
    readonly minioStorageSize: string;
    /** A prebuilt MLflow server image pinned by digest; otherwise it is built in the cluster. */
    readonly mlflowImage?: string;
    readonly imageBuildsEnabled: boolean;
    readonly argoWorkflowsManifest: ManifestSource;
    readonly argoWorkflowsAuthMode: ArgoWorkflowsAuthMode;
    readonly argoCdManifest: ManifestSource;
    readonly argoEvents: { readonly enabled: false } | { readonly enabled: true; readonly manifest: ManifestSource };
    /** The repository the Argo CD Applications sync the app chart from. */
    readonly appChartSource: GitSource;
    readonly appResources: Record<Environment, ContainerResources>;
    /** The public address through K3s's Traefik, splitting traffic to canary; absent: no public route. */
    readonly publicRoute?: { readonly canaryPercent: number };
}

const pinnedImagePattern = /^[^\s@]+:[^\s@:/]+@sha256:[0-9a-f]{64}$/;

const resourcePair = z
    .object({ cpu: z.string().optional(), memory: z.string().optional() })
    .strict();
const resourceOverride = z.object({ limits: resourcePair.optional(), requests: resourcePair.optional() }).strict();
const appResourcesSchema = z
    .object({ staging: resourceOverride.optional(), canary: resourceOverride.optional(), production: resourceOverride.optional() })
    .strict();

/**
 * Unset is the pinned upstream download; a URL must be that same https URL (the only one with a
 * pinned sha256); anything else is a file path, resolved and checked.
 */
export function manifestSource(value: string | undefined, upstream: ManifestSource & { kind: "url" }): ManifestSource | { error: string } {
    if (value === undefined || value === upstream.url) return upstream;
    if (/^http:\/\//i.test(value)) return { error: `plain http is refused: a manifest carries cluster-wide RBAC; use ${upstream.url} (the default) or a local file` };
    if (/^https:\/\//i.test(value)) {
        return {
            error: `only ${upstream.url} (the default) has a pinned sha256 to check a download against; download the file, review it, and set this key to its local path`,
        };
    }
    const resolved = path.resolve(expandHome(value));
    if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
        return { error: `expected the path of an existing manifest file (or unset, for the pinned download); ${resolved} is not a file` };
    }
    return { kind: "file", path: resolved };
}

/** Applies a stack's per-environment overrides to the default app resources, checking each value. */
export function appResourcesFrom(
    overrides: z.infer<typeof appResourcesSchema>,
    report: (key: string, message: string) => void,
): Record<Environment, ContainerResources> {
    const result = {} as Record<Environment, ContainerResources>;
    for (const env of environments) {
        const o = overrides[env] ?? {};
        const r: ContainerResources = {
            limits: { ...defaultAppResources.limits, ...o.limits },
            requests: { ...defaultAppResources.requests, ...o.requests },
        };
        for (const kind of ["limits", "requests"] as const) {
            if (parseCpuMillicores(r[kind].cpu) === undefined) report("appResources", `${env}.${kind}.cpu "${r[kind].cpu}" is not a CPU quantity such as 500m or 1`);
            if (parseMemoryBytes(r[kind].memory) === undefined) report("appResources", `${env}.${kind}.memory "${r[kind].memory}" is not a memory quantity such as 256Mi`);
        }
        const cpu = [parseCpuMillicores(r.requests.cpu), parseCpuMillicores(r.limits.cpu)];
        const memory = [parseMemoryBytes(r.requests.memory), parseMemoryBytes(r.limits.memory)];
        if (cpu[0] !== undefined && cpu[1] !== undefined && cpu[0] > cpu[1]) report("appResources", `${env}: CPU request ${r.requests.cpu} exceeds the limit ${r.limits.cpu}`);
        if (memory[0] !== undefined && memory[1] !== undefined && memory[0] > memory[1]) report("appResources", `${env}: memory request ${r.requests.memory} exceeds the limit ${r.limits.memory}`);
        result[env] = r;
    }
    return result;
}

export const platformConfig = defineSection(
    {
        storageClass: text("a StorageClass name such as local-path", { default: "local-path", pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ }),
        registryStorageSize: memoryQuantity({ default: "20Gi" }),
        postgresStorageSize: memoryQuantity({ default: "5Gi" }),
        minioStorageSize: memoryQuantity({ default: "20Gi" }),
        mlflowImage: optional(text("an image pinned by tag and digest, such as ghcr.io/mlflow/mlflow:v3.17.2-full@sha256:<64 hex>", { pattern: pinnedImagePattern })),
        imageBuildsEnabled: boolean({ default: true }),
        argoWorkflowsManifest: optional(text("an http(s) URL or a path to the Argo Workflows install manifest")),
        argoWorkflowsAuthMode: oneOf(argoWorkflowsAuthModes, { default: "client" }),
        argoCdManifest: optional(text("an http(s) URL or a path to the Argo CD install manifest")),
        argoEventsEnabled: boolean({ default: false }),
        argoEventsManifest: optional(text("an http(s) URL or a path to the Argo Events install manifest")),
        appChartRepoUrl: url(),
        appChartRevision: gitRevision({ default: "main" }),
        appResources: jsonObject(
            'a JSON object of per-environment overrides, e.g. {"staging":{"limits":{"memory":"512Mi"}}}',
            appResourcesSchema,
            { default: {} },
        ),
        traefikPublicRoute: boolean({ default: true }),
        canaryTrafficPercent: integer(0, publicRoute.maxCanaryPercent, { default: publicRoute.defaultCanaryPercent }),
    },
    (v, report): PlatformSettings => {
        const source = (key: string, value: string | undefined, upstream: ManifestSource & { kind: "url" }): ManifestSource => {
            const result = manifestSource(value, upstream);
            if ("error" in result) {
                report(key, result.error);
                return upstream;
            }
            return result;
        };
        return {
            storageClassName: v.storageClass,
            registryStorageSize: v.registryStorageSize,
            postgresStorageSize: v.postgresStorageSize,
            minioStorageSize: v.minioStorageSize,
            mlflowImage: v.mlflowImage,
            imageBuildsEnabled: v.imageBuildsEnabled,
            argoWorkflowsManifest: source("argoWorkflowsManifest", v.argoWorkflowsManifest, upstreamManifests.argoWorkflows),
            argoWorkflowsAuthMode: v.argoWorkflowsAuthMode,
            argoCdManifest: source("argoCdManifest", v.argoCdManifest, upstreamManifests.argoCd),
            argoEvents: v.argoEventsEnabled
                ? { enabled: true, manifest: source("argoEventsManifest", v.argoEventsManifest, upstreamManifests.argoEvents) }
                : { enabled: false },
            appChartSource: { repoUrl: v.appChartRepoUrl, revision: v.appChartRevision },
            appResources: appResourcesFrom(v.appResources, report),
            publicRoute: v.traefikPublicRoute ? { canaryPercent: v.canaryTrafficPercent } : undefined,
        };
    },
);
