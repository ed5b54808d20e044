/**
 * The platform layer as the cluster would receive it (under mocks, offline manifests): every
 * namespace carries Pod Security labels, every container of ours runs restricted or says why
 * not beside the object, no pod gets a service-account token it does not use, NetworkPolicies
 * leave no pod of ours open by default, and every UI authenticates.
 */
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../infra/config/load";
import { namespaces } from "../../../vocabulary/names";
import { namespacePodSecurity } from "../../../infra/platform/common/namespace";
import { platformConfig } from "../../../infra/platform/config";
import { seccompProfiles } from "../../../infra/k3s/seccomp-profiles";
import bcrypt from "bcryptjs";
import { installMocks, isSecret as isSecretValue, mockPassword, ofType, type Registered, settled } from "./harness";

const fixtures = path.join(__dirname, "fixtures");
/** Capabilities Pod Security `baseline` allows a container to add. */
const baselineCapabilities = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

let registered: Registered[];

beforeAll(async () => {
    const settings = loadStackConfig(
        "gourmetgram",
        {
            "gourmetgram:appChartRepoUrl": "https://git.example.test/gourmetgram.git",
            "gourmetgram:argoWorkflowsManifest": path.join(fixtures, "argo-workflows-install.yaml"),
            "gourmetgram:argoCdManifest": path.join(fixtures, "argo-cd-install.yaml"),
        },
        { platform: platformConfig },
    ).platform;
    registered = installMocks();
    const { Platform } = await import("../../../infra/platform/platform.js");
    new Platform("platform", { settings, publicAddress: "203.0.113.7" });
    await settled(registered);
});

type Container = { name: string; securityContext?: Record<string, any> };
const waived = (resource: Registered, check: string) =>
    Object.entries(resource.inputs.metadata?.annotations ?? {}).some(([k, v]) => k.startsWith("checkov.io/skip") && String(v).startsWith(`${check}=`));

function workloads(): Registered[] {
    return registered.filter((r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:batch/v1:Job");
}

describe("Pod Security", () => {
    it("labels every namespace the platform creates with the level of the table, warning and auditing at restricted", () => {
        const created = ofType(registered, "kubernetes:core/v1:Namespace");
        expect(created.length).toBeGreaterThanOrEqual(6);
        for (const ns of created) {
            const name = ns.inputs.metadata.name as string;
            const labels = ns.inputs.metadata.labels;
            expect(labels["pod-security.kubernetes.io/enforce"], name).toBe(namespacePodSecurity[name].level);
            expect(labels["pod-security.kubernetes.io/warn"], name).toBe("restricted");
            expect(labels["pod-security.kubernetes.io/audit"], name).toBe("restricted");
            expect(labels["pod-security.kubernetes.io/enforce-version"], name).toMatch(/^v1\.\d+$/);
        }
    });

    it("runs every container of ours without privilege escalation or capabilities beyond baseline, under the default seccomp profile or the node's image-builder profile", () => {
        const pods = workloads();
        expect(pods.length).toBeGreaterThanOrEqual(6);
        let builders = 0;
        for (const pod of pods) {
            const spec = pod.inputs.spec.template.spec;
            for (const c of [...spec.containers, ...(spec.initContainers ?? [])] as Container[]) {
                const where = `${pod.name}/${c.name}`;
                const sc = c.securityContext ?? {};
                expect(sc.allowPrivilegeEscalation, where).toBe(false);
                expect(sc.privileged ?? false, where).toBe(false);
                expect(sc.capabilities?.drop, where).toEqual(["ALL"]);
                for (const cap of sc.capabilities?.add ?? []) expect(baselineCapabilities.has(cap), `${where} adds ${cap}`).toBe(true);
                const profile = sc.seccompProfile ?? spec.securityContext?.seccompProfile;
                if (c.name === "image-build" && waived(pod, "CKV_K8S_25")) {
                    // Only the builder: it needs unshare and mount for its own user namespace (docs/image-builds.md).
                    builders++;
                    expect(profile, where).toEqual({ type: "Localhost", localhostProfile: seccompProfiles.imageBuilder });
                    expect(sc.capabilities?.add, where).toEqual(["SETUID", "SETGID"]);
                } else {
                    expect(profile?.type, where).toBe("RuntimeDefault");
                    expect(sc.capabilities?.add ?? [], where).toEqual([]);
                }
            }
        }
        expect(builders).toBeGreaterThan(0);
    });

    it("runs on a read-only root everywhere, and non-root everywhere but the image builder, which says why beside the Job", () => {
        for (const pod of workloads()) {
            const spec = pod.inputs.spec.template.spec;
            for (const c of [...spec.containers, ...(spec.initContainers ?? [])] as Container[]) {
                const where = `${pod.name}/${c.name}`;
                const nonRoot = c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
                if (c.name === "image-build" && waived(pod, "CKV_K8S_23")) {
                    expect(c.securityContext?.runAsUser, where).toBe(0);
                    expect(nonRoot, where).toBeUndefined();
                } else {
                    expect(nonRoot, where).toBe(true);
                }
                expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
            }
        }
    });

    it("mounts no service-account token: no pod of the platform calls the Kubernetes API", () => {
        for (const pod of workloads()) expect(pod.inputs.spec.template.spec.automountServiceAccountToken, pod.name).toBe(false);
    });
});

describe("NetworkPolicies", () => {
    const policies = () => ofType(registered, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);

    it("deny all inbound traffic by default in the platform's, Argo Workflows' and the workflows' namespaces, and never in kube-system", () => {
        const denyAll = policies().filter((p) => Object.keys(p.spec.podSelector).length === 0);
        expect(denyAll.map((p) => p.metadata.namespace).sort()).toEqual([namespaces.argo, namespaces.platform, namespaces.workflows].sort());
        // No ingress rules at all (not an empty list, which the API server would drop on every apply).
        for (const p of denyAll) expect(p.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        expect(policies().filter((p) => p.metadata.namespace === namespaces.registry).map((p) => p.spec.podSelector)).toEqual([{ matchLabels: { app: "registry" } }]);
    });

    it("let only MLflow reach Postgres, and only MLflow and the setup Job reach MinIO's S3 API", () => {
        const byName = Object.fromEntries(policies().map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.spec]));
        expect(byName["gourmetgram-platform/postgres"].ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: "mlflow" } } }], ports: [{ protocol: "TCP", port: 5432 }] }]);
        expect(byName["gourmetgram-platform/minio"].ingress[0]).toEqual({
            from: [{ podSelector: { matchLabels: { app: "mlflow" } } }, { podSelector: { matchLabels: { app: "minio-create-bucket" } } }],
            ports: [{ protocol: "TCP", port: 9000 }],
        });
        expect(byName["argo/argo-server"].ingress).toEqual([{ ports: [{ protocol: "TCP", port: 2746 }] }]);
    });
});

