import type { z } from "zod";

/** Reports a problem that involves more than one key, or a value that only fails in context. */
export type ReportProblem = (key: string, message: string) => void;

export type SectionKeys = Record<string, z.ZodType<unknown, string | undefined>>;

export type SectionValues<K extends SectionKeys> = { [P in keyof K]: z.output<K[P]> };

/**
 * One layer's part of the stack configuration: the keys it reads (short names in the
 * project's namespace, each with a field type) and how it turns their values into the
 * settings the layer's components take. `build` runs only when every field parsed.
 */
export interface ConfigSection<T, K extends SectionKeys = SectionKeys> {
    readonly keys: K;
    readonly build: (values: SectionValues<K>, report: ReportProblem) => T;
}

export function defineSection<K extends SectionKeys, T>(
    keys: K,
    build: (values: SectionValues<K>, report: ReportProblem) => T,
): ConfigSection<T, K> {
    return { keys, build };
}

export type SectionOutput<S> = S extends ConfigSection<infer T, infer _K> ? T : never;
