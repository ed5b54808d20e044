import type { Template } from "../../../pipeline/templates/argo-types";
import { evaluateWhen } from "./govaluate";
import { placeholdersIn, stringsIn, substitute } from "./placeholders";

export type Phase = "Succeeded" | "Failed" | "Error";

export interface Simulation {
    /** Steps that ran, with the phase each ended in. */
    readonly ran: ReadonlyMap<string, Phase>;
    readonly skipped: readonly string[];
    /** Phase of the steps template as Argo would report it. */
    readonly phase: Phase;
}

/**
 * Runs a steps template's decision logic the way Argo does, with each step's outcome given
 * (steps not listed succeed): groups in order, a step runs when its `when` holds after
 * substitution, a failed step without continueOn stops the template. It also proves that
 * every step that runs only reads outputs of steps that ran (a skipped step has none).
 */
export function simulateSteps(template: Template, outcomes: Readonly<Record<string, Phase>>, parameters: Readonly<Record<string, string>> = {}): Simulation {
    const status = new Map<string, string>();
    const ran = new Map<string, Phase>();
    const skipped: string[] = [];
    let phase: Phase = "Succeeded";

    for (const group of template.steps ?? []) {
        if (phase !== "Succeeded") {
            for (const step of group) skipped.push(step.name as string);
            continue;
        }
        let groupFailed: Phase | undefined;
        for (const step of group) {
            const name = step.name as string;
            const lookup = (path: string): string => {
                const parts = path.split(".");
                if (parts[0] === "steps") {
                    const state = status.get(parts[1]);
                    if (state === undefined) throw new Error(`${name} reads ${path}, but ${parts[1]} has not run before it`);
                    if (parts[2] === "status") return state;
                    if (state === "Skipped") throw new Error(`${name} reads ${path}, but ${parts[1]} was skipped and has no outputs`);
                    return `<${path}>`;
                }
                if (parts[0] === "workflow" && parts[1] === "parameters") return parameters[parts.slice(2).join(".")] ?? `<${path}>`;
                return `<${path}>`;
            };
            const runs = step.when === undefined || evaluateWhen(substitute(step.when, lookup));
            if (!runs) {
                status.set(name, "Skipped");
                skipped.push(name);
                continue;
            }
            // Resolving the step's arguments would fail in Argo if they read a skipped step.
            for (const s of stringsIn(step.arguments ?? {})) for (const ph of placeholdersIn(s.text)) lookup(ph.path);
            const outcome = outcomes[name] ?? "Succeeded";
            ran.set(name, outcome);
            status.set(name, outcome);
            const tolerated = (outcome === "Failed" && step.continueOn?.failed) || (outcome === "Error" && step.continueOn?.error);
            if (outcome !== "Succeeded" && !tolerated) groupFailed = outcome;
        }
        if (groupFailed) phase = groupFailed;
    }
    return { ran, skipped, phase };
}
