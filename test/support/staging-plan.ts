/**
 * What staging is given and asked, as the program renders it for a stack: the app container's
 * limits (infra/platform/config.ts over the defaults in vocabulary/names.ts), the memory limit the
 * train-model template sizes the oversized model from, and the gate arguments of the test-staging
 * template (pipeline/templates/test-staging.ts). Taken from the builders themselves, so a test
 * or benchmark that uses this plan follows every change of a default.
 */
import { loadStackConfig, RawConfig } from "../../infra/config/load";
import { PROJECT } from "../../vocabulary/names";
import { platformConfig } from "../../infra/platform/config";
import { pipelineSettings } from "../../pipeline/component";
import { pipelineConfig } from "../../pipeline/config";
import { gateCommandFlags, type GateArguments, type GateCommandName } from "../../pipeline/gates/contract";
import { parseFlags } from "../../pipeline/gates/flags";
import type { Template } from "../../pipeline/templates/argo-types";
import { testStaging } from "../../pipeline/templates/test-staging";
import { trainModel } from "../../pipeline/templates/train-model";
import type { Limits } from "./cgroup";

/** Where a local run points a gate: the template's cluster addresses do not apply outside a cluster. */
type LoadTarget = "url" | "namespace" | "selector";
type IntegrationTarget = "url" | "expectVersion";

export interface StagingPlan {
    limits: Limits;
    /** `gate load`'s arguments as the test-staging template passes them, but where to send the load. */
    load: Omit<GateArguments<"load">, LoadTarget>;
    /** `gate integration`'s arguments as the template passes them, but the app's URL and version. */
    integration: Omit<GateArguments<"integration">, IntegrationTarget>;
    loadConcurrency: number;
    loadP95Ms: number;
    /** The memory limit train-model passes to training (the oversized model is sized from it). */
    trainAppMemoryLimit: string;
}

/** A value the stack must set that no default covers; it does not reach staging. */
const required: RawConfig = { [`${PROJECT}:appChartRepoUrl`]: "https://example.invalid/gourmetgram.git" };

/**
 * A gate step's arguments read back through the CLI's own parser (the step's argv starts with the
 * command), without the flags a local run sets itself and without --report, which the runner adds.
 */
function stepArguments<C extends GateCommandName, K extends string>(command: C, template: Template | undefined, local: readonly K[]) {
    const argv = template?.container?.args ?? [];
    if (argv[0] !== command) throw new Error(`the test-staging step for gate ${command} runs "${argv[0]}"`);
    const parsed: Record<string, unknown> = { ...parseFlags(gateCommandFlags[command], argv.slice(1)) };
    for (const key of [...local, "report"]) delete parsed[key];
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as Omit<GateArguments<C>, K>;
}

function flagValue(args: readonly string[], flag: string): string {
    const i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.length) throw new Error(`the template passes no ${flag}`);
    return args[i + 1];
}

export function stagingPlan(stackConfig: RawConfig = {}): StagingPlan {
    const config = loadStackConfig(PROJECT, { ...required, ...stackConfig }, { platform: platformConfig, pipeline: pipelineConfig });
    const settings = pipelineSettings(config.pipeline, { gates: "gates", train: "train" }, config.platform.appResources.staging);
    const templates = testStaging(settings).spec!.templates!;
    const byName = (name: string) => templates.find((t) => t.name === name);
    const train = trainModel(settings).spec!.templates!.find((t) => t.name === "train")!;
    return {
        limits: { ...config.platform.appResources.staging.limits },
        load: stepArguments("load", byName("load"), ["url", "namespace", "selector"] as const),
        integration: stepArguments("integration", byName("integration"), ["url", "expectVersion"] as const),
        loadConcurrency: config.pipeline.thresholds.loadConcurrency,
        loadP95Ms: config.pipeline.thresholds.loadP95Ms,
        trainAppMemoryLimit: flagValue(train.container?.args ?? [], "--app-memory-limit"),
    };
}
