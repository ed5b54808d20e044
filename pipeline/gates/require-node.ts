/**
 * Imported first by the CLI: the HTTP client (undici 8) throws at import on Node.js older
 * than 22, which would surface as a stack trace instead of a usage error (exit status 2).
 */
const minimumMajor = 22;

export function nodeVersionProblem(version: string): string | undefined {
    const major = Number(version.replace(/^v/, "").split(".")[0]);
    if (major >= minimumMajor) return undefined;
    return `needs Node.js ${minimumMajor} or newer, this is v${version.replace(/^v/, "")}; run it with the project's Node (npm run gate) or the gate image`;
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
    process.stderr.write(`gate: ${problem}\n`);
    process.exit(2);
}
