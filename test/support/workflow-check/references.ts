import { parse as parseYaml } from "yaml";
import type { CronWorkflow, Parameter, Template, WorkflowSpec, WorkflowStep, WorkflowTemplate } from "../../../pipeline/templates/argo-types";
import { ExpressionError, evaluateWhen } from "./govaluate";
import { placeholdersIn, stringsIn, substitute } from "./placeholders";

/**
 * A static check over a set of workflow templates: every `{{steps.*}}`, `{{tasks.*}}`,
 * `{{inputs.*}}` and `{{workflow.parameters.*}}` reference resolves, every template a step or
 * a submitted Workflow names exists and gets the parameters it requires, every `when` parses
 * for every value its references can take, and nothing reads a step's stdout
 * (`outputs.result`), which carries logs.
 */
export interface Problem {
    readonly where: string;
    readonly message: string;
}

/** Values Argo gives `{{steps.X.status}}` / `{{tasks.X.status}}`. */
export const nodePhases = ["Succeeded", "Failed", "Error", "Skipped", "Omitted"] as const;

/** What a non-status reference might hold at run time, for checking that a `when` still parses. */
const sampleValues = ["", "7", "staging-1.0.7"];

const workflowBuiltins = new Set([
    "name", "namespace", "uid", "serviceAccountName", "mainEntrypoint", "status", "duration",
    "failures", "creationTimestamp", "priority", "labels", "annotations",
]);
const stepFields = new Set(["status", "exitCode", "id", "ip", "startedAt", "finishedAt", "hostNodeName"]);

type Definitions = ReadonlyMap<string, WorkflowSpec>;

export function checkWorkflows(templates: readonly WorkflowTemplate[], crons: readonly CronWorkflow[] = []): Problem[] {
    const defs: Definitions = new Map(templates.map((t) => [t.metadata.name as string, t.spec]));
    const problems: Problem[] = [];
    for (const wt of templates) problems.push(...checkSpec(wt.metadata.name as string, wt.spec, defs));
    for (const cron of crons) {
        const where = `CronWorkflow ${cron.metadata.name}`;
        problems.push(...deprecatedFields(where, cron));
        problems.push(...checkSubmission(where, cron.spec.workflowSpec, defs));
    }
    return problems;
}

function checkSpec(name: string, spec: WorkflowSpec, defs: Definitions): Problem[] {
    const problems: Problem[] = [...deprecatedFields(name, spec)];
    const templates = spec.templates ?? [];
    const byName = new Map(templates.map((t) => [t.name as string, t]));
    if (!spec.entrypoint || !byName.has(spec.entrypoint)) {
        problems.push({ where: name, message: `entrypoint ${spec.entrypoint} is not a template of ${name}` });
    }
    const workflowParams = new Set((spec.arguments?.parameters ?? []).map((p) => p.name));
    const specLevel = { ...spec, templates: undefined };
    for (const s of stringsIn(specLevel)) {
        for (const ph of placeholdersIn(s.text)) {
            const problem = checkWorkflowScoped(ph.path, ph.expression, workflowParams);
            if (problem) problems.push({ where: `${name}${s.at}`, message: problem });
        }
    }
    for (const template of templates) {
        problems.push(...checkTemplate(name, template, byName, workflowParams, defs));
    }
    return problems;
}

function checkWorkflowScoped(path: string, expression: boolean, workflowParams: ReadonlySet<string>): string | undefined {
    if (expression) return `{{=${path}}} expressions are not used in these templates (the check cannot prove them)`;
    const parts = path.split(".");
    if (parts[0] !== "workflow") return `${path} cannot be resolved outside a template`;
    if (parts[1] === "parameters") {
        return workflowParams.has(parts.slice(2).join(".")) ? undefined : `{{${path}}}: the workflow declares no such parameter`;
    }
    return workflowBuiltins.has(parts[1]) ? undefined : `{{${path}}} is not an Argo workflow variable`;
}

