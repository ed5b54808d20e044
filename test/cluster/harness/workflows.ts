/**
 * Submitting the lab's WorkflowTemplates and reading what the workflow controller did, from the
 * outside: `argo submit --from workflowtemplate/...` as a student runs it, then the Workflow
 * objects' status (phase, nodes, outputs) through the API server. Every wait is bounded.
 */
import { namespaces, workflowTemplates } from "../../../vocabulary/names";
import { runOk } from "../../e2e/harness/process";
import type { NodeCluster } from "./cluster";

/** What reading workflows needs of a cluster: its kubeconfig (for argo) and kubectl. */
export type WorkflowCluster = Pick<NodeCluster, "kubeconfig" | "kubectl">;

export interface WorkflowNode {
    id: string;
    displayName: string;
    type: string;
    phase?: string;
    message?: string;
    templateName?: string;
    startedAt?: string;
    finishedAt?: string;
    outputs?: { parameters?: Array<{ name: string; value?: string }> };
}

export interface WorkflowStatus {
    name: string;
    phase?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    nodes: WorkflowNode[];
}

export interface WorkflowSummary {
    name: string;
    labels: Record<string, string>;
    /** The WorkflowTemplate it references, if any. */
    template?: string;
    parameters: Record<string, string>;
    phase?: string;
}

const finished = new Set(["Succeeded", "Failed", "Error"]);

export class Workflows {
    constructor(
        private readonly cluster: WorkflowCluster,
        private readonly argo: string,
        readonly namespace: string = namespaces.workflows,
    ) {}

