/** A release command's progress: every step says whether it changed something or found it done. */

export interface StepRecord {
    step: string;
    outcome: "changed" | "already-done" | "checked";
    detail: string;
}

export class StepLog {
    readonly steps: StepRecord[] = [];

    changed(step: string, detail: string): void {
        this.steps.push({ step, outcome: "changed", detail });
    }
    already(step: string, detail: string): void {
        this.steps.push({ step, outcome: "already-done", detail });
    }
    checked(step: string, detail: string): void {
        this.steps.push({ step, outcome: "checked", detail });
    }
    summary(title: string): string {
        return [title, ...this.steps.map((s) => `  ${s.outcome.padEnd(12)} ${s.step}: ${s.detail}`)].join("\n");
    }
}

/** A release that stopped on purpose (a precondition does not hold): exit 1 with this reason. */
export class ReleaseRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseRefused";
    }
}
