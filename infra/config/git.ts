/**
 * The rules of `git check-ref-format` for the short branch and tag names a stack names, plus
 * a leading "-" (git would read it as an option). A revision ends up in a clone command and
 * in Argo CD's targetRevision, so a newline or a shell metacharacter must never get through.
 */
export function gitRevisionProblem(revision: string): string | undefined {
    if (revision.length === 0 || revision.length > 255) return "must be 1-255 characters";
    // Control characters are exactly what this refuses (a newline would end the clone command).
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(revision)) return "contains a space, a control character or one of ~ ^ : ? * [ \\";
    if (revision.startsWith("-")) return 'starts with "-"';
    if (revision.includes("..") || revision.includes("@{") || revision === "@") return 'contains "..", "@{" or is "@"';
    if (revision.endsWith("/") || revision.endsWith(".") || revision.includes("//")) return 'ends with "/" or "." or has an empty path component';
    if (revision.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))) {
        return 'has a path component starting with "." or ending with ".lock"';
    }
    return undefined;
}
