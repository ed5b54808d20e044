import { defaultAppResources } from "../../../vocabulary/names";
import type { PipelineSettings } from "../../../pipeline/templates/settings";
import { withoutNodeAppArmor } from "../../../infra/k3s/apparmor-profiles";

export const settings: PipelineSettings = {
    stagingAppLimits: defaultAppResources.limits,
    images: {
        gates: "registry.kube-system.svc.cluster.local:5000/gourmetgram-gates:sha-0123456789ab",
        train: "registry.kube-system.svc.cluster.local:5000/gourmetgram-train:sha-ba9876543210",
        imageBuilder: "docker.io/moby/buildkit:v0.34.0",
    },
    thresholds: {
        loadRequests: 100,
        loadConcurrency: 10,
        loadRequestTimeoutMs: 5000,
        loadP95Ms: 2000,
        loadMinSuccessRate: 0.95,
        maxMemoryRatio: 0.9,
        versionWaitSeconds: 300,
        canary: { windowS: 300, maxErrorRate: 0.05, p95Ms: 2000, minRequests: 20 },
    },
    appCodeSource: { repoUrl: "https://github.com/teaching-on-testbeds/gourmetgram.git", revision: "workflow" },
    deadlines: { trainSeconds: 3600, buildSeconds: 1800, deploySeconds: 600, testStagingSeconds: 2400, releaseSeconds: 600 },
    // As on an existing cluster: no AppArmor profile is named (build-image.test.ts covers the other case).
    nodeProfiles: withoutNodeAppArmor,
};

export const cron = { schedules: ["0 2 * * *"], timezone: "UTC", scenario: "normal" };
