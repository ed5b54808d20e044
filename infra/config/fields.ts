/**
 * Field types for stack configuration. Pulumi hands every config value to the program as a
 * string; each field here parses that string into a typed value or fails with a message that
 * says what is allowed. The loader adds the key and the offending value to the message.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { parseCpuMillicores, parseMemoryBytes } from "../../vocabulary/quantities";
import { cronProblem } from "./cron";
import { gitRevisionProblem } from "./git";
import { isNetworkAddress, parseIpv4Cidr } from "./network";

type Field<T> = z.ZodType<T, string | undefined>;

function required(allowed: string) {
    return z.string({
        error: (issue) => (issue.input === undefined ? `is required: ${allowed}` : `expected text: ${allowed}`),
    });
}

function fieldOf<T>(
    allowed: string,
    parse: (text: string) => T | undefined,
    options: FieldOptions<T>,
    /** Says what exactly is wrong with a value `parse` refused, when that helps. */
    explain?: (text: string) => string | undefined,
): Field<T> {
    const schema: z.ZodType<T, string> = required(allowed).transform((text, ctx) => {
        const value = parse(text.trim());
        if (value === undefined) {
            const detail = explain?.(text.trim());
            ctx.addIssue({ code: "custom", message: detail ? `expected ${allowed}; this one ${detail}` : `expected ${allowed}` });
            return z.NEVER;
        }
        return value;
    });
    const fallback = options.default;
    return fallback === undefined ? schema : schema.default(fallback);
}

export interface FieldOptions<T> {
    /** Value used when the key is not set; without one the key is required. */
    default?: z.util.NoUndefined<T>;
}

/** Makes a field optional: an unset key yields undefined instead of an error. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
    return field.optional();
}

export function text(allowed: string, options: FieldOptions<string> & { pattern?: RegExp } = {}): Field<string> {
    const { pattern } = options;
    return fieldOf(allowed, (t) => (t.length > 0 && (!pattern || pattern.test(t)) ? t : undefined), options);
}

export function oneOf<const T extends string>(values: readonly T[], options: FieldOptions<T> = {}): Field<T> {
    const allowed = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
    const schema = required(allowed).trim().pipe(z.enum(values, { error: `expected ${allowed}` }));
    return options.default === undefined ? schema : schema.default(options.default);
}

export function integer(min: number, max: number, options: FieldOptions<number> = {}): Field<number> {
    return fieldOf(
        `a whole number from ${min} to ${max}`,
        (t) => (/^-?\d+$/.test(t) && Number(t) >= min && Number(t) <= max ? Number(t) : undefined),
        options,
    );
}

export function decimal(min: number, max: number, options: FieldOptions<number> = {}): Field<number> {
    return fieldOf(
        `a number from ${min} to ${max}`,
        (t) => (/^-?(\d+\.?\d*|\.\d+)$/.test(t) && Number(t) >= min && Number(t) <= max ? Number(t) : undefined),
        options,
    );
}

export function boolean(options: FieldOptions<boolean> = {}): Field<boolean> {
    return fieldOf("true or false", (t) => (t === "true" ? true : t === "false" ? false : undefined), options);
}

/** An IPv4 network in CIDR form with no host bits set. */
export function cidr(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        "an IPv4 network in CIDR form with no host bits set, such as 192.168.1.0/24",
        (t) => {
            const parsed = parseIpv4Cidr(t);
            return parsed && isNetworkAddress(parsed) ? t : undefined;
        },
        options,
    );
}

/** A schedule Argo's CronWorkflow accepts: five cron fields or an @descriptor. */
export function cronSchedule(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        'a cron schedule: five fields such as "0 2 * * *" (minute hour day-of-month month day-of-week), or @daily, @hourly, @every 6h',
        (t) => (cronProblem(t) === undefined ? t : undefined),
        options,
        cronProblem,
    );
}

/** A branch, tag or full commit id that git accepts as a revision to check out. */
export function gitRevision(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        "a git branch, tag or commit id such as main, v1.2.0 or a 40-character commit",
        (t) => (gitRevisionProblem(t) === undefined ? t : undefined),
        options,
        gitRevisionProblem,
    );
}

/** A Kubernetes CPU quantity such as `500m` or `2`. */
export function cpuQuantity(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        "a Kubernetes CPU quantity such as 500m or 1",
        (t) => ((parseCpuMillicores(t) ?? 0) > 0 ? t : undefined),
        options,
    );
}

/** A Kubernetes memory quantity such as `256Mi` or `1Gi` (not `256MB`). */
export function memoryQuantity(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        "a Kubernetes memory quantity such as 256Mi or 1Gi (binary suffixes Ki, Mi, Gi; decimal k, M, G)",
        (t) => ((parseMemoryBytes(t) ?? 0) > 0 ? t : undefined),
        options,
    );
}

/**
 * An http(s) URL with no credentials in it: a user name or token in a URL ends up in plain text
 * in the objects that carry it (WorkflowTemplates, Argo CD Applications) and in the state.
 */
export function url(options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        "an absolute http:// or https:// URL with no user name, password or token in it (a private repository's credentials belong in a Kubernetes Secret)",
        (t) => {
            try {
                const parsed = new URL(t);
                if (parsed.username !== "" || parsed.password !== "") return undefined;
                return parsed.protocol === "http:" || parsed.protocol === "https:" ? t : undefined;
            } catch {
                return undefined;
            }
        },
        options,
    );
}

/** Expands a leading `~/` the way a shell would, so stack files can name paths portably. */
export function expandHome(file: string): string {
    return file === "~" || file.startsWith("~/") ? path.join(os.homedir(), file.slice(1)) : file;
}

/** A path to a readable regular file; the value is the expanded, absolute path. */
export function existingFile(what: string, options: FieldOptions<string> = {}): Field<string> {
    return fieldOf(
        `the path of an existing, readable ${what}`,
        (t) => {
            const resolved = path.resolve(expandHome(t));
            try {
                fs.accessSync(resolved, fs.constants.R_OK);
                return fs.statSync(resolved).isFile() ? resolved : undefined;
            } catch {
                return undefined;
            }
        },
        options,
    );
}

/** A JSON object (Pulumi stores structured config values as JSON), checked by `schema`. */
export function jsonObject<T>(allowed: string, schema: z.ZodType<T>, options: FieldOptions<T> = {}): Field<T> {
    return fieldOf(
        allowed,
        (t) => {
            try {
                const result = schema.safeParse(JSON.parse(t));
                return result.success ? result.data : undefined;
            } catch {
                return undefined;
            }
        },
        options,
    );
}
