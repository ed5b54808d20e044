/**
 * Pulumi.yaml's config declarations, and what the Pulumi CLI does with them before a program
 * runs (workspace.ValidateStackConfigAndApplyProjectConfig in pulumi/pulumi): a declared key
 * with no `default` is required on every stack; a declared key the stack leaves unset gets its
 * default; a stack value of a declared `integer` or `boolean` key must parse as one. Written
 * out here so the unit suites see a stack's config exactly as the engine hands it to the
 * program; the engine leg of the e2e suite checks the same thing with the real CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const projectFile = path.resolve(__dirname, "..", "..", "Pulumi.yaml");

export interface Declaration {
    readonly type?: "string" | "integer" | "boolean" | "array";
    readonly default?: string | number | boolean;
    readonly description?: string;
}

export interface Project {
    readonly name: string;
    readonly config: Readonly<Record<string, Declaration>>;
}

export function readProject(file = projectFile): Project {
    return parse(fs.readFileSync(file, "utf8")) as Project;
}

/** The keys Pulumi.yaml lists in its comment block of per-stack settings (`#   key  text`). */
export function perStackKeys(file = projectFile): string[] {
    const text = fs.readFileSync(file, "utf8");
    const block = text.slice(text.indexOf("\n# Settings set per stack"));
    return [...block.matchAll(/^# {3}([A-Za-z][A-Za-z0-9]*) {2,}\S/gm)].map((match) => match[1]);
}

/** Whether Pulumi's ValidateConfigValue accepts a stack's string value for a declared type. */
function acceptedAs(type: Declaration["type"], value: string): boolean {
    switch (type) {
        case "integer":
            // Go's strconv.Atoi: an optional sign and decimal digits.
            return /^[+-]?\d+$/.test(value);
        case "boolean":
            return value === "true" || value === "false";
        case "array":
            return false;
        default:
            return true;
    }
}

/**
 * Merges a stack's config (fully qualified key → string, as in Pulumi.<stack>.yaml) with the
 * project's declarations the way the CLI does. Returns the config the program receives, or
 * the CLI's refusal.
 */
export function applyProjectConfig(
    stack: string,
    stackConfig: Readonly<Record<string, string>>,
    project: Project = readProject(),
): { config: Record<string, string>; problems: string[] } {
    const config = { ...stackConfig };
    const missing: string[] = [];
    const problems: string[] = [];
    for (const [key, declaration] of Object.entries(project.config)) {
        const qualified = `${project.name}:${key}`;
        const value = config[qualified];
        if (value === undefined) {
            if (declaration.default === undefined) missing.push(key);
            else config[qualified] = String(declaration.default);
        } else if (!acceptedAs(declaration.type, value)) {
            problems.push(`Stack '${stack}' with configuration key '${key}' must be of type '${declaration.type}'`);
        }
    }
    if (missing.length > 0) {
        const quoted = missing.sort().map((key) => `'${key}'`);
        problems.unshift(`Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${quoted.join(", ")}`);
    }
    return { config, problems };
}
