/**
 * Schema validation of the objects the platform and apps builders emit. The builders return
 * plain objects typed by kubernetes-models' interfaces (the program loads under CommonJS,
 * where those ESM-only packages cannot be required); here, under vitest's ESM resolution,
 * each object is handed to its model class and validated against the Kubernetes schema.
 */
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { IngressRoute } from "@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute";
import { TraefikService } from "@kubernetes-models/traefik/traefik.io/v1alpha1/TraefikService";
import { isSecret, type Registered } from "./harness";
import { HelmChartConfigModel } from "./helm-chart-config-model";

/**
 * What the tests need of a model class. The classes' shared base type (@kubernetes-models/base)
 * is declared for ESM only, so the CommonJS type checker sees `validate` through this shape.
 */
interface ModelClass {
    readonly apiVersion: string;
    readonly kind: string;
    new (data: object): { validate(): void };
}

/** Every kind the builders emit. A builder of a new kind must add its model here. */
const modelClasses = [
    Namespace,
    ConfigMap,
    Secret,
    Service,
    PersistentVolumeClaim,
    Deployment,
    Job,
    Application,
    AppProject,
    ServiceAccount,
    Role,
    RoleBinding,
    NetworkPolicy,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    IngressRoute,
    TraefikService,
    HelmChartConfigModel,
] as unknown as ModelClass[];

const models = new Map(modelClasses.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

export interface KubernetesObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string };
}

/** The model class for an object's apiVersion and kind; throws for a kind the table lacks. */
export function modelFor(object: KubernetesObject): ModelClass {
    const model = models.get(`${object.apiVersion}/${object.kind}`);
    if (!model) {
        throw new Error(
            `no schema for apiVersion ${object.apiVersion} kind ${object.kind}; known: ${[...models.keys()].join(", ")}`,
        );
    }
    return model;
}

/**
 * Validates one object against the schema of its own apiVersion and kind (an object missing
 * either has no schema and fails), throwing with the schema path of the first error.
 */
export function validate(object: KubernetesObject): void {
    const Model = modelFor(object);
    new Model(object).validate();
}

/** A registered Kubernetes resource's inputs with every Pulumi secret replaced by its value. */
function revealSecrets(value: unknown): unknown {
    if (isSecret(value)) return revealSecrets((value as { value: unknown }).value);
    if (Array.isArray(value)) return value.map(revealSecrets);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
    return value;
}

/**
 * The object a registered `kubernetes:<group>/<version>:<Kind>` resource stands for, as the
 * API server would receive it: apiVersion and kind from the type token, secrets revealed.
 */
export function registeredObject(resource: Registered): KubernetesObject {
    const match = /^kubernetes:(?:core\/)?([^:]+):(\w+)$/.exec(resource.type);
    if (!match) throw new Error(`${resource.type} is not a Kubernetes object type`);
    const [, apiVersion, kind] = match;
    const inputs = revealSecrets(resource.inputs) as KubernetesObject;
    if ((inputs.apiVersion ?? apiVersion) !== apiVersion || (inputs.kind ?? kind) !== kind) {
        throw new Error(`${resource.name}: inputs say ${inputs.apiVersion} ${inputs.kind}, the resource type ${resource.type}`);
    }
    return { ...inputs, apiVersion, kind };
}
