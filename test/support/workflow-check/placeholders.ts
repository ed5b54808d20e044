/** `{{...}}` placeholders in Argo template strings. `{{=...}}` expressions are reported separately. */
export interface Placeholder {
    readonly text: string;
    readonly path: string;
    readonly expression: boolean;
}

const pattern = /\{\{\s*(=?)\s*([^}]*?)\s*\}\}/g;

export function placeholdersIn(text: string): Placeholder[] {
    return [...text.matchAll(pattern)].map((m) => ({ text: m[0], path: m[2], expression: m[1] === "=" }));
}

/** Replaces every placeholder with the value `lookup` gives for its path. */
export function substitute(text: string, lookup: (path: string) => string): string {
    return text.replace(pattern, (_whole, _eq: string, path: string) => lookup(path));
}

/** Every string inside a value, with a JSON-pointer-like location. */
export function stringsIn(value: unknown, at = ""): { at: string; text: string }[] {
    if (typeof value === "string") return [{ at, text: value }];
    if (Array.isArray(value)) return value.flatMap((item, i) => stringsIn(item, `${at}/${i}`));
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => stringsIn(item, `${at}/${key}`));
    }
    return [];
}