function checkTemplate(
    wfName: string,
    template: Template,
    local: ReadonlyMap<string, Template>,
    workflowParams: ReadonlySet<string>,
    defs: Definitions,
): Problem[] {
    const where = `${wfName}/${template.name}`;
    const problems: Problem[] = [];
    const inputParams = new Set((template.inputs?.parameters ?? []).map((p) => p.name));
    const inputArtifacts = new Set((template.inputs?.artifacts ?? []).map((a) => a.name));
    const groups = template.steps ?? [];

    // Steps a reference from group g may name: those in earlier groups.
    const earlier = (g: number) => new Map(groups.slice(0, g).flat().map((step) => [step.name as string, step]));

    const resolve = (path: string, expression: boolean, g: number | undefined): string | undefined => {
        if (expression) return `{{=${path}}} expressions are not used in these templates (the check cannot prove them)`;
        const parts = path.split(".");
        switch (parts[0]) {
            case "workflow":
                return checkWorkflowScoped(path, false, workflowParams);
            case "inputs": {
                const declared = parts[1] === "parameters" ? inputParams : parts[1] === "artifacts" ? inputArtifacts : undefined;
                if (!declared) return `{{${path}}}: inputs has only parameters and artifacts`;
                return declared.has(parts.slice(2).join(".")) ? undefined : `{{${path}}}: template ${template.name} declares no such input`;
            }
            case "steps": {
                if (g === undefined) return `{{${path}}} used outside a step of a steps template`;
                const step = earlier(g).get(parts[1]);
                if (!step) return `{{${path}}}: no step ${parts[1]} runs before this one`;
                return checkStepField(path, parts.slice(2), step, local, defs);
            }
            case "tasks":
                return `{{${path}}}: these templates use steps, not DAG tasks`;
            case "pod":
            case "node":
                return parts[1] === "name" && parts.length === 2 ? undefined : `{{${path}}} is not an Argo variable`;
            case "retries":
                return parts.length === 1 ? undefined : `{{${path}}} is not an Argo variable`;
            default:
                return `{{${path}}} is not a variable Argo resolves here`;
        }
    };

    // Everything except the steps themselves is checked without step context.
    const body = { ...template, steps: undefined };
    for (const s of stringsIn(body)) {
        for (const ph of placeholdersIn(s.text)) {
            const problem = resolve(ph.path, ph.expression, undefined);
            if (problem) problems.push({ where: `${where}${s.at}`, message: problem });
        }
    }
    if (template.resource?.manifest) problems.push(...checkManifest(where, template.resource.manifest, defs));

    groups.forEach((group, g) => {
        for (const step of group) {
            const stepWhere = `${where}/steps/${step.name}`;
            for (const s of stringsIn(step)) {
                for (const ph of placeholdersIn(s.text)) {
                    const problem = resolve(ph.path, ph.expression, g);
                    if (problem) problems.push({ where: `${stepWhere}${s.at}`, message: problem });
                }
            }
            problems.push(...checkStepTarget(stepWhere, step, local, defs));
            if (step.when !== undefined) problems.push(...checkWhen(stepWhere, step.when));
        }
    });
    return problems;
}

function checkStepField(path: string, field: string[], step: WorkflowStep, local: ReadonlyMap<string, Template>, defs: Definitions): string | undefined {
    if (field.length === 1 && stepFields.has(field[0])) return undefined;
    if (field[0] !== "outputs") return `{{${path}}} is not a field of a step`;
    if (field[1] === "result") {
        return `{{${path}}} reads the step's whole stdout, which carries its logs: decide on status or on an output parameter read from a file`;
    }
    const target = targetOf(step, local, defs);
    if (!target) return `{{${path}}}: cannot find the template step ${step.name} runs`;
    const declared =
        field[1] === "parameters" ? target.outputs?.parameters ?? [] : field[1] === "artifacts" ? target.outputs?.artifacts ?? [] : undefined;
    if (!declared) return `{{${path}}} is not an output of a step`;
    const name = field.slice(2).join(".");
    return declared.some((o) => o.name === name) ? undefined : `{{${path}}}: template ${target.name} has no output ${name}`;
}

function targetOf(step: WorkflowStep, local: ReadonlyMap<string, Template>, defs: Definitions): Template | undefined {
    if (step.template) return local.get(step.template);
    if (step.templateRef) {
        return defs.get(step.templateRef.name ?? "")?.templates?.find((t) => t.name === step.templateRef?.template);
    }
    return undefined;
}

