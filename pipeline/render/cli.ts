/**
 * `npm run render -- --stack <name> --out <dir> [--config <key>=<value>]...`: writes every
 * Kubernetes manifest the stack would apply as YAML, one file per object, without a cluster
 * or the Pulumi CLI. Secrets are redacted. Objects that expand only at deploy time (Helm
 * releases, remote YAML) are listed in `_not-rendered.yaml` instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { PROJECT } from "../../vocabulary/names";
import { UsageError } from "../gates/args";
import { renderManifests } from "./manifests";
import { requireProgram, runUnderMocks, type ProgramLoader } from "./mock-run";

export interface RenderArgs {
    readonly stack: string;
    readonly out: string;
    /** Config values laid over the stack file's, keyed `project:name` as Pulumi keys them. */
    readonly config?: Readonly<Record<string, string>>;
}

const usageLine = "usage: render --stack <name> --out <dir> [--config <key>=<value>]...";

export const renderHelp = `${usageLine}

Writes every Kubernetes manifest the stack would apply, one YAML file per object, by running
the program under Pulumi's mocks: no cluster, no cloud, no Pulumi CLI. Secrets are redacted.

  --stack <name>           the stack file stacks/Pulumi.<name>.yaml
  --out <dir>              output directory (replaced)
  --config <key>=<value>   set one config value over the stack file's, as \`pulumi config set\`
                           would; a key without a namespace is in ${PROJECT}. Repeatable.
                           e.g. --config argoCdManifest=./argo-cd-install.yaml
  --help                   show this text
`;

/** `name=value` or `namespace:name=value`; the name as Pulumi allows it in a config key. */
const configKey = /^(?:[A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+$/;

function parseConfigFlag(raw: string, config: Record<string, string>): void {
    const equals = raw.indexOf("=");
    const key = equals > 0 ? raw.slice(0, equals) : "";
    if (!configKey.test(key)) {
        throw new UsageError(`--config ${raw}: expected <key>=<value> with a key such as argoCdManifest or ${PROJECT}:argoCdManifest; ${usageLine}`);
    }
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    if (fullKey in config) throw new UsageError(`--config ${fullKey} is given twice; set each key once`);
    config[fullKey] = raw.slice(equals + 1);
}

export function parseRenderArgs(argv: readonly string[]): RenderArgs {
    const values: Record<string, string> = {};
    const config: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag !== "--stack" && flag !== "--out" && flag !== "--config") throw new UsageError(`unknown argument ${flag}; ${usageLine}`);
        const value = argv[++i];
        if (!value || value.startsWith("--")) throw new UsageError(`${flag} needs a value; ${usageLine}`);
        if (flag === "--config") parseConfigFlag(value, config);
        else values[flag.slice(2)] = value;
    }
    for (const required of ["stack", "out"]) {
        if (!values[required]) throw new UsageError(`--${required} is required; ${usageLine}`);
    }
    if (!/^[\w.-]+$/.test(values.stack)) throw new UsageError(`--stack ${values.stack}: a stack name has letters, digits, '.', '_' and '-' only`);
    return { stack: values.stack, out: values.out, config };
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
    const resources = await runUnderMocks(path.join(repoRoot, "index.ts"), stackFile, PROJECT, args.config ?? {}, load);
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
    // A failure inside the program's outputs (an install manifest that cannot be downloaded)
    // surfaces as a rejection no caller awaits: report it like any other, without a stack trace.
    process.on("unhandledRejection", (error) => {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`render: ${message.replace(/^(error serializing property "[^"]*": )+/, "")}`);
        process.exit(1);
    });
    (async () => {
        try {
            const argv = process.argv.slice(2);
            if (argv.includes("--help") || argv.includes("-h")) {
                process.stdout.write(renderHelp);
                return;
            }
            const args = parseRenderArgs(argv);
            const { written, skipped } = await render(args, repoRoot);
            console.log(`render: ${written} manifests in ${args.out}${skipped ? `, ${skipped} listed in _not-rendered.yaml` : ""}`);
        } catch (error) {
            console.error(`render: ${(error as Error).message}`);
            process.exit(error instanceof UsageError || /^no stack file/.test((error as Error).message) ? 2 : 1);
        }
    })();
}