describe("every UI authenticates", () => {
    const upstream = () => ofType(registered, "kubernetes:yaml/v2:ConfigGroup").flatMap((g) => g.inputs.objs as any[]);

    it("MLflow runs its basic-auth app with its settings from a Secret file", () => {
        const [mlflow] = ofType(registered, "kubernetes:apps/v1:Deployment").filter((d) => d.inputs.metadata.name === "mlflow");
        const container = mlflow.inputs.spec.template.spec.containers[0];
        expect(container.args).toContain("--app-name=basic-auth");
        expect(container.env.find((e: any) => e.name === "MLFLOW_AUTH_CONFIG_PATH").value).toBe("/etc/mlflow-auth/basic_auth.ini");
    });

    it("Argo Workflows' server asks every request for a bearer token", () => {
        const server = upstream().find((o) => o.kind === "Deployment" && o.metadata.name === "argo-server");
        expect(server.spec.template.spec.containers[0].args).toContain("--auth-mode=client");
    });

    it("Argo CD's admin password is the program's (bcrypt in argocd-secret), so no initial admin secret is made", async () => {
        const secret = ofType(registered, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === "argocd-secret")!;
        expect(secret.inputs.metadata.namespace).toBe(namespaces.argocd);
        expect(isSecretValue(secret.inputs.stringData)).toBe(true);
        const data = (secret.inputs.stringData as { value: Record<string, string> }).value;
        expect(bcrypt.compareSync(mockPassword("platform-argocd-admin-password"), data["admin.password"])).toBe(true);
        expect(data["admin.passwordMtime"]).toMatch(/^\d{4}-\d\d-\d\dT/);
        // The upstream install's empty argocd-secret is not applied over it.
        const argocdObjects = ofType(registered, "kubernetes:yaml/v2:ConfigGroup").find((g) => g.name.includes("argocd"))!.inputs.objs as any[];
        expect(argocdObjects.some((o) => o.kind === "Secret" && o.metadata.name === "argocd-secret")).toBe(false);
        expect(argocdObjects.length).toBeGreaterThan(0);
    });

    it("MinIO's console takes only the generated root login", () => {
        const [minio] = ofType(registered, "kubernetes:apps/v1:Deployment").filter((d) => d.inputs.metadata.name === "minio");
        expect(minio.inputs.spec.template.spec.containers[0].env).toContainEqual({ name: "MINIO_CONFIG_ENV_FILE", value: "/etc/minio/config.env" });
    });
});