function checkStepTarget(where: string, step: WorkflowStep, local: ReadonlyMap<string, Template>, defs: Definitions): Problem[] {
    const target = targetOf(step, local, defs);
    if (!target) {
        const named = step.template ?? `${step.templateRef?.name}/${step.templateRef?.template}`;
        return [{ where, message: `step ${step.name} runs template ${named}, which does not exist` }];
    }
    return checkArguments(where, target.inputs?.parameters ?? [], step.arguments?.parameters ?? [], `template ${target.name}`);
}

function checkArguments(where: string, declared: readonly Parameter[], given: readonly Parameter[], what: string): Problem[] {
    const problems: Problem[] = [];
    const givenNames = new Set(given.map((p) => p.name));
    for (const p of declared) {
        const hasDefault = p.value !== undefined || p.default !== undefined || p.valueFrom !== undefined;
        if (!hasDefault && !givenNames.has(p.name)) problems.push({ where, message: `${what} requires parameter ${p.name}, which is not passed` });
    }
    for (const p of given) {
        const target = declared.find((d) => d.name === p.name);
        if (!target) {
            problems.push({ where, message: `${what} has no parameter ${p.name}` });
            continue;
        }
        const value = p.value === undefined ? undefined : String(p.value);
        if (target.enum && value !== undefined && placeholdersIn(value).length === 0 && !target.enum.map(String).includes(value)) {
            problems.push({ where, message: `${what}: ${p.name}=${value} is not one of ${target.enum.join(", ")}` });
        }
    }
    return problems;
}

function checkSubmission(where: string, spec: WorkflowSpec, defs: Definitions): Problem[] {
    const ref = spec.workflowTemplateRef?.name;
    if (!ref) return [];
    const target = defs.get(ref);
    if (!target) return [{ where, message: `submits WorkflowTemplate ${ref}, which does not exist` }];
    return checkArguments(where, target.arguments?.parameters ?? [], spec.arguments?.parameters ?? [], `WorkflowTemplate ${ref}`);
}

function checkManifest(where: string, manifest: string, defs: Definitions): Problem[] {
    let object: { kind?: string; spec?: WorkflowSpec };
    try {
        object = parseYaml(manifest) as typeof object;
    } catch (error) {
        return [{ where, message: `resource manifest is not YAML: ${(error as Error).message}` }];
    }
    return object?.kind === "Workflow" && object.spec ? checkSubmission(where, object.spec, defs) : [];
}

/**
 * A `when` must parse and evaluate to a boolean for every value its references can take:
 * status references take each node phase, other references a few representative strings
 * (which is why such a reference must be quoted in the expression).
 */
export function checkWhen(where: string, when: string): Problem[] {
    const paths = [...new Set(placeholdersIn(when).map((p) => p.path))];
    const choices = paths.map((path) => (/^(steps|tasks)\.[^.]+\.status$/.test(path) ? [...nodePhases] : sampleValues));
    const problems = new Set<string>();
    let combos = [[]] as string[][];
    for (const options of choices) combos = combos.flatMap((c) => options.map((o) => [...c, o]));
    for (const combo of combos) {
        const values = new Map(paths.map((p, i) => [p, combo[i]]));
        const text = substitute(when, (path) => values.get(path) ?? "");
        try {
            evaluateWhen(text);
        } catch (error) {
            if (!(error instanceof ExpressionError)) throw error;
            problems.add(`when ${JSON.stringify(when)} does not evaluate as ${JSON.stringify(text)}: ${error.message}`);
        }
    }
    return [...problems].map((message) => ({ where, message }));
}

/** Fields Argo v4 removed (deprecated since 3.6); the plural forms work in both. */
function deprecatedFields(where: string, value: unknown): Problem[] {
    const problems: Problem[] = [];
    const walk = (node: unknown, at: string, parentKey: string | undefined) => {
        if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`, parentKey));
        else if (node && typeof node === "object") {
            for (const [key, child] of Object.entries(node)) {
                if (parentKey === "synchronization" && (key === "mutex" || key === "semaphore")) {
                    problems.push({ where: `${where}${at}/${key}`, message: `synchronization.${key} was removed in Argo v4: use ${key === "mutex" ? "mutexes" : "semaphores"}` });
                }
                if (key === "schedule" && at.endsWith("/spec") && typeof child === "string") {
                    problems.push({ where: `${where}${at}/${key}`, message: "CronWorkflow spec.schedule was removed in Argo v4: use schedules" });
                }
                walk(child, `${at}/${key}`, key);
            }
        }
    };
    walk(value, "", undefined);
    return problems;
}
