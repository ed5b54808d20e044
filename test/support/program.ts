/**
 * Runs the whole Pulumi program for a stack file under Pulumi mocks and returns every
 * resource it registered, so tests (and the policy pack's program test) can assert on the
 * real resource graph without a cloud or a cluster.
 *
 * What the mocks stand in for is only what cannot run here: OpenStack answers with ids and a
 * documentation-range floating IP; the remote K3s commands answer with a join token and the
 * kubeconfig K3s writes (server on 127.0.0.1, as K3s really does).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { cloudCall, cloudState, stackConfig } from "../../pipeline/render/mocks";
import { installMocks, type Registered, settled } from "./mocks";
import { applyProjectConfig } from "./project-config";

export type RegisteredResource = Registered;
export { isSecretValue, reveal, withoutSecrets } from "./mocks";
export { stackConfig } from "../../pipeline/render/mocks";

export interface ProgramRun {
    readonly resources: RegisteredResource[];
    readonly outputs: Record<string, unknown>;
    /** Stack outputs that came back marked secret. */
    readonly secretOutputs: string[];
}

export const repoRoot = path.resolve(__dirname, "..", "..");
export const stacksDir = path.join(repoRoot, "stacks");

export const mockFloatingIp = "198.51.100.7";
export const mockJoinToken = "K10c0ffee::server:5ecre7j01n70k3n";
export const mockGeneratedPassword = "Gen3ratedPassw0rdF0rTests";

export function stackFiles(): string[] {
    return fs
        .readdirSync(stacksDir)
        .filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file))
        .map((file) => path.join(stacksDir, file));
}

export function stackName(stackFile: string): string {
    return path.basename(stackFile).replace(/^Pulumi\.|\.yaml$/g, "");
}

const k3sKubeconfig = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
users:
- name: default
  user:
    client-certificate-data: LS0tLS1CRUdJTg==
    client-key-data: LS0tLS1CRUdJTg==
`;

/**
 * A throwaway home and kubeconfig, so stack files can name `~/.ssh/...` and rely on the
 * default kubeconfig lookup exactly as they would on a user's machine.
 */
function prepareMachine(): () => void {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "program-home-"));
    fs.mkdirSync(path.join(home, ".ssh"));
    fs.writeFileSync(path.join(home, ".ssh", "id_rsa_chameleon"), "-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n", { mode: 0o600 });
    fs.mkdirSync(path.join(home, ".kube"));
    fs.writeFileSync(path.join(home, ".kube", "config"), k3sKubeconfig.replace("127.0.0.1", "k8s.example.test"));
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    process.env.HOME = home;
    delete process.env.KUBECONFIG;
    return () => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        fs.rmSync(home, { recursive: true, force: true });
    };
}

const cloud = cloudState({ floatingIp: mockFloatingIp, joinToken: mockJoinToken, kubeconfig: k3sKubeconfig });

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    // The platform's generated credentials: a known value, so tests can prove it stays secret.
    if (type.includes("GeneratedPassword")) return { ...inputs, value: mockGeneratedPassword };
    return cloud(type, name, inputs);
}

/**
 * The install manifests are upstream URLs by default and toolchain-built files on the e2e
 * stack; neither is there for a unit test, so every run uses the trimmed offline copies in
 * test/unit/platform/fixtures. This is the only setting of a stack file the harness replaces.
 */
const offlineManifests: Record<string, string> = {
    "gourmetgram:argoWorkflowsManifest": path.join(repoRoot, "test", "unit", "platform", "fixtures", "argo-workflows-install.yaml"),
    "gourmetgram:argoCdManifest": path.join(repoRoot, "test", "unit", "platform", "fixtures", "argo-cd-install.yaml"),
    "gourmetgram:argoEventsManifest": path.join(repoRoot, "test", "unit", "platform", "fixtures", "argo-events-install.yaml"),
};

/**
 * Runs index.ts for one stack file under mocks, with the stack's config as the Pulumi CLI
 * hands it over (Pulumi.yaml's defaults filled in); an override of `undefined` removes a key.
 */
export async function runProgram(stackFile: string, overrides: Record<string, string | undefined> = {}): Promise<ProgramRun> {
    const restore = prepareMachine();
    try {
        const asEngineHandsIt = applyProjectConfig(stackName(stackFile), stackConfig(stackFile)).config;
        const config: Record<string, string | undefined> = { ...asEngineHandsIt, ...offlineManifests, ...overrides };
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(config).filter((entry): entry is [string, string] => entry[1] !== undefined)),
        );
        const resources = installMocks({
            stack: stackName(stackFile),
            state: mockState,
            call: cloudCall,
        });
        // Each run gets a fresh module graph, so no module-level state of one run reaches the next.
        vi.resetModules();
        const { default: program } = (await import(path.join(repoRoot, "index.ts"))) as { default: () => Record<string, unknown> };
        // The program is the module's exported function, run as Pulumi's Node.js runtime runs it.
        const exported = program();
        const outputs: Record<string, unknown> = {};
        const secretOutputs: string[] = [];
        for (const [key, value] of Object.entries(exported)) {
            if (pulumi.Output.isInstance(value)) {
                outputs[key] = await unwrap(value);
                if (await pulumi.isSecret(value)) secretOutputs.push(key);
            } else {
                outputs[key] = value;
            }
        }
        await settled(resources);
        return { resources, outputs, secretOutputs };
    } finally {
        restore();
    }
}

export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}
