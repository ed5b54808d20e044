/** One thing wrong with the stack configuration, phrased so the user can fix it. */
export interface ConfigProblem {
    /** Fully qualified key, e.g. `gourmetgram:privateCidr`. */
    readonly key: string;
    /** The value as written in the stack file; absent when the key was not set. */
    readonly value?: string;
    /** What is wrong and what is allowed. */
    readonly message: string;
}

export function describeProblem(problem: ConfigProblem): string {
    const shown = problem.value === undefined ? "(not set)" : JSON.stringify(problem.value);
    return `${problem.key} = ${shown}: ${problem.message}`;
}

/**
 * Thrown before any resource is registered when the stack configuration cannot work.
 * Carries every problem found, not just the first, so one `pulumi preview` shows them all.
 */
export class ConfigError extends Error {
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
