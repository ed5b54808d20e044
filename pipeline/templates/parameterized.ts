import { environments, type Environment } from "../../vocabulary/names";
import type { ArgoPlaceholder } from "../gates/flags";

/**
 * Turns a per-environment name function from vocabulary/names into the same name with a workflow
 * placeholder in the environment's place, e.g. `gourmetgram-{{inputs.parameters.environment}}`.
 * It checks the function really is "prefix + environment + suffix" for every environment, so
 * a change in vocabulary/names that breaks the pattern fails here rather than in the cluster.
 */
export function withEnvironmentPlaceholder(name: (env: Environment) => string, placeholder: string): string {
    const [first] = environments;
    const sample = name(first);
    const at = sample.indexOf(first);
    if (at < 0) throw new Error(`${sample} does not contain the environment name ${first}`);
    const prefix = sample.slice(0, at);
    const suffix = sample.slice(at + first.length);
    for (const env of environments) {
        if (name(env) !== `${prefix}${env}${suffix}`) {
            throw new Error(`names for environments are not uniform: ${name(env)} vs ${prefix}${env}${suffix}`);
        }
    }
    return `${prefix}${placeholder}${suffix}`;
}

export const param = {
    input: (name: string): ArgoPlaceholder => `{{inputs.parameters.${name}}}`,
    workflow: (name: string): ArgoPlaceholder => `{{workflow.parameters.${name}}}`,
    stepStatus: (step: string): ArgoPlaceholder => `{{steps.${step}.status}}`,
    stepOutput: (step: string, name: string): ArgoPlaceholder => `{{steps.${step}.outputs.parameters.${name}}}`,
};
