/**
 * A gate command's option table and what is made from it: the CLI's parser (node:util
 * parseArgs, strict) and the argv the workflow templates pass. Tables are keyed in camelCase;
 * the flag is the kebab-case form (`timeoutMs` is `--timeout-ms`). The tables are in contract.ts.
 */
import { parseArgs } from "node:util";
import { parseNumber, UsageError, type NumberRule } from "./args";

interface FlagBase {
    /** What the value is, as the synopsis shows it: URL, NS, V. */
    readonly value: string;
    /** What the flag is for, in the message when it is missing. */
    readonly about?: string;
    readonly required?: boolean;
}

export interface TextFlag extends FlagBase {
    readonly kind: "text";
    readonly default?: string;
    readonly choices?: readonly string[];
    /** A person's words, known only when the step runs: passed as one `--name=value`, so no value reads as a flag. */
    readonly freeText?: boolean;
}

export interface NumberFlag extends FlagBase {
    readonly kind: "number";
    readonly default?: number;
    readonly rule: NumberRule;
}

export type FlagTable = Readonly<Record<string, TextFlag | NumberFlag>>;

/** An Argo Workflows placeholder, e.g. `{{inputs.parameters.version}}`, filled in when the step runs. */
export type ArgoPlaceholder = `{{${string}}}`;

type Parsed<F> = F extends { readonly kind: "number" } ? number : F extends { readonly choices: readonly (infer C)[] } ? C : string;
type AlwaysSet<F> = F extends { readonly required: true } ? true : F extends { readonly default: string | number } ? true : false;

/** What the parser returns: a typed value per flag, undefined only for an optional flag without a default. */
export type FlagValues<T extends FlagTable> = {
    readonly [K in keyof T]: AlwaysSet<T[K]> extends true ? Parsed<T[K]> : Parsed<T[K]> | undefined;
};

type Given<F> = F extends { readonly kind: "number" }
    ? number | ArgoPlaceholder
    : F extends { readonly choices: readonly (infer C)[] }
      ? C | ArgoPlaceholder
      : string;
type RequiredKeys<T> = { [K in keyof T]: T[K] extends { readonly required: true } ? K : never }[keyof T];

/** What a template may pass: required flags must be given; numbers and choices may be Argo placeholders. */
export type FlagArguments<T extends FlagTable> = { readonly [K in RequiredKeys<T>]: Given<T[K]> } & {
    readonly [K in Exclude<keyof T, RequiredKeys<T>>]?: Given<T[K]>;
};

export function flagName(key: string): string {
    return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

type ParseOptions = Record<string, { type: "string" }>;

/**
 * The first thing wrong with argv, in words: parseArgs's own errors name no flag in a form
 * a caller can rely on, so the same argv is read again without strictness to find it.
 */
function refusal(argv: readonly string[], options: ParseOptions, error: unknown): string {
    const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
    for (const token of tokens) {
        if (token.kind === "positional") return `unexpected argument "${token.value}"; flags look like --name value`;
        if (token.kind === "option-terminator") return `unexpected argument "--"; flags look like --name value`;
        if (!Object.hasOwn(options, token.name)) {
            return `unknown flag ${token.rawName}; allowed: ${Object.keys(options).map((name) => `--${name}`).join(", ")}`;
        }
        if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) return `--${token.name} needs a value`;
        if (!token.inlineValue && token.value.startsWith("-")) {
            return `--${token.name} needs a value; one that starts with "-" is written --${token.name}=${token.value}`;
        }
    }
    return error instanceof Error ? error.message : String(error);
}

/**
 * argv to typed values: `--name value` or `--name=value`, each flag at most once, nothing
 * else. Missing required flags, numbers out of range and values outside a flag's choices are
 * refused here, each with a UsageError naming the flag and what is allowed.
 */
export function parseFlags<T extends FlagTable>(table: T, argv: readonly string[]): FlagValues<T> {
    const keyOf = new Map(Object.keys(table).map((key) => [flagName(key), key]));
    const options: ParseOptions = Object.fromEntries([...keyOf.keys()].map((name) => [name, { type: "string" as const }]));
    let tokens: ReturnType<typeof parseArgs>["tokens"];
    try {
        ({ tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true }));
    } catch (error) {
        throw new UsageError(refusal(argv, options, error));
    }
    const given = new Map<string, string>();
    for (const token of tokens) {
        if (token.kind === "option-terminator") throw new UsageError(`unexpected argument "--"; flags look like --name value`);
        if (token.kind !== "option") continue;
        if (given.has(token.name)) throw new UsageError(`--${token.name} was given twice`);
        given.set(token.name, token.value ?? "");
    }
    const values: Record<string, string | number | undefined> = {};
    for (const [name, key] of keyOf) values[key] = flagValue(name, table[key], given.get(name));
    return values as FlagValues<T>;
}

function flagValue(name: string, flag: TextFlag | NumberFlag, raw: string | undefined): string | number | undefined {
    if (raw === undefined || (flag.required && raw.trim() === "")) {
        if (flag.required) throw new UsageError(`--${name} is required${flag.about ? ` (${flag.about})` : ""}`);
        return flag.default;
    }
    if (flag.kind === "number") return parseNumber(name, raw, flag.rule);
    if (flag.choices && !flag.choices.includes(raw)) throw new UsageError(`--${name} must be one of ${flag.choices.join(", ")}, got "${raw}"`);
    return raw;
}

/** The shortest decimal form of n without an exponent, the only notation the parser reads (String(1e-7) is "1e-7"). */
export function decimal(n: number): string {
    const text = String(n);
    const exponentAt = text.indexOf("e");
    if (exponentAt < 0) return text;
    const sign = n < 0 ? "-" : "";
    const [whole, fraction = ""] = text.slice(sign.length, exponentAt).split(".");
    const digits = whole + fraction;
    const point = whole.length + Number(text.slice(exponentAt + 1));
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * The argv for a table's flags, in the table's order: `--name value`, or `--name=value` for
 * free text and for a value that starts with "-", which would otherwise read as a flag.
 */
export function flagArguments<T extends FlagTable>(table: T, args: FlagArguments<T>): string[] {
    const given = args as Readonly<Record<string, string | number | undefined>>;
    for (const key of Object.keys(given)) {
        if (!Object.hasOwn(table, key)) throw new Error(`no flag ${key} in the table (flags: ${Object.keys(table).join(", ")})`);
    }
    return Object.entries(table).flatMap(([key, flag]): string[] => {
        const raw = given[key];
        if (raw === undefined) return [];
        const name = `--${flagName(key)}`;
        const value = typeof raw === "number" ? decimal(raw) : raw;
        const joined = (flag.kind === "text" && flag.freeText) || value.startsWith("-");
        return joined ? [`${name}=${value}`] : [name, value];
    });
}

/** One line of usage: required flags with their value, optional ones in brackets, numbers with their default. */
export function synopsis(command: string, table: FlagTable): string {
    const parts = Object.entries(table).map(([key, flag]) => {
        const name = `--${flagName(key)}`;
        const shown = flag.kind === "number" && flag.default !== undefined ? decimal(flag.default) : flag.value;
        return flag.required ? `${name} ${flag.value}` : `[${name} ${shown}]`;
    });
    return [command, ...parts].join(" ");
}
