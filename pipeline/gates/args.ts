/**
 * The validators of flag values shared by the gate commands, and the one error for bad input.
 * Pure: each returns the value or throws a UsageError that names the flag, the bad value and
 * what is allowed (exit status 2). Reading argv into flags is flags.ts. The render CLI
 * (pipeline/render) throws the same error for its own command line.
 */

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface NumberRule {
    readonly min?: number;
    readonly max?: number;
    readonly integer?: boolean;
    /** Minimum is exclusive (the value must be strictly greater). */
    readonly exclusiveMin?: boolean;
}

function describe(rule: NumberRule): string {
    const kind = rule.integer ? "an integer" : "a number";
    const low = rule.min === undefined ? "" : `${rule.exclusiveMin ? ">" : ">="} ${rule.min}`;
    const high = rule.max === undefined ? "" : `<= ${rule.max}`;
    const range = [low, high].filter(Boolean).join(" and ");
    return range ? `${kind} ${range}` : kind;
}

/** Plain decimal notation only: Number() would also read "0x10" as 16 and "1e3" as 1000. */
const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function parseNumber(name: string, raw: string, rule: NumberRule): number {
    const trimmed = raw.trim();
    const value = decimalPattern.test(trimmed) ? Number(trimmed) : Number.NaN;
    const bad =
        !Number.isFinite(value) ||
        (rule.integer && !Number.isInteger(value)) ||
        (rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min)) ||
        (rule.max !== undefined && value > rule.max);
    if (bad) {
        const notation = decimalPattern.test(trimmed) ? "" : " (decimal digits only)";
        throw new UsageError(`--${name} must be ${describe(rule)}${notation}, got "${raw}"`);
    }
    return value;
}

/** An absolute http(s) URL without credentials, query or fragment; the trailing slash is dropped. */
export function parseBaseUrl(name: string, raw: string): URL {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new UsageError(`--${name} must be an absolute http:// or https:// URL, got "${raw}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new UsageError(`--${name} must use http:// or https://, got "${url.protocol}"`);
    }
    if (url.username || url.password) throw new UsageError(`--${name} must not carry credentials`);
    return url;
}

/** A Kubernetes namespace or other DNS-1123 label: it becomes a path segment of API calls. */
export function dnsLabel(name: string, raw: string): string {
    if (raw.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(raw)) {
        throw new UsageError(`--${name} must be a DNS label (1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit), got "${raw}"`);
    }
    return raw;
}

/** An OCI distribution repository name (path components of [a-z0-9] joined by . _ __ or -). */
export function repositoryName(name: string, raw: string): string {
    const component = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    if (raw.length > 255 || !new RegExp(`^${component}(?:/${component})*$`).test(raw)) {
        throw new UsageError(`--${name} must be a registry repository name such as gourmetgram-app (lowercase components separated by /), got "${raw}"`);
    }
    return raw;
}

/** A name given to an HTTP API as data: printable, not blank, of bounded length. */
export function nameText(name: string, raw: string, max = 256): string {
    // Control characters are exactly what this refuses.
    // eslint-disable-next-line no-control-regex
    if (raw.trim() === "" || raw.length > max || /[\u0000-\u001f\u007f]/.test(raw)) {
        throw new UsageError(`--${name} must be 1-${max} printable characters, got ${JSON.stringify(raw)}`);
    }
    return raw;
}
