/** The command table: each entry parses its own flags and returns a verdict with a summary. */
import { GateResult } from "./report";
import { loadCommand } from "./load/command";
import { integrationCommand } from "./integration/command";
import { resourcesCommand } from "./resources/command";
import { promoteCommand } from "./release/promote";
import { revertCommand } from "./release/revert";
import { markGoodCommand } from "./release/markGood";
import { setImageTagCommand } from "./release/setImageTag";
import { canaryCommand } from "./canary/command";
import { splitCommand } from "./split/command";

export interface CommandOutput {
    result: GateResult;
    summary: string;
}

export interface Command {
    synopsis: string;
    run(argv: readonly string[]): Promise<CommandOutput>;
}

const connections = "[--mlflow-url URL] [--registry-url URL] [--argocd-namespace NS] [--model-name NAME] [--repository REPO]";

export const commands: Record<string, Command> = {
    load: {
        synopsis:
            "load --url URL [--requests 100] [--concurrency 10] [--rate R] [--timeout-ms 10000] [--p95-ms 2000] [--min-success-rate 0.95] [--max-duration-s 600] [--namespace NS --selector SEL]",
        run: loadCommand,
    },
    integration: {
        synopsis: "integration --url BASE --expect-version V [--wait-s 300] [--timeout-ms 30000] [--poll-ms 2000] [--sample FILE]",
        run: integrationCommand,
    },
    resources: {
        synopsis: "resources --namespace NS --selector SEL [--max-memory-ratio 0.9] [--max-cpu-ratio 0.9] [--wait-s 180] [--poll-ms 3000]",
        run: resourcesCommand,
    },
    canary: {
        synopsis:
            "canary --version V [--metrics-url URL] [--canary-service NAME] [--production-service NAME] [--window-s 300] [--max-error-rate 0.05] [--p95-ms 2000] [--min-requests 20] [--timeout-ms 10000] [--override-by WHO --override-reason WHY] " +
            connections,
        run: canaryCommand,
    },
    split: {
        synopsis: "split --url http://PUBLIC/version --canary-version V --expect-percent P [--tolerance 5] [--requests 400] [--timeout-ms 10000]",
        run: splitCommand,
    },
    promote: { synopsis: `promote --from ENV --to ENV --version V ${connections}`, run: promoteCommand },
    revert: { synopsis: `revert --env ENV --reason TEXT [--failed-version V] ${connections}`, run: revertCommand },
    "mark-good": { synopsis: `mark-good --env ENV --version V ${connections}`, run: markGoodCommand },
    "set-image-tag": { synopsis: `set-image-tag --env ENV --version V ${connections}`, run: setImageTagCommand },
};

export function usage(): string {
    const lines = Object.values(commands).map((c) => `  gate ${c.synopsis} [--report FILE]`);
    return ["usage:", ...lines, "exit status: 0 pass, 1 fail, 2 usage error", ""].join("\n");
}
