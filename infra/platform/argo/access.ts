/**
 * Who may use Argo Workflows' server in `client` auth mode: one ServiceAccount for the people
 * of the lab (in `argo`, beside the token it holds), with a Role limited to the workflows
 * namespace, and a long-lived token Secret the program reads back and hands out as a secret
 * stack output (the Argo docs' access-token recipe).
 */
import { namespaces, PROJECT } from "../../../vocabulary/names";
import { componentLabels } from "../common/labels";
import { type IRole, type IRoleBinding, type ISecret, type IServiceAccount, manifest } from "../common/manifest";
import type { KubernetesObject } from "./manifest-source";

export const argoLabUser = {
    serviceAccount: `${PROJECT}-lab-user`,
    /** Discovery by name: `<serviceAccount>.service-account-token`, as the Argo docs name it. */
    tokenSecret: `${PROJECT}-lab-user.service-account-token`,
} as const;

const labels = componentLabels("argo-lab-user");

export function argoLabUserServiceAccount(): IServiceAccount {
    return manifest.ServiceAccount({
        metadata: { name: argoLabUser.serviceAccount, namespace: namespaces.argo, labels },
        // The token is for people outside the cluster; no pod runs as this account.
        automountServiceAccountToken: false,
    });
}

/**
 * What a student does in the UI or with the argo CLI: submit, watch, retry, stop and delete
 * workflows from the pipeline's templates, read templates, cron workflows and step logs.
 * Nothing outside the workflows namespace, no Secrets, no pods of their own: a workflow runs
 * only from a WorkflowTemplate (the controller's templateReferencing: Strict).
 */
export function argoLabUserRole(): IRole {
    return manifest.Role({
        metadata: { name: argoLabUser.serviceAccount, namespace: namespaces.workflows, labels },
        rules: [
            { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: ["argoproj.io"], resources: ["workflowtemplates", "cronworkflows", "workfloweventbindings"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["argoproj.io"], resources: ["cronworkflows"], verbs: ["update", "patch"] },
            { apiGroups: [""], resources: ["pods", "events"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        ],
    });
}

export function argoLabUserRoleBinding(): IRoleBinding {
    return manifest.RoleBinding({
        metadata: { name: argoLabUser.serviceAccount, namespace: namespaces.workflows, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: argoLabUser.serviceAccount },
        subjects: [{ kind: "ServiceAccount", name: argoLabUser.serviceAccount, namespace: namespaces.argo }],
    });
}

/** A token Secret: the token controller fills in `data.token`; Pulumi waits for it. */
export function argoLabUserTokenSecret(): ISecret {
    return manifest.Secret({
        metadata: {
            name: argoLabUser.tokenSecret,
            namespace: namespaces.argo,
            labels,
            annotations: { "kubernetes.io/service-account.name": argoLabUser.serviceAccount },
        },
        type: "kubernetes.io/service-account-token",
    });
}

/**
 * What a user pastes into the UI's login box or sets as ARGO_TOKEN. The provider waits for the
 * token controller to fill the Secret in; without a controller (a bare API server, mocks) there
 * is no token and the output stays unset.
 */
export function bearerToken(secretData: Record<string, string> | undefined): string | undefined {
    const encoded = secretData?.token;
    return encoded ? `Bearer ${Buffer.from(encoded, "base64").toString("utf8")}` : undefined;
}

export const workflowControllerConfigMap = "workflow-controller-configmap";

/**
 * The controller runs only Workflows that reference a WorkflowTemplate (`Strict`): a token
 * holder can start the pipeline's templates with their parameters, not an arbitrary pod spec.
 * Every workflow the pipeline submits (the steps, the CronWorkflow, the GitHub sensor) does.
 */
export function restrictToTemplates(objects: KubernetesObject[], namespace: string): KubernetesObject[] {
    const restriction = "templateReferencing: Strict\n";
    let found = false;
    const result = objects.map((object) => {
        if (object.kind !== "ConfigMap" || object.metadata.name !== workflowControllerConfigMap) return object;
        found = true;
        const data = { ...((object.data as Record<string, string> | undefined) ?? {}), workflowRestrictions: restriction };
        return { ...object, data };
    });
    if (found) return result;
    return [
        ...result,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: workflowControllerConfigMap, namespace }, data: { workflowRestrictions: restriction } },
    ];
}

/**
 * Argo CD's own Secret, written by the program instead of the upstream install's empty one:
 * `admin.password` (bcrypt) and `admin.passwordMtime` set before argocd-server first starts, so
 * Argo CD never generates a password of its own and never writes argocd-initial-admin-secret.
 * argocd-server adds its signing key to the same Secret; Pulumi owns only these two fields.
 */
export const argoCdSecret = { name: "argocd-secret", passwordKey: "admin.password", mtimeKey: "admin.passwordMtime" } as const;

export function argoCdSecretShell(): ISecret {
    return manifest.Secret({
        metadata: {
            name: argoCdSecret.name,
            namespace: namespaces.argocd,
            labels: { "app.kubernetes.io/name": argoCdSecret.name, "app.kubernetes.io/part-of": "argocd" },
        },
        type: "Opaque",
    });
}

/** The upstream install without its argocd-secret (the program writes that one itself). */
export function withoutUpstreamArgoCdSecret(objects: KubernetesObject[]): KubernetesObject[] {
    return objects.filter((o) => !(o.kind === "Secret" && o.metadata.name === argoCdSecret.name));
}
