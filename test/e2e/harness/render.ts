import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "./process";

export const repoRoot = path.resolve(__dirname, "../../..");
const renderCli = path.join(repoRoot, "pipeline/render/cli.ts");

/** Renders a stack's Kubernetes objects to YAML under out with the project's `render` script. */
export async function renderStack(stack: string, out: string, env: NodeJS.ProcessEnv): Promise<void> {
    fs.mkdirSync(out, { recursive: true });
    const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
    const result = await run(tsx, [renderCli, "--stack", stack, "--out", out], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        timeoutMs: 120_000,
    });
    if (result.code !== 0) {
        throw new Error(`render --stack ${stack} failed (exit ${result.code}):\n${result.stderr || result.stdout}`);
    }
}
