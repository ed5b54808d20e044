/**
 * `npm run render -- --stack <name> --out <dir>`: writes every Kubernetes manifest the stack
 * would apply as YAML, one file per object, without a cluster or the Pulumi CLI. Secrets are
 * redacted. Objects that expand only at deploy time (Helm releases, remote YAML) are listed
 * in `_not-rendered.yaml` instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { renderManifests } from "./manifests";
import { requireProgram, runUnderMocks, type ProgramLoader } from "./mock-run";

export interface RenderArgs {
    readonly stack: string;
    readonly out: string;
}

export function parseRenderArgs(argv: readonly string[]): RenderArgs {
    const values: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag !== "--stack" && flag !== "--out") throw new Error(`unknown argument ${flag}; usage: render --stack <name> --out <dir>`);
        const value = argv[++i];
        if (!value || value.startsWith("--")) throw new Error(`${flag} needs a value; usage: render --stack <name> --out <dir>`);
        values[flag.slice(2)] = value;
    }
    for (const required of ["stack", "out"]) {
        if (!values[required]) throw new Error(`--${required} is required; usage: render --stack <name> --out <dir>`);
    }
    if (!/^[\w.-]+$/.test(values.stack)) throw new Error(`--stack ${values.stack}: a stack name has letters, digits, '.', '_' and '-' only`);
    return { stack: values.stack, out: values.out };
}

export async function render(
    args: RenderArgs,
    repoRoot: string,
    load: ProgramLoader = requireProgram,
): Promise<{ written: number; skipped: number }> {
    const stackFile = path.join(repoRoot, "stacks", `Pulumi.${args.stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = fs.readdirSync(path.join(repoRoot, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        throw new Error(`no stack file ${path.relative(repoRoot, stackFile)}; stacks: ${known.join(", ")}`);
    }
    const resources = await runUnderMocks(path.join(repoRoot, "index.ts"), stackFile, "gourmetgram", load);
    const { manifests, skipped } = renderManifests(resources);
    fs.rmSync(args.out, { recursive: true, force: true });
    for (const { file, manifest } of manifests) {
        const target = path.join(args.out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, stringify(manifest, { aliasDuplicateObjects: false }));
    }
    fs.mkdirSync(args.out, { recursive: true });
    fs.writeFileSync(path.join(args.out, "_not-rendered.yaml"), stringify(skipped));
    return { written: manifests.length, skipped: skipped.length };
}

if (require.main === module) {
    const repoRoot = path.resolve(__dirname, "..", "..");
    (async () => {
        try {
            const args = parseRenderArgs(process.argv.slice(2));
            const { written, skipped } = await render(args, repoRoot);
            console.log(`render: ${written} manifests in ${args.out}${skipped ? `, ${skipped} listed in _not-rendered.yaml` : ""}`);
        } catch (error) {
            console.error(`render: ${(error as Error).message}`);
            process.exit(error instanceof Error && /usage|stack/.test(error.message) ? 2 : 1);
        }
    })();
}
