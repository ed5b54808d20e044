import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type LocalWorkspaceOptions, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { runOk } from "./process";
import { repoRoot } from "./render";
import type { Toolchain } from "./toolchain";

/**
 * The real Pulumi engine for one stack of the program: the toolchain's CLI driven through the
 * Automation API, which serves an inline program's language runtime itself (no
 * pulumi-language-nodejs). Everything lives in one temporary directory:
 *
 * - `project/`: Pulumi.yaml and the stack's file, copied from the repository (the CLI writes the
 *   passphrase's salt into the stack file; the repository's copy stays untouched), and a link to
 *   the repository's node_modules;
 * - `state/`: the file:// backend; `home/`: PULUMI_HOME, with the Kubernetes resource plugin
 *   installed from the toolchain by `pulumi plugin install --file`, automatic plugin
 *   acquisition turned off so nothing is downloaded;
 * - `run-policy-pack`: the launcher the CLI runs as the policy pack (see policyPackLauncher).
 *
 * The inline program runs in this process, so paths in the stack's config resolve against the
 * process's working directory, the repository root, as they do for `pulumi up` there.
 */
export interface Engine {
    dir: string;
    stack: Stack;
    /** The stack's checkpoint in the file backend. */
    stateFile: string;
    /** The executable to pass as a policy pack path. */
    policyPack: string;
    /** Selects the same stack with another program (same workspace, state and secrets). */
    withProgram(program: PulumiFn): Promise<Stack>;
    /** Runs the CLI on the stack; the output is returned to the caller, never printed. */
    cli(args: readonly string[]): Promise<string>;
    remove(): void;
}

export interface EngineOptions {
    /** The stack's name; its settings come from stacks/Pulumi.<stack>.yaml. */
    stackName: string;
    program: PulumiFn;
    kubeconfig: string;
}

export async function startEngine(tools: Toolchain, options: EngineOptions): Promise<Engine> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gourmetgram-engine-"));
    const remove = () => {
        if (!process.env.E2E_KEEP_WORKDIR) fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        const project = path.join(dir, "project");
        const projectFile = fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8");
        const { name: projectName, stackConfigDir = "." } = parse(projectFile) as { name: string; stackConfigDir?: string };
        const stackFile = `Pulumi.${options.stackName}.yaml`;
        fs.mkdirSync(path.join(project, stackConfigDir), { recursive: true });
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), projectFile);
        fs.copyFileSync(path.join(repoRoot, stackConfigDir, stackFile), path.join(project, stackConfigDir, stackFile));
        // The engine starts plugins in the project's directory; the dynamic-provider launcher
        // resolves @pulumi/pulumi from there, as in a checkout.
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"));

        const home = path.join(dir, "home");
        const state = path.join(dir, "state");
        fs.mkdirSync(home);
        fs.mkdirSync(state);
        const cliDir = path.dirname(fs.realpathSync(tools.pulumi));
        const envVars: Record<string, string> = {
            PULUMI_HOME: home,
            PULUMI_BACKEND_URL: `file://${state}`,
            PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(24).toString("hex"),
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            KUBECONFIG: options.kubeconfig,
            // The CLI and its dynamic-provider launcher, and the Node.js that runs the launchers.
            PATH: [cliDir, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
        };
        const env = { ...process.env, ...envVars };
        const cli = (args: readonly string[]) => runOk(tools.pulumi, args, { env, cwd: project, timeoutMs: 300_000 });

        const version = tools.versions.pulumiKubernetes!.replace(/^v/, "");
        await cli(["plugin", "install", "resource", "kubernetes", version, "--file", tools.pulumiKubernetes]);

        const policyPack = path.join(dir, "run-policy-pack");
        fs.writeFileSync(policyPack, policyPackLauncher(path.join(repoRoot, "policies")), { mode: 0o755 });

        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cliDir) });
        const workspace: LocalWorkspaceOptions = { workDir: project, pulumiHome: home, envVars, pulumiCommand };
        const args = (program: PulumiFn) => ({ stackName: options.stackName, projectName, program });
        const stack = await LocalWorkspace.createStack(args(options.program), workspace);
        const stateFile = path.join(state, ".pulumi", "stacks", projectName, `${options.stackName}.json`);
        return {
            dir,
            stack,
            stateFile,
            policyPack,
            withProgram: (program) => LocalWorkspace.selectStack(args(program), workspace),
            cli: (more) => cli([...more, "--stack", options.stackName]),
            remove,
        };
    } catch (error) {
        remove();
        throw error;
    }
}

/**
 * What the CLI runs for `--policy-pack <path>` when the path is an executable file: this
 * launcher, with the engine's arguments. It does what the Node.js language host does for a
 * `runtime: nodejs` pack: runs @pulumi/pulumi's run-policy-pack in the pack's directory, which
 * loads the TypeScript pack from there.
 */
export function policyPackLauncher(packDir: string): string {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    return [
        "#!/bin/sh",
        `cd ${quote(packDir)} || exit 1`,
        `exec ${quote(process.execPath)} ${quote(runner)} "$@" .`,
        "",
    ].join("\n");
}