    /** `argo submit --from workflowtemplate/<template>` with `-p name=value` for each parameter; the new workflow's name. */
    async submit(template: string, parameters: Record<string, string | number> = {}): Promise<string> {
        const flags = Object.entries(parameters).flatMap(([name, value]) => ["-p", `${name}=${value}`]);
        const out = await runOk(this.argo, ["submit", "-n", this.namespace, "--from", `workflowtemplate/${template}`, ...flags, "-o", "name"], {
            env: { ...process.env, KUBECONFIG: this.cluster.kubeconfig },
            timeoutMs: 60_000,
        });
        const name = out.trim().split("/").pop() ?? "";
        if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`argo submit printed no workflow name: ${out}`);
        return name;
    }

    async status(name: string): Promise<WorkflowStatus> {
        const r = await this.cluster.kubectl(["get", "workflow", name, "-n", this.namespace, "-o", "json"], { timeoutMs: 60_000 });
        if (r.code !== 0) throw new Error(`kubectl get workflow ${name}: ${r.stderr}`);
        const workflow = JSON.parse(r.stdout) as { status?: { phase?: string; message?: string; startedAt?: string; finishedAt?: string; nodes?: Record<string, WorkflowNode> } };
        const status = workflow.status ?? {};
        return { name, phase: status.phase, message: status.message, startedAt: status.startedAt, finishedAt: status.finishedAt, nodes: Object.values(status.nodes ?? {}) };
    }

    /** Polls until the workflow has finished (Succeeded, Failed or Error) or `timeoutMs` passed, then returns its status. */
    async wait(name: string, timeoutMs: number): Promise<WorkflowStatus> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const status = await this.status(name);
            if (status.phase && finished.has(status.phase)) return status;
            if (Date.now() > deadline) {
                throw new Error(`workflow ${name} did not finish within ${Math.round(timeoutMs / 1000)} s:\n${describeWorkflow(status)}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 5_000));
        }
    }

    /** The workflow a step of `parent` created with a `resource: create` (its output `workflow-name`). */
    child(parent: WorkflowStatus, step: string): string {
        const value = outputOf(node(parent, step), "workflow-name");
        if (!value) throw new Error(`step ${step} of ${parent.name} started no workflow:\n${describeWorkflow(parent)}`);
        return value;
    }

    /** Every workflow in the namespace: its name, labels, template and parameters. */
    async list(): Promise<WorkflowSummary[]> {
        const r = await this.cluster.kubectl(["get", "workflows", "-n", this.namespace, "-o", "json"], { timeoutMs: 60_000 });
        if (r.code !== 0) throw new Error(`kubectl get workflows: ${r.stderr}`);
        type Item = {
            metadata: { name: string; labels?: Record<string, string> };
            spec?: { workflowTemplateRef?: { name?: string }; arguments?: { parameters?: Array<{ name: string; value?: string }> } };
            status?: { phase?: string };
        };
        return ((JSON.parse(r.stdout) as { items: Item[] }).items ?? []).map((item) => ({
            name: item.metadata.name,
            labels: item.metadata.labels ?? {},
            template: item.spec?.workflowTemplateRef?.name,
            parameters: Object.fromEntries((item.spec?.arguments?.parameters ?? []).map((p) => [p.name, p.value ?? ""])),
            phase: item.status?.phase,
        }));
    }

    /** Names of the workflows started from `template`. */
    async ofTemplate(template: string): Promise<string[]> {
        return (await this.list()).filter((w) => w.template === template).map((w) => w.name).sort();
    }
}

/** The node of `status` shown as `displayName`; an error listing the nodes when there is none. */
export function node(status: WorkflowStatus, displayName: string): WorkflowNode {
    const found = status.nodes.find((n) => n.displayName === displayName);
    if (!found) throw new Error(`workflow ${status.name} has no step ${displayName}:\n${describeWorkflow(status)}`);
    return found;
}

/** The phase of the step shown as `displayName`, or "absent" when the workflow has no such node. */
export function phaseOf(status: WorkflowStatus, displayName: string): string {
    return status.nodes.find((n) => n.displayName === displayName)?.phase ?? "absent";
}

export function outputOf(n: WorkflowNode, parameter: string): string | undefined {
    return n.outputs?.parameters?.find((p) => p.name === parameter)?.value;
}

/** Seconds a node or workflow ran, from its timestamps. */
export function secondsOf(n: { startedAt?: string; finishedAt?: string }): number | undefined {
    if (!n.startedAt || !n.finishedAt) return undefined;
    return (Date.parse(n.finishedAt) - Date.parse(n.startedAt)) / 1000;
}

/**
 * The workflow as a person reads it after a failure: its phase and message, then each step
 * (pods, skipped steps) with phase, duration, message and its `report` output, where a gate wrote one.
 */
export function describeWorkflow(status: WorkflowStatus): string {
    const lines = [`${status.name}: ${status.phase ?? "no phase yet"}${status.message ? ` (${status.message})` : ""}`];
    const steps = status.nodes
        .filter((n) => n.type === "Pod" || n.type === "Skipped" || n.type === "Suspend")
        .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? ""));
    for (const n of steps) {
        const seconds = secondsOf(n);
        lines.push(`  ${n.displayName}: ${n.phase ?? "?"}${seconds === undefined ? "" : ` in ${seconds} s`}${n.message ? ` - ${n.message}` : ""}`);
        const report = outputOf(n, "report");
        if (report) lines.push(`    report: ${report}`);
    }
    return lines.join("\n");
}

/** A run of train-model and the workflows it started, in order. */
export interface PipelineRun {
    train: WorkflowStatus;
    build?: WorkflowStatus;
    testStaging?: WorkflowStatus;
    /** The model version training registered, when it registered one. */
    version?: string;
}

/** Stops with the workflows' steps and reports when `status` did not end in `phase`. */
export function requirePhase(status: WorkflowStatus | undefined, phase: string, ...context: Array<WorkflowStatus | undefined>): asserts status is WorkflowStatus {
    if (status?.phase !== phase) {
        const shown = [status, ...context].filter((s): s is WorkflowStatus => s !== undefined).map(describeWorkflow);
        throw new Error(`expected ${status?.name ?? "the workflow"} to be ${phase}, it is ${status?.phase ?? "missing"}:\n${shown.join("\n")}`);
    }
}

/**
 * Submits train-model and follows it through the build-container-image and test-staging
 * workflows it starts, each awaited up to `timeoutMs`. Training and the build must succeed;
 * test-staging is returned however it ended, for the caller to judge.
 */
export async function followTrainModel(workflows: Workflows, parameters: { scenario: string; seed: number }, timeoutMs: number): Promise<PipelineRun> {
    const train = await workflows.wait(await workflows.submit(workflowTemplates.trainModel, parameters), timeoutMs);
    const run: PipelineRun = { train };
    requirePhase(train, "Succeeded");
    if (phaseOf(train, "build-container-image") !== "Succeeded") return run;
    run.version = outputOf(node(train, "train"), "model-version");
    run.build = await workflows.wait(workflows.child(train, "build-container-image"), timeoutMs);
    requirePhase(run.build, "Succeeded", train);
    run.testStaging = await workflows.wait(workflows.child(run.build, "deploy-and-test-staging"), timeoutMs);
    return run;
}
