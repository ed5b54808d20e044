import type { z } from "zod";
import { ConfigError, type ConfigProblem, shownValue } from "./errors";
import { looksSecret } from "./secrets";
import type { ReportProblem, SectionKeys, SectionOutput } from "./section";

/** Fully qualified key (`gourmetgram:suffix`) → raw string value, as Pulumi holds stack config. */
export type RawConfig = Readonly<Record<string, string>>;

export interface LoadOptions {
    /** Fully qualified keys whose values are Pulumi secrets (see secretConfigKeys). */
    readonly secretKeys?: Iterable<string>;
}

/**
 * The keys of `raw` that Pulumi marks secret (`pulumi config set --secret`). The runtime's
 * `isConfigSecret` is internal API: when it is missing, no key is reported and the name-based
 * check (`looksSecret`) and the unknown-key rule still hide values.
 */
export function secretConfigKeys(raw: RawConfig, runtime: object): string[] {
    const probe = (runtime as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    return typeof probe === "function" ? Object.keys(raw).filter((key) => probe(key)) : [];
}

/** Any section, whatever its keys (`never` accepts every section's own `values` type). */
type Sections = Record<string, { readonly keys: SectionKeys; readonly build: (values: never, report: ReportProblem) => unknown }>;

/** A rule across sections (one layer's setting that needs another's), run once all parsed. */
export type StackCheck<T> = (settings: T, report: ReportProblem) => void;

/**
 * Parses and validates every section of the stack configuration at once. Either every
 * section parses and the typed settings come back, or a ConfigError lists every problem
 * (unknown keys included) and nothing has been registered.
 */
export function loadStackConfig<S extends Sections>(
    namespace: string,
    raw: RawConfig,
    sections: S,
    checks: readonly StackCheck<{ [P in keyof S]: SectionOutput<S[P]> }>[] = [],
    options: LoadOptions = {},
): { [P in keyof S]: SectionOutput<S[P]> } {
    const problems: ConfigProblem[] = [];
    const qualify = (key: string) => `${namespace}:${key}`;
    const secretKeys = new Set(options.secretKeys ?? []);
    /** A message shows a value only of a known key that neither is nor looks secret. */
    const shown = (key: string, known: boolean) => shownValue(raw[key], !known || secretKeys.has(key) || looksSecret(key));

    const known = new Set<string>();
    for (const section of Object.values(sections)) {
        for (const key of Object.keys(section.keys)) {
            if (known.has(key)) throw new Error(`config key ${qualify(key)} is declared by two sections`);
            known.add(key);
        }
    }
    for (const key of Object.keys(raw)) {
        const [ns, short] = splitKey(key);
        if (ns === namespace && !known.has(short)) {
            problems.push({
                key,
                value: shown(key, false),
                message: `is not a setting of this project; known settings are ${[...known].sort().join(", ")}`,
            });
        }
    }

    const settings: Record<string, unknown> = {};
    for (const [name, section] of Object.entries(sections)) {
        const values: Record<string, unknown> = {};
        let parsed = true;
        for (const [key, field] of Object.entries(section.keys)) {
            const value = raw[qualify(key)];
            const result = field.safeParse(value);
            if (result.success) {
                values[key] = result.data;
            } else {
                parsed = false;
                problems.push({ key: qualify(key), value: shown(qualify(key), true), message: messageOf(result.error.issues[0]) });
            }
        }
        if (parsed) {
            settings[name] = section.build(values as never, (key, message) =>
                problems.push({ key: qualify(key), value: shown(qualify(key), true), message }),
            );
        }
    }

    const report: ReportProblem = (key, message) => problems.push({ key: qualify(key), value: shown(qualify(key), true), message });
    if (problems.length === 0) {
        for (const check of checks) check(settings as { [P in keyof S]: SectionOutput<S[P]> }, report);
    }

    if (problems.length > 0) throw new ConfigError(problems);
    return settings as { [P in keyof S]: SectionOutput<S[P]> };
}

function splitKey(key: string): [string, string] {
    const colon = key.indexOf(":");
    return colon < 0 ? ["", key] : [key.slice(0, colon), key.slice(colon + 1)];
}

/** The most specific message in a zod issue tree (unions report each branch's failure). */
function messageOf(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_union") {
        for (const branch of issue.errors) {
            const meaningful = branch.find((inner) => !(inner.code === "invalid_type" && inner.expected === "undefined"));
            if (meaningful) return messageOf(meaningful);
        }
    }
    return issue.message;
}
