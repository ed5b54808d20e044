/**
 * Boots the pack the way the Pulumi CLI does for `--policy-pack policies` (runtime: nodejs): the
 * `pulumi-analyzer-policy` shim runs @pulumi/pulumi's run-policy-pack from the pack's directory,
 * which registers ts-node and loads index.ts, and the pack serves the Analyzer gRPC service on the
 * port it prints. The test then talks to it as the engine would, so the pack's wiring (package.json
 * version, ts-node compile of the sources, module resolution from the repository's node_modules,
 * config plumbing, enforcement levels) is exercised without the CLI binary.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const structPb = require("google-protobuf/google/protobuf/struct_pb");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb");

const packDir = path.resolve(__dirname, "..", "..", "policies");
const levels = ["advisory", "mandatory", "disabled", "remediate"];

let pack: ChildProcess;
let client: any;
let stderr = "";

function call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

async function analyze(type: string, props: object): Promise<Array<{ policy: string; level: string; message: string }>> {
    const request = new analyzerPb.AnalyzeRequest();
    request.setType(type);
    request.setName("subject");
    request.setUrn(`urn:pulumi:ci::gourmetgram::${type}::subject`);
    request.setProperties(structPb.Struct.fromJavaScript(props));
    // The engine always sends resource options; the policy SDK refuses requests without them.
    request.setOptions(new analyzerPb.AnalyzerResourceOptions());
    const response: any = await call("analyze", request);
    return response.getDiagnosticsList().map((d: any) => ({
        policy: d.getPolicyname(),
        level: levels[d.getEnforcementlevel()],
        message: d.getMessage(),
    }));
}

async function configure(config: Record<string, { level: number; properties?: object }>): Promise<void> {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, { level, properties }] of Object.entries(config)) {
        const policyConfig = new analyzerPb.PolicyConfig();
        policyConfig.setEnforcementlevel(level);
        policyConfig.setProperties(structPb.Struct.fromJavaScript(properties ?? {}));
        map.set(name, policyConfig);
    }
    await call("configure", request);
}

const deployment = (cpuLimit: string, image: string) => ({
    metadata: { name: "web", namespace: "argo" },
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: {
                containers: [
                    {
                        name: "web",
                        image,
                        resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: cpuLimit, memory: "128Mi" } },
                    },
                ],
            },
        },
    },
});

beforeAll(async () => {
    // What the pulumi-analyzer-policy shim does: resolve run-policy-pack from the pack's directory.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    pack = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    pack.stderr!.on("data", (chunk) => (stderr += chunk));
    const port = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        pack.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const match = /^(\d+)\s*$/m.exec(stdout);
            if (match) resolve(match[1]);
        });
        pack.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving:\n${stdout}\n${stderr}`)));
    });
    client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
    client?.close();
    pack?.kill();
});

describe("the pack under the Node.js policy runner", () => {
    it("describes itself with every policy, mandatory rules first-class", async () => {
        const info: any = await call("getAnalyzerInfo", new emptyPb.Empty());
        expect(info.getName()).toBe("gourmetgram");
        expect(info.getVersion()).toBe(require(path.join(packDir, "package.json")).version);
        expect(info.getSupportsconfig()).toBe(true);
        const policies = Object.fromEntries(
            info.getPoliciesList().map((p: any) => [p.getName(), { level: levels[p.getEnforcementlevel()], remediation: p.getRemediationSteps() }]),
        );
        expect(policies).toMatchObject({
            "resource-limits": { level: "mandatory" },
            "no-loopback-urls": { level: "mandatory" },
            "pinned-images": { level: "mandatory" },
            "no-plain-secret-env": { level: "advisory" },
            "openstack-ingress-open-to-world": { level: "advisory" },
        });
        for (const policy of Object.values(policies) as Array<{ remediation: string }>) expect(policy.remediation.length).toBeGreaterThan(40);
    });

    it("reports mandatory violations for a bad Deployment and none for a good one", async () => {
        const bad = await analyze("kubernetes:apps/v1:Deployment", deployment("8", "nginx:latest"));
        expect(bad).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ policy: "resource-limits", level: "mandatory", message: expect.stringContaining('"8" exceeds the ceiling "2"') }),
                expect.objectContaining({ policy: "pinned-images", level: "mandatory", message: expect.stringContaining('"latest"') }),
            ]),
        );
        expect(await analyze("kubernetes:apps/v1:Deployment", deployment("1", "nginx:1.27.3"))).toEqual([]);
    });

    it("finds a loopback URL in a WorkflowTemplate created as a CustomResource", async () => {
        const template = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "WorkflowTemplate",
            metadata: { name: "t", namespace: "argo" },
            spec: { templates: [{ name: "t", http: { url: "http://127.1:8000/predict" } }] },
        };
        const diagnostics = await analyze("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", template);
        expect(diagnostics).toEqual([expect.objectContaining({ policy: "no-loopback-urls", level: "mandatory" })]);
    });

    it("takes ceilings and enforcement levels from pack config", async () => {
        await configure({
            "resource-limits": { level: 1, properties: { maxCpu: "8" } },
            "pinned-images": { level: 0 },
        });
        const diagnostics = await analyze("kubernetes:apps/v1:Deployment", deployment("8", "nginx:latest"));
        expect(diagnostics).toEqual([expect.objectContaining({ policy: "pinned-images", level: "advisory" })]);
    });
});
