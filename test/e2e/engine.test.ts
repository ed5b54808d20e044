/**
 * The program through the real Pulumi engine: the toolchain's Pulumi CLI (built from the Go
 * module proxy), the Kubernetes resource plugin of the SDK's release, and the program's own
 * index.ts run as an Automation API inline program, against the suite's kube-apiserver with
 * kube-controller-manager (namespace controller and garbage collector), a file:// backend and a
 * passphrase. In order, as a user's lifecycle goes: preview, preview with the policy pack, up,
 * up again (nothing to do), refresh (nothing changed), the policy pack refusing an injected
 * violation, no secret in plain text, destroy (nothing left on the API server).
 *
 * The API server starts with no CRD at all: the program installs the Argo CRDs itself (from
 * the install manifests stacks/Pulumi.e2e.yaml names), exactly as on a real cluster.
 *
 * Two things are the harness's, never the product's, and are applied here by the inline
 * program around the product's function:
 * - skipAwaitOnBareControlPlane: no kubelet runs, so objects whose readiness needs running pods
 *   are told not to wait for it (a real cluster makes this unnecessary);
 * - injectUnpinnedImage: the one policy violation of the blocking check.
 * The engine's event stream and debug logs carry secrets in plain text: nothing here asks for
 * them or prints them; only the CLI's ordinary output is kept, and checked for secrets.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { OpMap, OutputMap, PulumiFn } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, expect, it } from "vitest";
import gourmetgram from "../../index";
import { namespaces, workflowTemplates } from "../../vocabulary/names";
import { pinnedImagesPolicyName } from "../../policies/rules/pinned-images";
import { startLocalCluster, type LocalCluster } from "./harness/cluster";
import { startEngine, type Engine } from "./harness/engine";
import { describeWithToolchain } from "./harness/suite";

/** Kinds whose readiness the Kubernetes provider awaits through pods or controllers that never run here. */
const awaitsRunningPods = new Set([
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:Pod",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:networking.k8s.io/v1:Ingress",
]);

type Props = Record<string, any>;

/** Harness only: `pulumi.com/skipAwait` on the kinds above, since no kubelet runs. */
function skipAwaitOnBareControlPlane(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    if (!awaitsRunningPods.has(args.type)) return undefined;
    const metadata = pulumi.output(args.props.metadata ?? {}).apply((m: Props) => ({
        ...m,
        annotations: { ...(m.annotations ?? {}), "pulumi.com/skipAwait": "true" },
    }));
    return { props: { ...args.props, metadata }, opts: args.opts };
}

/** The Deployment the violation is injected into, and the image it is given: no tag, so "latest". */
const violated = { type: "kubernetes:apps/v1:Deployment", name: /mlflow/ };
const unpinnedImage = "ghcr.io/mlflow/mlflow";
const injectedInto: string[] = [];

/** Harness only: the first container of the first matching Deployment gets an unpinned image. */
function injectUnpinnedImage(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    if (args.type !== violated.type || !violated.name.test(args.name) || injectedInto.length > 0) return undefined;
    injectedInto.push(args.name);
    const spec = pulumi.output(args.props.spec).apply((s: Props) => {
        const [first, ...rest] = s.template.spec.containers;
        return {
            ...s,
            template: { ...s.template, spec: { ...s.template.spec, containers: [{ ...first, image: unpinnedImage }, ...rest] } },
        };
    });
    return { props: { ...args.props, spec }, opts: args.opts };
}

/** The product's program, with harness transforms registered first. */
function inline(...transforms: pulumi.ResourceTransform[]): PulumiFn {
    return async () => {
        for (const transform of transforms) pulumi.runtime.registerResourceTransform(transform);
        return gourmetgram() as unknown as Record<string, unknown>;
    };
}

/** Every change kind an operation reported other than "same", with its count. */
const changesOtherThanSame = (changes: OpMap | undefined) =>
    Object.fromEntries(Object.entries(changes ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0));

/** Every string (of 8 characters or more) inside a value, recursively. */
function stringsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
    if (typeof value === "string") {
        if (value.length >= 8) into.add(value);
    } else if (Array.isArray(value)) {
        for (const v of value) stringsIn(v, into);
    } else if (value && typeof value === "object") {
        for (const v of Object.values(value)) stringsIn(v, into);
    }
    return into;
}

/** The plain values of every secret in a `pulumi stack export --show-secrets` deployment. */
function secretValuesIn(exported: unknown, into: Set<string> = new Set()): Set<string> {
    if (Array.isArray(exported)) {
        for (const v of exported) secretValuesIn(v, into);
    } else if (exported && typeof exported === "object") {
        const object = exported as Record<string, unknown>;
        if (typeof object.plaintext === "string") stringsIn(JSON.parse(object.plaintext), into);
        else for (const v of Object.values(object)) secretValuesIn(v, into);
    }
    return into;
}

