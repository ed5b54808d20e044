import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks } from "../../support/mocks";
import { defaultAppResources } from "../../../vocabulary/names";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../pipeline/gates/args";
import { parseRenderArgs, render, renderHelp } from "../../../pipeline/render/cli";
import { credentialStandIns } from "../../../pipeline/render/mocks";
import { redacted, redactedSecretValue, renderManifests, typeToApi, type RecordedResource } from "../../../pipeline/render/manifests";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

describe("render: manifests from registered resources", () => {
    it("maps Pulumi type tokens to apiVersion and kind", () => {
        expect(typeToApi("kubernetes:core/v1:ConfigMap")).toEqual({ apiVersion: "v1", kind: "ConfigMap" });
        expect(typeToApi("kubernetes:rbac.authorization.k8s.io/v1:Role")).toEqual({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" });
        expect(typeToApi("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate")).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate" });
        expect(typeToApi("kubernetes:helm.sh/v3:Release")).toBeUndefined();
        expect(typeToApi("pulumi:providers:kubernetes")).toBeUndefined();
    });

    it("writes one manifest per object, redacts secrets, lists what only expands at deploy time", async () => {
        const secret = await new Promise<unknown>((resolve) => {
            // The exact form Pulumi records a secret input in.
            resolve({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" });
        });
        const recorded: RecordedResource[] = [
            { type: "pulumi:providers:kubernetes", name: "k8s", inputs: {} },
            { type: "kubernetes:core/v1:Secret", name: "hook", inputs: { metadata: { name: "hook", namespace: "argo-events" }, stringData: { secret: "plain" } } },
            { type: "kubernetes:core/v1:ConfigMap", name: "cm", inputs: { metadata: { namespace: "argo" }, data: { token: secret } } },
            { type: "kubernetes:helm.sh/v3:Release", name: "argo", inputs: {} },
        ];
        const { manifests, skipped } = renderManifests(recorded);
        expect(manifests.map((m) => m.file)).toEqual(["argo-events/secret-hook.yaml", "argo/configmap-cm.yaml"]);
        expect(manifests[0].manifest).toMatchObject({ apiVersion: "v1", kind: "Secret", stringData: { secret: redacted } });
        expect(manifests[1].manifest).toMatchObject({ metadata: { name: "cm" }, data: { token: redacted } });
        expect(JSON.stringify(manifests)).not.toContain("hunter2");
        expect(skipped).toEqual([expect.objectContaining({ type: "kubernetes:helm.sh/v3:Release" })]);
    });

    it("keeps the keys of a Secret whose whole data is one Pulumi secret, and redacts the values", () => {
        const wholeMap = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { username: "pipeline", password: "hunter2" } };
        const { manifests } = renderManifests([
            { type: "kubernetes:core/v1:Secret", name: "creds", inputs: { metadata: { name: "creds", namespace: "argo" }, stringData: wholeMap } },
        ]);
        expect(manifests[0].manifest.stringData).toEqual({ username: redacted, password: redacted });
        expect(JSON.stringify(manifests)).not.toContain("hunter2");
    });

    it("redacts a docker config Secret's entry to JSON the API server accepts, and every other entry to the marker", () => {
        const dockerConfig = redactedSecretValue("kubernetes.io/dockerconfigjson", ".dockerconfigjson");
        expect(JSON.parse(dockerConfig)).toEqual({ auths: { [redacted]: {} } });
        expect(redactedSecretValue("kubernetes.io/dockerconfigjson", "password")).toBe(redacted);
        expect(redactedSecretValue("Opaque", ".dockerconfigjson")).toBe(redacted);
    });

    it("renders the pipeline component's objects as valid YAML documents", async () => {
        const recorded: RecordedResource[] = installMocks({ stack: "render" });
        const { Pipeline } = await import("../../../pipeline/component.js");
        const { loadStackConfig } = await import("../../../infra/config/load.js");
        const { pipelineConfig } = await import("../../../pipeline/config.js");
        new Pipeline("pipeline", {
            config: loadStackConfig("gourmetgram", {}, { pipeline: pipelineConfig }).pipeline,
            images: { gates: "reg/gates:src-1", train: "reg/train:src-2" },
            stagingAppResources: defaultAppResources,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { manifests } = renderManifests(recorded);
        const files = manifests.map((m) => m.file);
        expect(files).toContain("gourmetgram-workflows/workflowtemplate-test-staging.yaml");
        expect(files).toContain("gourmetgram-workflows/cronworkflow-train-model-cron.yaml");
        expect(files).toContain("argocd/role-test-staging-runner.yaml");
        const cron = manifests.find((m) => m.file.endsWith("cronworkflow-train-model-cron.yaml"))!.manifest as any;
        expect(cron.spec.schedules).toEqual(["0 2 * * *"]);
    });
});

describe("render: the command line", () => {
    it("parses --stack and --out and explains what is wrong", () => {
        expect(parseRenderArgs(["--stack", "laptop", "--out", "o"])).toEqual({ stack: "laptop", out: "o", config: {} });
        expect(() => parseRenderArgs(["--stack", "laptop"])).toThrow(/--out is required/);
        expect(() => parseRenderArgs(["--stack"])).toThrow(/--stack needs a value/);
        expect(() => parseRenderArgs(["--out", "o", "--stack", "../x"])).toThrow(/stack name/);
        expect(() => parseRenderArgs(["--force"])).toThrow(/unknown argument --force/);
    });

    it("takes repeated --config key=value, in the project's namespace unless the key names one", () => {
        const args = parseRenderArgs([
            "--config",
            "argoCdManifest=./argo-cd.yaml",
            "--stack",
            "laptop",
            "--config",
            "kubernetes:context=lab",
            "--config",
            "gourmetgram:appResources={\"staging\":{\"limits\":{\"memory\":\"512Mi\"}}}",
            "--config",
            "publicAddress=",
            "--out",
            "o",
        ]);
        expect(args.config).toEqual({
            "gourmetgram:argoCdManifest": "./argo-cd.yaml",
            "kubernetes:context": "lab",
            "gourmetgram:appResources": '{"staging":{"limits":{"memory":"512Mi"}}}',
            "gourmetgram:publicAddress": "",
        });
    });

    it("explains a --config that is not key=value, has a bad key, or repeats a key", () => {
        const base = ["--stack", "laptop", "--out", "o"];
        expect(() => parseRenderArgs([...base, "--config", "argoCdManifest"])).toThrow(/--config argoCdManifest: expected <key>=<value>.*usage: render/);
        expect(() => parseRenderArgs([...base, "--config", "=x"])).toThrow(/--config =x: expected <key>=<value>/);
        expect(() => parseRenderArgs([...base, "--config", "a b=c"])).toThrow(/--config a b=c: expected <key>=<value>/);
        expect(() => parseRenderArgs([...base, "--config", "a:b:c=d"])).toThrow(/expected <key>=<value>/);
        expect(() => parseRenderArgs([...base, "--config"])).toThrow(/--config needs a value/);
        expect(() => parseRenderArgs([...base, "--config", "x=1", "--config", "gourmetgram:x=2"])).toThrow(/--config gourmetgram:x is given twice/);
        expect(() => parseRenderArgs(["--nope"])).toThrow(UsageError);
    });

    it("lays --config values over the stack file's config for the program run", async () => {
        let seen: Record<string, string> = {};
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-config-"));
        try {
            await render(
                { stack: "laptop", out, config: { "gourmetgram:argoCdManifest": "/x/argo-cd.yaml", "gourmetgram:publicAddress": "lab.example.test" } },
                repoRoot,
                async () => {
                    seen = pulumi.runtime.allConfig();
                },
            );
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
        expect(seen["gourmetgram:argoCdManifest"]).toBe("/x/argo-cd.yaml");
        // Overridden over the stack file's "localhost"; keys the flags do not name stay as the file sets them.
        expect(seen["gourmetgram:publicAddress"]).toBe("lab.example.test");
        expect(seen["gourmetgram:target"]).toBe("existing-cluster");
    });

    it("documents every flag in its help text", () => {
        for (const flag of ["--stack", "--out", "--config", "--help"]) expect(renderHelp).toContain(flag);
    });

    it("prints the help and exits 2 on a bad flag when run as a command", () => {
        const run = (...argv: string[]) =>
            spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsx"), ["pipeline/render/cli.ts", ...argv], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
        const help = run("--help");
        expect(help.status).toBe(0);
        expect(help.stdout).toBe(renderHelp);
        const bad = run("--stack", "laptop", "--out", os.tmpdir(), "--config", "argoCdManifest");
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/render: --config argoCdManifest: expected <key>=<value>/);
    }, 120_000); // two cold starts of tsx, each of which can take most of the default 30 s on a busy runner

    it("renders the chameleon stack as a command, generated credentials included, with every secret redacted", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-chameleon-"));
        try {
            const key = path.join(out, "ssh-key");
            fs.writeFileSync(key, "");
            const fixtures = "test/unit/platform/fixtures";
            const run = spawnSync(
                path.join(repoRoot, "node_modules", ".bin", "tsx"),
                [
                    "pipeline/render/cli.ts", "--stack", "chameleon", "--out", path.join(out, "manifests"),
                    "--config", `sshPrivateKeyPath=${key}`,
                    "--config", `argoWorkflowsManifest=${fixtures}/argo-workflows-install.yaml`,
                    "--config", `argoCdManifest=${fixtures}/argo-cd-install.yaml`,
                ],
                { cwd: repoRoot, encoding: "utf8", timeout: 180_000 },
            );
            expect(run.status, run.stderr).toBe(0);
            expect(run.stdout).toMatch(/render: \d+ manifests in /);
            const login = fs.readFileSync(path.join(out, "manifests", "gourmetgram-workflows", "secret-registry-credentials.yaml"), "utf8");
            expect(parse(login).stringData[".dockerconfigjson"]).toBe(redactedSecretValue("kubernetes.io/dockerconfigjson", ".dockerconfigjson"));
            expect(parse(login).stringData.password).toBe(redacted);
            const everything = fs.readdirSync(path.join(out, "manifests"), { recursive: true, encoding: "utf8" })
                .map((file) => path.join(out, "manifests", file))
                .filter((file) => fs.statSync(file).isFile())
                .map((file) => fs.readFileSync(file, "utf8"))
                .join("\n");
            expect(everything).not.toContain(credentialStandIns.password);
            expect(everything).not.toContain(credentialStandIns.hash);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    }, 200_000); // the whole program under mocks in a cold tsx

    it("names the stacks that exist when asked for one that does not", async () => {
        await expect(render({ stack: "nope", out: os.tmpdir() }, repoRoot)).rejects.toThrow(/no stack file stacks\/Pulumi.nope.yaml; stacks: .*laptop/);
    });
});
