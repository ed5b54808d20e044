/**
 * Pulumi type tokens of the resources the pack inspects. Typed Kubernetes classes use
 * `kubernetes:<group>/<version>:<Kind>` (core group as `core/v1`); a `CustomResource` gets
 * `kubernetes:<apiVersion>:<kind>`, so an Argo WorkflowTemplate is
 * `kubernetes:argoproj.io/v1alpha1:WorkflowTemplate` however it is created.
 */
import { argoApiVersion } from "../../vocabulary/api-versions";

/** Pod-bearing Kubernetes kinds and where their PodSpec sits in the resource's inputs. */
export const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

const argo = `kubernetes:${argoApiVersion}`;

/** Argo Workflows kinds and where their WorkflowSpec sits. */
export const workflowSpecPaths: Readonly<Record<string, readonly string[]>> = {
    [`${argo}:Workflow`]: ["spec"],
    [`${argo}:WorkflowTemplate`]: ["spec"],
    [`${argo}:ClusterWorkflowTemplate`]: ["spec"],
    [`${argo}:CronWorkflow`]: ["spec", "workflowSpec"],
};

/** Argo Events kinds whose whole spec is checked for loopback addresses. */
export const argoEventsTypes: readonly string[] = [`${argo}:Sensor`, `${argo}:EventSource`];

export const argoCdApplicationType = `${argo}:Application`;

export const configMapType = "kubernetes:core/v1:ConfigMap";

export const openstackSecGroupRuleType = "openstack:networking/secGroupRule:SecGroupRule";