/** Where a string occurs inside a checkpoint: "<urn> <property path>" for each place. */
function placesIn(checkpoint: unknown, needle: string): string[] {
    const places: string[] = [];
    const walk = (value: unknown, at: string, urn: string) => {
        if (typeof value === "string") {
            if (value.includes(needle)) places.push(`${urn} ${at}`);
        } else if (value && typeof value === "object") {
            const own = (value as { urn?: unknown }).urn;
            const here = typeof own === "string" ? own : urn;
            for (const [key, v] of Object.entries(value)) walk(v, here === urn ? `${at}.${key}` : key, here);
        }
    };
    walk(checkpoint, "", "(checkpoint)");
    return places;
}

interface StateResource {
    urn: string;
    type: string;
    outputs?: Props;
}

describeWithToolchain("the program through the real Pulumi engine", ["pulumi", "kubeControllerManager"], (tools) => {
    let cluster: LocalCluster;
    let engine: Engine;
    let previousKubeconfig: string | undefined;
    /** Everything the CLI printed, for the secrets check; never printed itself. */
    const cliOutput: string[] = [];
    const keep = <T extends { stdout: string; stderr: string }>(result: T): T => {
        cliOutput.push(result.stdout, result.stderr);
        return result;
    };
    /** The program's Kubernetes objects as the state holds them after the first up. */
    let created: StateResource[] = [];
    let outputs: OutputMap = {};

    const kubectlJson = async (args: string[]) => {
        const result = await cluster.kubectl([...args, "-o", "json"], { timeoutMs: 120_000 });
        if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
        return JSON.parse(result.stdout);
    };
    const argoCrds = async (): Promise<string[]> =>
        (await kubectlJson(["get", "crd"])).items
            .map((crd: Props) => crd.metadata.name as string)
            .filter((name: string) => name.endsWith(".argoproj.io"));

    beforeAll(async () => {
        cluster = await startLocalCluster(tools, { controllerManager: true });
        // stacks/Pulumi.e2e.yaml names no kubeconfig: the program, running in this process,
        // reads $KUBECONFIG as it would in a user's shell.
        previousKubeconfig = process.env.KUBECONFIG;
        process.env.KUBECONFIG = cluster.kubeconfig;
        engine = await startEngine(tools, {
            stackName: "e2e",
            program: inline(skipAwaitOnBareControlPlane),
            kubeconfig: cluster.kubeconfig,
        });
    }, 300_000);

    afterAll(async () => {
        if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = previousKubeconfig;
        engine?.remove();
        await cluster?.stop();
    }, 60_000);

    it("runs the pinned CLI and plugin, on an API server without any Argo CRD", async () => {
        expect((await engine.stack.workspace.pulumiVersion).replace(/^v/, "")).toBe(tools.versions.pulumi!.replace(/^v/, ""));
        const plugins = await engine.stack.workspace.listPlugins();
        expect(plugins.map((p) => `${p.kind}:${p.name}@${p.version}`)).toContain(
            `resource:kubernetes@${tools.versions.pulumiKubernetes!.replace(/^v/, "")}`,
        );
        expect(await argoCrds()).toEqual([]);
    });

    it("previews the whole program", async () => {
        const preview = keep(await engine.stack.preview());
        expect(preview.changeSummary.create ?? 0).toBeGreaterThan(100);
        expect(changesOtherThanSame(preview.changeSummary)).toEqual({ create: preview.changeSummary.create });
    }, 600_000);

    it("previews with the policy pack, which runs and finds no mandatory violation", async () => {
        const preview = keep(await engine.stack.preview({ policyPacks: [engine.policyPack] }));
        expect(preview.stdout).toMatch(/gourmetgram@v?0\.1\.0/);
        expect(preview.stdout).not.toMatch(/\[mandatory\]/);
    }, 600_000);

    it("creates every resource with up, including the CRDs it installs and the objects of those CRDs", async () => {
        const up = keep(await engine.stack.up());
        expect(changesOtherThanSame(up.summary.resourceChanges)).toEqual({ create: up.summary.resourceChanges?.create });
        outputs = up.outputs;
        expect(outputs.kubeconfig?.secret).toBe(true);
        expect(Object.keys(outputs)).not.toContain("sshCommand");

        const state = (await engine.stack.exportStack()).deployment as { resources: StateResource[] };
        created = state.resources.filter(
            (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:yaml/v2:ConfigGroup" && r.outputs?.kind,
        );
        expect(created.length).toBeGreaterThan(50);

        expect(await argoCrds()).toEqual(expect.arrayContaining(["workflowtemplates.argoproj.io", "applications.argoproj.io"]));
        const templates = await kubectlJson(["get", "workflowtemplates.argoproj.io", "-n", namespaces.workflows]);
        expect(templates.items.map((t: Props) => t.metadata.name)).toEqual(
            expect.arrayContaining([workflowTemplates.trainModel, workflowTemplates.testStaging, workflowTemplates.promoteModel]),
        );
        for (const ns of [namespaces.platform, namespaces.staging, namespaces.canary, namespaces.production, namespaces.argocd]) {
            expect((await cluster.kubectl(["get", "namespace", ns])).code, ns).toBe(0);
        }
    }, 900_000);

    it("has nothing to do on a second up", async () => {
        const up = keep(await engine.stack.up());
        expect(changesOtherThanSame(up.summary.resourceChanges)).toEqual({});
    }, 600_000);

    it("finds nothing changed on refresh", async () => {
        const refresh = keep(await engine.stack.refresh());
        expect(changesOtherThanSame(refresh.summary.resourceChanges)).toEqual({});
    }, 600_000);

    it("fails a preview with one injected violation, naming the rule and the resource", async () => {
        const violating = await engine.withProgram(inline(skipAwaitOnBareControlPlane, injectUnpinnedImage));
        const failed = await violating.preview({ policyPacks: [engine.policyPack] }).then(
            () => undefined,
            (error: Error) => error,
        );
        expect(injectedInto).toHaveLength(1);
        expect(failed, "the preview passed").toBeInstanceOf(Error);
        const message = failed!.message;
        cliOutput.push(message);
        // The CLI's "Policies:" section: the pack failed, and the line names rule, kind and resource.
        expect(message).toMatch(/❌ gourmetgram@v?0\.1\.0/);
        expect(message).toMatch(
            new RegExp(`\\[mandatory\\][^\\n]*\\s${pinnedImagesPolicyName}\\s+\\(${violated.type}: ${injectedInto[0]}\\)`),
        );
        expect(message).toContain(`"${unpinnedImage}" has no tag or digest`);
    }, 600_000);

    it("keeps every secret out of the state file and the CLI's output in plain text", async () => {
        // Decrypted in memory only, to know what to look for.
        const exported = JSON.parse(await engine.cli(["stack", "export", "--show-secrets"]));
        const secrets = secretValuesIn(exported.deployment);
        // The generated passwords are among them: their values are secrets in the state.
        const passwords = (exported.deployment.resources as StateResource[]).filter((r) => r.type.includes("GeneratedPassword"));
        expect(passwords.length).toBeGreaterThanOrEqual(2);
        for (const password of passwords) {
            const value = password.outputs?.value as { plaintext?: string } | undefined;
            expect(typeof value?.plaintext, password.urn).toBe("string");
            expect(secrets.has(JSON.parse(value!.plaintext!)), password.urn).toBe(true);
        }
        // What the cluster itself holds in Secrets, and the kubeconfig's client key.
        // A service-account token Secret's `namespace` and `ca.crt` are public by design (every
        // pod sees both); only its `token` is a secret.
        const publicTokenKeys = new Set(["namespace", "ca.crt"]);
        for (const secret of (await kubectlJson(["get", "secrets", "--all-namespaces"])).items as Props[]) {
            for (const [key, encoded] of Object.entries<string>(secret.data ?? {})) {
                if (secret.type === "kubernetes.io/service-account-token" && publicTokenKeys.has(key)) continue;
                stringsIn([encoded, Buffer.from(encoded, "base64").toString("utf8")], secrets);
            }
        }
        const clientKey = /client-key-data: (\S+)/.exec(fs.readFileSync(cluster.kubeconfig, "utf8"))![1];
        stringsIn([clientKey, fs.readFileSync(cluster.kubeconfig, "utf8")], secrets);
        expect(secrets.size).toBeGreaterThan(3);

        const state = fs.readFileSync(engine.stateFile, "utf8");
        const output = cliOutput.join("\n") + (await engine.cli(["stack", "output", "--json"]));
        const leaked = [...secrets].filter((secret) => state.includes(secret) || output.includes(secret));
        // Name where, never what: the resource and property of the state that hold it.
        const where = (secret: string) =>
            output.includes(secret) ? "CLI output" : `state file at ${placesIn(JSON.parse(state), secret).join(", ")}`;
        expect(leaked.map(where)).toEqual([]);
    }, 120_000);

    it("destroys everything: the API server holds none of the program's objects afterwards", async () => {
        const destroy = keep(await engine.stack.destroy());
        expect(destroy.summary.resourceChanges?.delete ?? 0).toBeGreaterThan(50);
        expect(await argoCrds()).toEqual([]);
        const left: string[] = [];
        for (const r of created) {
            const { kind, apiVersion, metadata } = r.outputs!;
            // Objects of the Argo kinds went with their CRDs (checked above).
            if (String(apiVersion).startsWith("argoproj.io/")) continue;
            const group = String(apiVersion).includes("/") ? `.${String(apiVersion).split("/")[0]}` : "";
            const ns = metadata.namespace ? ["-n", metadata.namespace] : [];
            const found = await cluster.kubectl(["get", ...ns, `${kind}${group}`, metadata.name, "--ignore-not-found", "-o", "name"]);
            if (found.code !== 0 || found.stdout.trim() !== "") left.push(`${kind} ${metadata.namespace ?? ""}/${metadata.name}`);
        }
        expect(left).toEqual([]);
        for (const ns of [namespaces.platform, namespaces.staging, namespaces.canary, namespaces.production, namespaces.argo, namespaces.argocd]) {
            const found = await cluster.kubectl(["get", "namespace", ns, "--ignore-not-found", "-o", "name"]);
            expect(found.stdout.trim(), ns).toBe("");
        }
    }, 900_000);
});
