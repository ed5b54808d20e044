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
import type { Template } from "../../pipeline/templates/argo-types";
import { testStaging } from "../../pipeline/templates/test-staging";
import { trainModel } from "../../pipeline/templates/train-model";
import type { Limits } from "./cgroup";

export interface StagingPlan {
    limits: Limits;
    /** `gate load` flags after --url, as the test-staging template passes them. */
    loadArgs: string[];
    /** `gate integration` flags after --url and --expect-version. */
    integrationArgs: string[];
    loadConcurrency: number;
    loadP95Ms: number;
    /** The memory limit train-model passes to training (the oversized model is sized from it). */
    trainAppMemoryLimit: string;
}

/** A value the stack must set that no default covers; it does not reach staging. */
const required: RawConfig = { [`${PROJECT}:appChartRepoUrl`]: "https://example.invalid/gourmetgram.git" };

function flagsAfter(template: Template | undefined, drop: readonly string[]): string[] {
    const args = template?.container?.args ?? [];
    const out: string[] = [];
    for (let i = 1; i < args.length; i++) {
        if (drop.includes(args[i])) {
            i++;
            continue;
        }
        out.push(args[i]);
    }
    return out;
}

function flagValue(args: readonly string[], flag: string): string {
    const i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.length) throw new Error(`the template passes no ${flag}`);
    return args[i + 1];
}

/** args with flag's value replaced (or the flag added): a local run cannot wait as long as a cluster. */
export function withFlag(args: readonly string[], flag: string, value: string): string[] {
    const i = args.indexOf(flag);
    return i < 0 ? [...args, flag, value] : [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
}

export function stagingPlan(stackConfig: RawConfig = {}): StagingPlan {
    const config = loadStackConfig(PROJECT, { ...required, ...stackConfig }, { platform: platformConfig, pipeline: pipelineConfig });
    const settings = pipelineSettings(config.pipeline, { gates: "gates", train: "train" }, config.platform.appResources.staging);
    const templates = testStaging(settings).spec!.templates!;
    const byName = (name: string) => templates.find((t) => t.name === name);
    const train = trainModel(settings).spec!.templates!.find((t) => t.name === "train")!;
    return {
        limits: { ...config.platform.appResources.staging.limits },
        loadArgs: flagsAfter(byName("load"), ["--url", "--report", "--namespace", "--selector"]),
        integrationArgs: flagsAfter(byName("integration"), ["--url", "--expect-version", "--report"]),
        loadConcurrency: config.pipeline.thresholds.loadConcurrency,
        loadP95Ms: config.pipeline.thresholds.loadP95Ms,
        trainAppMemoryLimit: flagValue(train.container?.args ?? [], "--app-memory-limit"),
    };
}
