import type { GitSource } from "../../vocabulary/git-source";
import type { NodeSecurityProfiles } from "../../infra/k3s/apparmor-profiles";
import type { CanaryThresholds } from "../gates/canary/evaluate";

/**
 * Everything the template builders need from outside: image references (built elsewhere and
 * passed in), thresholds and deadlines from stack config, and where the app's source lives.
 * The builders are pure functions of these settings.
 */
export interface PipelineImages {
    /** The gate/release CLI image (pipeline/images/gates), tagged by content hash. */
    readonly gates: string;
    /** The training image (pipeline/images/train): runs training, and downloads models for builds. */
    readonly train: string;
    /** BuildKit, which builds app images inside the cluster (infra/platform/image-build/builder.ts). */
    readonly imageBuilder: string;
}

export interface GateThresholds {
    /** Load gate: requests sent, how many in flight, optional rate cap (req/s). */
    readonly loadRequests: number;
    readonly loadConcurrency: number;
    readonly loadRatePerSecond?: number;
    readonly loadRequestTimeoutMs: number;
    /** Load gate passes only if p95 latency is below this and the success rate at least minSuccessRate. */
    readonly loadP95Ms: number;
    readonly loadMinSuccessRate: number;
    /** Resource gate: highest allowed memory use as a share of the container's limit. */
    readonly maxMemoryRatio: number;
    /** How long the integration gate waits for staging to serve the new version before failing. */
    readonly versionWaitSeconds: number;
    /** Canary's live traffic before a promotion to production (`gate canary`). */
    readonly canary: CanaryThresholds;
}

/** Upper bounds on how long each workflow may run (Argo activeDeadlineSeconds). */
export interface Deadlines {
    readonly trainSeconds: number;
    readonly buildSeconds: number;
    readonly deploySeconds: number;
    readonly testStagingSeconds: number;
    readonly releaseSeconds: number;
}

export interface PipelineSettings {
    readonly images: PipelineImages;
    /** The limits of staging's app container, as the stack sets them (platform config). */
    readonly stagingAppLimits: { readonly cpu: string; readonly memory: string };
    readonly thresholds: GateThresholds;
    /** The app's own repository, which an image build clones to put the model beside the code. */
    readonly appCodeSource: GitSource;
    readonly deadlines: Deadlines;
    /** What the cluster's nodes hold of the lab's security profiles, for the image build steps. */
    readonly nodeProfiles: NodeSecurityProfiles;
}
