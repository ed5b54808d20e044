/**
 * The account Argo's executor runs as in pods whose containers get no service-account token
 * (the build and training steps, which never call the Kubernetes API): Argo mounts this
 * account's token into its own init and wait containers only, so the step's code holds no
 * credential, and the executor can do nothing but report the step's outputs.
 */
import type { IIoK8sApiRbacV1PolicyRule } from "kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule";
import { namespaces, workflowExecutor } from "../../../vocabulary/names";
import { componentLabels } from "../common/labels";
import { type IRole, type IRoleBinding, type ISecret, type IServiceAccount, manifest } from "../common/manifest";

/** Argo's executor reports step outputs through WorkflowTaskResults in the workflow's namespace. */
export const executorRule: IIoK8sApiRbacV1PolicyRule = {
    apiGroups: ["argoproj.io"],
    resources: ["workflowtaskresults"],
    verbs: ["create", "patch"],
};

const labels = componentLabels("workflow-executor");
const metadata = { name: workflowExecutor.serviceAccount, namespace: namespaces.workflows, labels };

export function executorServiceAccount(): IServiceAccount {
    // Argo mounts the token Secret below itself, into the executor's containers only.
    return manifest.ServiceAccount({ metadata, automountServiceAccountToken: false });
}

export function executorRole(): IRole {
    return manifest.Role({ metadata, rules: [executorRule] });
}

export function executorRoleBinding(): IRoleBinding {
    return manifest.RoleBinding({
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: workflowExecutor.serviceAccount },
        subjects: [{ kind: "ServiceAccount", name: workflowExecutor.serviceAccount, namespace: namespaces.workflows }],
    });
}

/** The token Secret Argo looks up by name; the token controller fills it in. */
export function executorTokenSecret(): ISecret {
    return manifest.Secret({
        metadata: {
            name: workflowExecutor.tokenSecret,
            namespace: namespaces.workflows,
            labels,
            annotations: { "kubernetes.io/service-account.name": workflowExecutor.serviceAccount },
        },
        type: "kubernetes.io/service-account-token",
    });
}
