import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { RecordedResource } from "./manifests";

/**
 * Runs the Pulumi program (index.ts) for a stack file under Pulumi's mocks: no cluster, no
 * cloud, no Pulumi CLI. Resources that only a cloud could answer (floating IPs, remote
 * commands) get placeholder outputs; every Kubernetes object is recorded as registered.
 */
export function stackConfig(stackFile: string): Record<string, string> {
    const document = parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null;
    return Object.fromEntries(
        Object.entries(document?.config ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

const placeholderKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: render, cluster: {server: "https://render.invalid:6443"}}]
contexts: [{name: render, context: {cluster: render, user: render}}]
current-context: render
users: [{name: render, user: {token: render}}]
`;

function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === "openstack:networking/floatingIp:FloatingIp") return { ...inputs, address: "192.0.2.1" };
    if (type === "command:remote:Command") {
        const create = String(inputs.create ?? "");
        return { ...inputs, stdout: create.includes("k3s.yaml") ? placeholderKubeconfig : "render-placeholder\n", stderr: "" };
    }
    return inputs;
}

/** Loads the program module; the CLI uses require (tsx), tests pass their own loader. */
export type ProgramLoader = (programPath: string) => Promise<unknown>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const requireProgram: ProgramLoader = async (programPath) => require(programPath);

export async function runUnderMocks(
    programPath: string,
    stackFile: string,
    project: string,
    /** Values that replace or add to the stack file's config, keyed `project:name`. */
    overrides: Readonly<Record<string, string>> = {},
    load: ProgramLoader = requireProgram,
): Promise<RecordedResource[]> {
    const resources: RecordedResource[] = [];
    pulumi.runtime.setAllConfig({ ...stackConfig(stackFile), ...overrides });
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: mockState(args.type, args.inputs) };
            },
            call(args) {
                return args.token === "openstack:networking/getNetwork:getNetwork"
                    ? { id: `${args.inputs.name}-id`, name: args.inputs.name }
                    : args.inputs;
            },
        },
        project,
        path.basename(stackFile).replace(/^Pulumi\.|\.yaml$/g, ""),
        false,
    );
    const program = await load(programPath);
    // As Pulumi's Node.js runtime does: a module whose export is a function is the program, run
    // once loaded (index.ts is one).
    if (typeof program === "function") await program();
    let seen = -1;
    while (seen !== resources.length) {
        seen = resources.length;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return resources;
}
