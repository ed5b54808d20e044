/** Visits every string inside a JSON-like value, with the path a user can find it at. */
export function walkStrings(value: unknown, path: string, visit: (text: string, path: string) => void): void {
    if (typeof value === "string") {
        visit(value, path);
    } else if (Array.isArray(value)) {
        value.forEach((item, i) => walkStrings(item, `${path}[${i}]`, visit));
    } else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) {
            // Human-readable descriptions may mention an address as an example; they configure nothing.
            if (key === "description") continue;
            walkStrings(item, path === "" ? key : `${path}.${key}`, visit);
        }
    }
}
