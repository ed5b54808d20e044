import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { argoApiVersion } from "../../../vocabulary/api-versions";
import { namespaces } from "../../../vocabulary/names";
import { argoCdVersion, argoEventsVersion, argoWorkflowsVersion, installManifestSha256 } from "../../../vocabulary/versions";
import type { ContainerResources } from "../common/resources";
import { pulumiArgs } from "../common/to-pulumi";
import { ManifestInstall } from "./install";
import type { ManifestSource } from "./manifest-source";
import { argoCdUiService, argoWorkflowsUiService } from "./services";
import { setContainerFlag } from "./transforms";
import { withoutDex } from "./without-dex";
import type { KubernetesObject } from "./manifest-source";
import {
    argoLabUserRole,
    argoLabUserRoleBinding,
    argoLabUserServiceAccount,
    argoLabUserTokenSecret,
    bearerToken,
    restrictToTemplates,
    argoCdSecret,
    argoCdSecretShell,
    withoutUpstreamArgoCdSecret,
} from "./access";
import { PasswordHash, secretPassword } from "../credentials";
import { executorRole, executorRoleBinding, executorServiceAccount, executorTokenSecret } from "./executor";
import { workflowAdmissionBinding, workflowAdmissionPolicy } from "./workflow-admission";

/**
 * `server` (every request acts as argo-server's own, cluster-wide service account) is not
 * offered: whoever reached port 2746 could run any pod in any namespace.
 */
export const argoWorkflowsAuthModes = ["client", "sso"] as const;
export type ArgoWorkflowsAuthMode = (typeof argoWorkflowsAuthModes)[number];

/**
 * Upstream install manifests for the pinned versions, each with its pinned sha256. Argo
 * Workflows publishes its install.yaml only as a release asset (its tree has none); Argo CD and
 * Argo Events keep theirs in the tree at the tag.
 */
export const upstreamManifests = {
    argoWorkflows: {
        kind: "url",
        url: `https://github.com/argoproj/argo-workflows/releases/download/${argoWorkflowsVersion}/install.yaml`,
        sha256: installManifestSha256.argoWorkflows,
    },
    argoCd: {
        kind: "url",
        url: `https://raw.githubusercontent.com/argoproj/argo-cd/${argoCdVersion}/manifests/install.yaml`,
        sha256: installManifestSha256.argoCd,
    },
    argoEvents: {
        kind: "url",
        url: `https://raw.githubusercontent.com/argoproj/argo-events/${argoEventsVersion}/manifests/install.yaml`,
        sha256: installManifestSha256.argoEvents,
    },
} as const satisfies Record<string, ManifestSource>;

/** What upstream Argo containers get when their manifest states no resources. */
export const argoDefaultResources: ContainerResources = {
    requests: { cpu: "50m", memory: "128Mi" },
    limits: { cpu: "1", memory: "1Gi" },
};

export interface ArgoWorkflowsArgs {
    /** Where the upstream install manifest comes from (pinned by sha256). */
    source: ManifestSource;
    /** argo-server's `--auth-mode`. */
    authMode: ArgoWorkflowsAuthMode;
}

const argoServer = { deployment: "argo-server", container: "argo-server" } as const;
const workflowController = { deployment: "workflow-controller", container: "workflow-controller" } as const;

/** Both watch and serve the workflows namespace only, not their own (`argo`) or any other. */
function managingWorkflowsOnly(objects: KubernetesObject[], target: { deployment: string; container: string }): KubernetesObject[] {
    const namespaced = setContainerFlag(objects, target, "namespaced", "true");
    return setContainerFlag(namespaced, target, "managed-namespace", namespaces.workflows);
}

/**
 * The edits to the upstream Argo Workflows install: argo-server authenticates every request
 * (`--auth-mode`); server and controller handle the workflows namespace only, so a Workflow
 * in `argo` (where their own powerful service accounts live) is never run; the controller runs
 * only workflows that reference a WorkflowTemplate.
 */
export function customizeArgoWorkflows(objects: KubernetesObject[], authMode: ArgoWorkflowsAuthMode): KubernetesObject[] {
    const authenticated = setContainerFlag(objects, argoServer, "auth-mode", authMode);
    const served = managingWorkflowsOnly(authenticated, argoServer);
    const controlled = managingWorkflowsOnly(served, workflowController);
    return restrictToTemplates(controlled, namespaces.argo);
}

/**
 * Argo Workflows in `argo`, running the workflows of the workflows namespace (which must
 * exist), its UI published on platformPublicPorts.argoWorkflows.
 */
export class ArgoWorkflows extends pulumi.ComponentResource {
    /** `Bearer <token>` of the lab user's service account: a secret. */
    readonly token: pulumi.Output<string | undefined>;

