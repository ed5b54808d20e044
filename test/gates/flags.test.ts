import { describe, expect, it } from "vitest";
import { UsageError } from "../../pipeline/gates/args";
import { commands } from "../../pipeline/gates/commands";
import { gateCommandFlags, gateCommandLine, loadFlags } from "../../pipeline/gates/contract";
import { decimal, flagArguments, flagName, parseFlags, synopsis, type FlagTable } from "../../pipeline/gates/flags";

const table = {
    url: { kind: "text", value: "URL", required: true, about: "where to send requests" },
    timeoutMs: { kind: "number", value: "MS", default: 100, rule: { integer: true, min: 1 } },
    ratio: { kind: "number", value: "R", rule: { min: 0, max: 1 } },
    env: { kind: "text", value: "ENV", choices: ["staging", "canary"] },
    note: { kind: "text", value: "TEXT", freeText: true },
} as const satisfies FlagTable;

const refusal = (argv: string[]) => {
    try {
        parseFlags(table, argv);
    } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(argv)}`);
};

describe("the gate CLI's flag parser", () => {
    it("takes --name value and --name=value, typed by the table, with defaults filled in", () => {
        expect(parseFlags(table, ["--url", "http://a", "--timeout-ms=250", "--env", "canary"])).toEqual({
            url: "http://a",
            timeoutMs: 250,
            ratio: undefined,
            env: "canary",
            note: undefined,
        });
        expect(parseFlags(table, ["--url=http://a"]).timeoutMs).toBe(100);
    });

    it("keeps an empty value and a value that starts with a dash when written --name=value", () => {
        expect(parseFlags(table, ["--url=x", "--note="]).note).toBe("");
        expect(parseFlags(table, ["--url=x", "--note=-- planned restart"]).note).toBe("-- planned restart");
    });

    it("refuses a repeated flag, a stray argument, a missing value and an unknown flag, naming each", () => {
        expect(refusal(["--url", "a", "--url=b"])).toBe("--url was given twice");
        expect(refusal(["--url", "a", "b"])).toBe('unexpected argument "b"; flags look like --name value');
        expect(refusal(["--url", "a", "--"])).toBe('unexpected argument "--"; flags look like --name value');
        expect(refusal(["--url"])).toBe("--url needs a value");
        expect(refusal(["--url", "--note", "x"])).toBe("--url needs a value");
        expect(refusal(["--url", "a", "--note", "-x"])).toBe('--note needs a value; one that starts with "-" is written --note=-x');
        expect(refusal(["--url", "a", "--bogus", "1"])).toBe("unknown flag --bogus; allowed: --url, --timeout-ms, --ratio, --env, --note");
        expect(refusal(["--url", "a", "-x"])).toMatch(/^unknown flag -x; allowed: --url/);
        expect(refusal(["--timeoutMs", "5", "--url", "a"])).toMatch(/^unknown flag --timeoutMs;/);
    });

    it("refuses a missing required flag, a number out of its rule and a value outside the choices", () => {
        expect(refusal([])).toBe("--url is required (where to send requests)");
        expect(refusal(["--url", "  "])).toBe("--url is required (where to send requests)");
        expect(refusal(["--url", "a", "--timeout-ms", "0x10"])).toBe('--timeout-ms must be an integer >= 1 (decimal digits only), got "0x10"');
        expect(refusal(["--url", "a", "--ratio", "1.5"])).toBe('--ratio must be a number >= 0 and <= 1, got "1.5"');
        expect(refusal(["--url", "a", "--env", "prod"])).toBe('--env must be one of staging, canary, got "prod"');
    });
});

describe("argv built from a table", () => {
    it("writes every given flag in the table's order, numbers in decimal notation", () => {
        expect(flagArguments(table, { env: "staging", url: "http://a", ratio: 0.0000001 })).toEqual(["--url", "http://a", "--ratio", "0.0000001", "--env", "staging"]);
        expect(flagArguments(table, { url: "{{inputs.parameters.url}}", timeoutMs: "{{workflow.parameters.timeout}}" })).toEqual([
            "--url",
            "{{inputs.parameters.url}}",
            "--timeout-ms",
            "{{workflow.parameters.timeout}}",
        ]);
    });

    it("joins free text and a value starting with a dash to the flag, so neither reads as a flag", () => {
        expect(flagArguments(table, { url: "-a", note: "{{workflow.parameters.note}}" })).toEqual(["--url=-a", "--note={{workflow.parameters.note}}"]);
        expect(parseFlags(table, flagArguments(table, { url: "-a", note: "-- planned restart" }))).toMatchObject({ url: "-a", note: "-- planned restart" });
        expect(parseFlags(table, flagArguments(table, { url: "a", note: "" })).note).toBe("");
    });

    it("refuses a key the table does not have (a cast cannot smuggle a flag in)", () => {
        expect(() => flagArguments(table, { url: "a", bogus: "1" } as never)).toThrow(/no flag bogus in the table/);
    });

    it("reads back what it wrote", () => {
        const args = { url: "http://a", timeoutMs: 1_000_000, ratio: 1.5e-7, env: "staging", note: "" } as const;
        expect(parseFlags(table, flagArguments(table, args))).toEqual(args);
    });

    it("prints numbers without an exponent", () => {
        const cases: [number, string][] = [[0.95, "0.95"], [1e-7, "0.0000001"], [1.25e-8, "0.0000000125"], [1e21, "1000000000000000000000"], [-2.5e-7, "-0.00000025"], [300, "300"]];
        for (const [n, text] of cases) {
            expect(decimal(n)).toBe(text);
            expect(Number(text)).toBe(n);
        }
    });

    it("names flags in kebab case and shows defaults in the synopsis", () => {
        expect(flagName("maxDurationS")).toBe("max-duration-s");
        expect(flagName("p95Ms")).toBe("p95-ms");
        expect(synopsis("x", table)).toBe("x --url URL [--timeout-ms 100] [--ratio R] [--env ENV] [--note TEXT]");
        expect(synopsis("canary", gateCommandFlags.canary)).toMatch(/^canary --version V \[--metrics-url URL\] .* \[--window-s 300\] \[--max-error-rate 0\.05\]/);
    });
});

describe("the contract's tables", () => {
    it("give every command the CLI runs, and the CLI runs every command they give", () => {
        expect(Object.keys(commands)).toEqual(Object.keys(gateCommandFlags));
        for (const [name, flags] of Object.entries(gateCommandFlags)) expect(commands[name].flags).toBe(flags);
    });

    it("accept --report on every command", () => {
        for (const flags of Object.values(gateCommandFlags)) expect(parseFlags(flags as FlagTable, ["--report=r.json"].concat(requiredArgs(flags)))).toMatchObject({ report: "r.json" });
    });

    it("keep each default within the flag's own rule, so an unset flag is a value the CLI would accept", () => {
        for (const [command, flags] of Object.entries(gateCommandFlags)) {
            for (const [key, flag] of Object.entries(flags as FlagTable)) {
                if (flag.kind !== "number" || flag.default === undefined) continue;
                expect(() => parseFlags({ [key]: flag }, [`--${flagName(key)}=${decimal(flag.default!)}`]), `${command} --${flagName(key)}`).not.toThrow();
            }
        }
    });

    it("type a template's arguments: an unknown flag, a missing required one, a word for a number or an unknown environment does not compile", () => {
        // @ts-expect-error p95Millis is no flag of load
        expect(() => gateCommandLine("load", { url: "http://app/test", p95Millis: 5 })).toThrow(/no flag p95Millis/);
        // @ts-expect-error integration needs --expect-version
        expect(gateCommandLine("integration", { url: "http://app" })).toEqual(["integration", "--url", "http://app"]);
        // @ts-expect-error a threshold is a number or an Argo placeholder
        expect(gateCommandLine("resources", { namespace: "ns", selector: "a=b", maxMemoryRatio: "0.9" })).toContain("0.9");
        // @ts-expect-error environments are staging, canary or production
        expect(gateCommandLine("mark-good", { env: "prod", version: "7" })).toContain("prod");
        expect(gateCommandLine("mark-good", { env: "{{inputs.parameters.environment}}", version: "7" })).toContain("{{inputs.parameters.environment}}");
    });

    it("build a command line the command's own parser reads as given", () => {
        const argv = gateCommandLine("load", { url: "http://app:8000/test", requests: 50, minSuccessRate: 0.99, namespace: "gourmetgram-staging", selector: "app=x" });
        expect(argv[0]).toBe("load");
        expect(commands.load.parse(argv.slice(1))).toMatchObject({ requests: 50, minSuccessRate: 0.99, concurrency: loadFlags.concurrency.default, pods: { namespace: "gourmetgram-staging", selector: "app=x" } });
    });
});

/** The smallest argv that satisfies a table's required flags, from a representative value per kind. */
function requiredArgs(flags: FlagTable): string[] {
    return Object.entries(flags)
        .filter(([, flag]) => flag.required)
        .map(([key, flag]) => `--${flagName(key)}=${flag.kind === "number" ? flag.rule.min ?? 0 : flag.kind === "text" && flag.choices ? flag.choices[0] : "x"}`);
}
