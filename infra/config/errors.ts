import * as pulumi from "@pulumi/pulumi";
import { hiddenValue, maskUrlCredentials } from "./secrets";

/** One thing wrong with the stack configuration, phrased so the user can fix it. */
export interface ConfigProblem {
    /** Fully qualified key, e.g. `gourmetgram:privateCidr`. */
    readonly key: string;
    /**
     * The value as it may be shown: absent when the key was not set, `[secret]` when the key is
     * or looks secret, credentials in a URL masked. Never the raw value of a secret.
     */
    readonly value?: string;
    /** What is wrong and what is allowed. */
    readonly message: string;
}

/** The value a problem may carry: hidden when `secret`, URL credentials masked otherwise. */
export function shownValue(value: string | undefined, secret: boolean): string | undefined {
    if (value === undefined) return undefined;
    return secret ? hiddenValue : maskUrlCredentials(value);
}

export function describeProblem(problem: ConfigProblem): string {
    const shown = problem.value === undefined ? "(not set)" : problem.value === hiddenValue ? hiddenValue : JSON.stringify(problem.value);
    return `${problem.key} = ${shown}: ${maskUrlCredentials(problem.message)}`;
}

/**
 * Thrown before any resource is registered when the stack configuration cannot work.
 * Carries every problem found, not just the first, so one `pulumi preview` shows them all.
 * A RunError: the Pulumi runtime prints its message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(
            [
                `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:`,
                ...problems.map((p) => `  - ${describeProblem(p)}`),
            ].join("\n"),
        );
        this.name = "ConfigError";
    }
}
