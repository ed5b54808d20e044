import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { kubernetesApiPort } from "../../vocabulary/names";
import { cloudCall, cloudState, installMocks, type RecordedResource, settled, stackConfig } from "./mocks";

/**
 * Runs the Pulumi program (index.ts) for a stack file under Pulumi's mocks: no cluster, no
 * cloud, no Pulumi CLI. Resources that only a cloud could answer (floating IPs, remote
 * commands) get placeholder outputs; every Kubernetes object is recorded as registered.
 */

const placeholders = cloudState({
    floatingIp: "192.0.2.1",
    joinToken: "render-placeholder",
    kubeconfig: `apiVersion: v1
kind: Config
clusters: [{name: render, cluster: {server: "https://render.invalid:${kubernetesApiPort}"}}]
contexts: [{name: render, context: {cluster: render, user: render}}]
current-context: render
users: [{name: render, user: {token: render}}]
`,
});

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
    pulumi.runtime.setAllConfig({ ...stackConfig(stackFile), ...overrides });
    const resources = installMocks({
        project,
        stack: path.basename(stackFile).replace(/^Pulumi\.|\.yaml$/g, ""),
        state: placeholders,
        call: cloudCall,
    });
    const program = await load(programPath);
    // As Pulumi's Node.js runtime does: a module whose export is a function is the program, run
    // once loaded (index.ts is one).
    if (typeof program === "function") await program();
    await settled(resources);
    return resources;
}