    constructor(name: string, args: ArgoWorkflowsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ArgoWorkflows", name, {}, opts);
        const child = { parent: this };
        const install = new ManifestInstall(
            "gourmetgram:platform:ArgoWorkflowsInstall",
            `${name}-install`,
            {
                source: args.source,
                namespace: namespaces.argo,
                defaultResources: argoDefaultResources,
                customize: (objects) => customizeArgoWorkflows(objects, args.authMode),
            },
            child,
        );
        new k8s.core.v1.Service(`${name}-ui`, pulumiArgs(argoWorkflowsUiService()), { ...child, dependsOn: [install] });
        // In place before any Workflow can be created: the policy matches the Workflow CRD the install brings.
        const admission = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-admission`, pulumiArgs(workflowAdmissionPolicy()), {
            ...child,
            dependsOn: [install],
        });
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-admission`, pulumiArgs(workflowAdmissionBinding()), {
            ...child,
            dependsOn: [admission],
        });

        const executor = new k8s.core.v1.ServiceAccount(`${name}-executor`, pulumiArgs(executorServiceAccount()), child);
        const executorRules = new k8s.rbac.v1.Role(`${name}-executor`, pulumiArgs(executorRole()), child);
        new k8s.rbac.v1.RoleBinding(`${name}-executor`, pulumiArgs(executorRoleBinding()), { ...child, dependsOn: [executor, executorRules] });
        new k8s.core.v1.Secret(`${name}-executor-token`, pulumiArgs(executorTokenSecret()), { ...child, dependsOn: [executor], additionalSecretOutputs: ["data"] });

        const account = new k8s.core.v1.ServiceAccount(`${name}-lab-user`, pulumiArgs(argoLabUserServiceAccount()), child);
        const role = new k8s.rbac.v1.Role(`${name}-lab-user`, pulumiArgs(argoLabUserRole()), child);
        new k8s.rbac.v1.RoleBinding(`${name}-lab-user`, pulumiArgs(argoLabUserRoleBinding()), { ...child, dependsOn: [account, role] });
        const tokenSecret = new k8s.core.v1.Secret(`${name}-lab-user-token`, pulumiArgs(argoLabUserTokenSecret()), {
            ...child,
            dependsOn: [account],
            additionalSecretOutputs: ["data"],
        });
        this.token = pulumi.secret(tokenSecret.data.apply((data) => bearerToken(data)));
        this.registerOutputs({ token: this.token });
    }
}

export interface ArgoCdArgs {
    /** Where the upstream install manifest comes from (pinned by sha256). */
    source: ManifestSource;
}

/** Argo CD in `argocd`, its UI published on platformPublicPorts.argoCd, its admin password the program's. */
export class ArgoCd extends pulumi.ComponentResource {
    /** The `admin` user's password (a secret stack output). */
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ArgoCd", name, {}, opts);
        const child = { parent: this };
        const password = secretPassword(`${name}-admin-password`, { length: 32 }, child);
        const hashed = new PasswordHash(`${name}-admin-password-hash`, { password }, child);
        const secret = new k8s.core.v1.Secret(`${name}-secret`, {
            ...pulumiArgs<k8s.core.v1.SecretArgs>(argoCdSecretShell()),
            stringData: pulumi.secret(pulumi.all([hashed.hash, hashed.mtime]).apply(([hash, mtime]) => ({ [argoCdSecret.passwordKey]: hash, [argoCdSecret.mtimeKey]: mtime }))),
        }, child);
        const install = new ManifestInstall(
            "gourmetgram:platform:ArgoCdInstall",
            `${name}-install`,
            {
                source: args.source,
                namespace: namespaces.argocd,
                defaultResources: argoDefaultResources,
                customize: (objects) => withoutDex(withoutUpstreamArgoCdSecret(objects)),
                // The password must be in place before argocd-server first starts.
                dependsOn: [secret],
            },
            child,
        );
        new k8s.core.v1.Service(`${name}-ui`, pulumiArgs(argoCdUiService()), { ...child, dependsOn: [install] });
        this.adminPassword = password;
        this.registerOutputs({ adminPassword: this.adminPassword });
    }
}

/**
 * The bus every EventSource and Sensor in the namespace talks through. The JetStream version
 * names an entry of the controller's own version table (not an image tag); it is pinned so
 * an Argo Events upgrade cannot move the bus silently.
 */
export const eventBus = { name: "default", jetstreamVersion: "2.10.10" } as const;

export interface ArgoEventsArgs {
    /** Where the upstream install manifest comes from (pinned by sha256). */
    source: ManifestSource;
}

/** Argo Events in `argo-events`, with its event bus (only when the stack enables it). */
export class ArgoEvents extends pulumi.ComponentResource {
    constructor(name: string, args: ArgoEventsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:platform:ArgoEvents", name, {}, opts);
        const install = new ManifestInstall(
            "gourmetgram:platform:ArgoEventsInstall",
            `${name}-install`,
            { source: args.source, namespace: namespaces.argoEvents, defaultResources: argoDefaultResources },
            { parent: this },
        );
        new k8s.apiextensions.CustomResource(`${name}-event-bus`, {
            apiVersion: argoApiVersion,
            kind: "EventBus",
            metadata: { name: eventBus.name, namespace: namespaces.argoEvents },
            spec: { jetstream: { version: eventBus.jetstreamVersion, replicas: 3 } },
        }, { parent: this, dependsOn: [install] });
        this.registerOutputs({});
    }
}
