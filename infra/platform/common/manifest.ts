/**
 * Builders for the Kubernetes objects this program creates, typed by kubernetes-models'
 * interfaces. The packages are imported for their TYPES only: they ship ESM with an
 * `import`-only exports map, which `require()` (how Pulumi loads this CommonJS program)
 * cannot resolve. Each builder stamps the object's apiVersion and kind, so a caller writes
 * only metadata and spec; schema validation of every object lives in the unit tests, which
 * construct the models' classes under ESM.
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { argoApiVersion } from "../../../vocabulary/api-versions";

export type {
    IApplication,
    IConfigMap,
    IDeployment,
    IJob,
    INamespace,
    INetworkPolicy,
    IPersistentVolumeClaim,
    IRole,
    IRoleBinding,
    ISecret,
    IService,
    IServiceAccount,
};

interface TypeMeta {
    apiVersion: string;
    kind: string;
}

/** Everything of an object but its apiVersion and kind. */
export type ObjectBody<T extends TypeMeta> = Omit<T, "apiVersion" | "kind">;

function ofKind<T extends TypeMeta>(apiVersion: T["apiVersion"], kind: T["kind"]): (body: ObjectBody<T>) => T {
    // `Omit<T, ...> & TypeMeta` is T, but TypeScript cannot see that for a generic T.
    return (body) => ({ apiVersion, kind, ...body }) as T;
}

/** `manifest.Deployment({ metadata, spec })` is an IDeployment with apiVersion apps/v1. */
export const manifest = {
    Namespace: ofKind<INamespace>("v1", "Namespace"),
    ConfigMap: ofKind<IConfigMap>("v1", "ConfigMap"),
    Secret: ofKind<ISecret>("v1", "Secret"),
    Service: ofKind<IService>("v1", "Service"),
    PersistentVolumeClaim: ofKind<IPersistentVolumeClaim>("v1", "PersistentVolumeClaim"),
    Deployment: ofKind<IDeployment>("apps/v1", "Deployment"),
    Job: ofKind<IJob>("batch/v1", "Job"),
    Application: ofKind<IApplication>(argoApiVersion, "Application"),
    ServiceAccount: ofKind<IServiceAccount>("v1", "ServiceAccount"),
    Role: ofKind<IRole>("rbac.authorization.k8s.io/v1", "Role"),
    RoleBinding: ofKind<IRoleBinding>("rbac.authorization.k8s.io/v1", "RoleBinding"),
    NetworkPolicy: ofKind<INetworkPolicy>("networking.k8s.io/v1", "NetworkPolicy"),
} as const;
