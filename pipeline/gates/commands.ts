/** The command table: each command's flags (contract.ts), its parser and what it runs. */
import { GateResult } from "./report";
import { gateCommandFlags, type GateCommandName, type reportFlag } from "./contract";
import { synopsis, type FlagTable } from "./flags";
import { loadCommand, parseLoadArgs } from "./load/command";
import { integrationCommand, parseIntegrationArgs } from "./integration/command";
import { parseResourcesArgs, resourcesCommand } from "./resources/command";
import { parsePromoteArgs, promoteCommand } from "./release/promote";
import { parseRevertArgs, revertCommand } from "./release/revert";
import { markGoodCommand, parseMarkGoodArgs } from "./release/markGood";
import { parseSetImageTagArgs, setImageTagCommand } from "./release/setImageTag";
import { canaryCommand, parseCanaryArgs } from "./canary/command";
import { parseSplitArgs, splitCommand } from "./split/command";

export interface CommandOutput {
    result: GateResult;
    summary: string;
}

export interface Command {
    readonly flags: FlagTable & typeof reportFlag;
    /** argv to the command's options, or a UsageError; pure apart from reading the environment. */
    parse(argv: readonly string[]): unknown;
    run(argv: readonly string[]): Promise<CommandOutput>;
}

const implementations: Record<GateCommandName, Omit<Command, "flags">> = {
    load: { parse: parseLoadArgs, run: loadCommand },
    integration: { parse: parseIntegrationArgs, run: integrationCommand },
    resources: { parse: parseResourcesArgs, run: resourcesCommand },
    canary: { parse: parseCanaryArgs, run: canaryCommand },
    split: { parse: parseSplitArgs, run: splitCommand },
    promote: { parse: parsePromoteArgs, run: promoteCommand },
    revert: { parse: parseRevertArgs, run: revertCommand },
    "mark-good": { parse: parseMarkGoodArgs, run: markGoodCommand },
    "set-image-tag": { parse: parseSetImageTagArgs, run: setImageTagCommand },
};

export const commands: Readonly<Record<string, Command>> = Object.fromEntries(
    Object.entries(implementations).map(([name, command]) => [name, { ...command, flags: gateCommandFlags[name as GateCommandName] }]),
);

export function usage(): string {
    const lines = Object.entries(commands).map(([name, c]) => `  gate ${synopsis(name, c.flags)}`);
    return ["usage:", ...lines, "exit status: 0 pass, 1 fail, 2 usage error", ""].join("\n");
}
