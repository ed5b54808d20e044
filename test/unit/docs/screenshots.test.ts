import { describe, expect, expectTypeOf, it } from "vitest";
// Type-only: makes the type check (npm run typecheck) compile the browser driver as well.
import type { main as captureMain } from "../../../scripts/docs/capture-screenshots";
import { environmentPorts, platformPublicPorts } from "../../../vocabulary/names";
import {
    allShotFiles,
    argoApi,
    argoUi,
    bearer,
    captureFlags,
    CaptureUsageError,
    chromiumArgs,
    type CaptureOptions,
    mlflowApi,
    mlflowUi,
    newestRun,
    parseCaptureArgs,
    planShots,
    scenarioMismatch,
    unfinished,
    type WorkflowSummary,
} from "../../../scripts/docs/screenshots";

/** What a browser types for a port: the scheme's default port is left out. */
const at = (scheme: "http" | "https", host: string, port: number) =>
    `${scheme}://${host}${port === (scheme === "http" ? 80 : 443) ? "" : `:${port}`}`;

const env = { ARGO_TOKEN: "eyJhbGciOi.token", MLFLOW_TRACKING_PASSWORD: "s3cret-pass" };

function parse(argv: string[], environment: NodeJS.ProcessEnv = env): CaptureOptions {
    const options = parseCaptureArgs(argv, environment);
    if (options === "help") throw new Error("unexpected help");
    return options;
}

function refusal(argv: string[], environment: NodeJS.ProcessEnv = env): string {
    try {
        parseCaptureArgs(argv, environment);
    } catch (error) {
        expect(error).toBeInstanceOf(CaptureUsageError);
        return (error as Error).message;
    }
    throw new Error(`accepted ${argv.join(" ")}`);
}

describe("docs:screenshots arguments", () => {
    it("builds every URL from the lab's public address, with the lab's ports and schemes", () => {
        const o = parse(["--stage", "after-normal", "--address", "192.0.2.10"]);
        expect(o.urls).toEqual({
            argoWorkflows: at("https", "192.0.2.10", platformPublicPorts.argoWorkflows),
            mlflow: at("http", "192.0.2.10", platformPublicPorts.mlflow),
            staging: at("http", "192.0.2.10", environmentPorts.staging),
            canary: at("http", "192.0.2.10", environmentPorts.canary),
            production: at("http", "192.0.2.10", environmentPorts.production),
        });
        expect(o.urls.argoWorkflows).toMatch(/^https:\/\/192\.0\.2\.10:\d+$/);
        expect(o).toMatchObject({
            stage: "after-normal",
            outDir: "docs/lab/images",
            chromium: "/usr/bin/chromium",
            timeoutMs: 60_000,
            viewport: { width: 1440, height: 900 },
            mlflowUsername: "admin",
            mlflowPassword: "s3cret-pass",
            argoToken: "Bearer eyJhbGciOi.token",
        });
    });

    it("lets one URL be overridden (an SSH tunnel) and drops its trailing slash", () => {
        const o = parse(["--stage=after-oversized", "--address", "lab.example.org", "--mlflow-url", "http://127.0.0.1:18000/"]);
        expect(o.urls.mlflow).toBe("http://127.0.0.1:18000");
        expect(o.urls.argoWorkflows).toBe(at("https", "lab.example.org", platformPublicPorts.argoWorkflows));
    });

    it("works without --address when every URL is given", () => {
        const o = parse([
            "--stage", "after-production",
            "--argo-url", "https://h:1", "--mlflow-url", "http://h:2", "--staging-url", "http://h:3",
            "--canary-url", "http://h:4", "--production-url", "http://h:5",
        ]);
        expect(Object.values(o.urls)).toEqual(["https://h:1", "http://h:2", "http://h:3", "http://h:4", "http://h:5"]);
    });

    it("keeps a token that already carries its scheme, as the stack output does", () => {
        expect(bearer("Bearer abc")).toBe("Bearer abc");
        expect(bearer("  abc\n")).toBe("Bearer abc");
        expect(parse(["--stage", "after-normal", "--address", "h"], { ...env, ARGO_TOKEN: "Bearer xyz" }).argoToken).toBe("Bearer xyz");
    });

    it("reads the MLflow user from the environment MLflow's own client uses", () => {
        expect(parse(["--stage", "after-normal", "--address", "h"], { ...env, MLFLOW_TRACKING_USERNAME: "teacher" }).mlflowUsername).toBe("teacher");
    });

    it("refuses what it cannot use, naming the flag and what is allowed", () => {
        expect(refusal(["--address", "h"])).toMatch(/--stage is required: one of after-normal, after-bad-architecture, after-oversized, after-production/);
        expect(refusal(["--stage", "after-lunch", "--address", "h"])).toMatch(/--stage must be one of .*got "after-lunch"/);
        expect(refusal(["--stage", "after-normal"])).toMatch(/give --address, or every one of --argo-url, --mlflow-url, --staging-url, --canary-url, --production-url/);
        expect(refusal(["--stage", "after-normal", "--argo-url", "https://h"])).toMatch(/every one of --mlflow-url, --staging-url/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--mlflow-url", "ftp://h"])).toMatch(/--mlflow-url must use http/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--mlflow-url", "http://admin:pw@h"])).toMatch(/must not carry credentials/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--canary-url", "http://h/?x=1"])).toMatch(/without query/);
        expect(refusal(["--stage", "after-normal", "--address", "has space"])).toMatch(/--address must be a host name or IP address/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--timeout-s", "0"])).toMatch(/--timeout-s must be an integer from 5 to 1800, got "0"/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--width", "1e3"])).toMatch(/--width must be an integer/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--colour", "x"])).toMatch(/unknown flag --colour; allowed: --stage/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--address", "g"])).toMatch(/--address was given twice/);
        expect(refusal(["--stage", "after-normal", "--address"])).toMatch(/--address needs a value/);
        expect(refusal(["after-normal"])).toMatch(/unexpected argument "after-normal"/);
        expect(refusal(["--stage", "after-normal", "--address", "h", "--test-staging-workflow", "Test Staging"])).toMatch(/workflow name/);
        expect(refusal(["--stage", "after-production", "--address", "h", "--test-staging-workflow", "test-staging-abcde"])).toMatch(/does not apply/);
    });

    it("refuses to start without the credentials, saying which stack output holds them", () => {
        expect(refusal(["--stage", "after-normal", "--address", "h"], { MLFLOW_TRACKING_PASSWORD: "x" })).toMatch(/ARGO_TOKEN.*argoWorkflowsToken --show-secrets/);
        expect(refusal(["--stage", "after-normal", "--address", "h"], { ARGO_TOKEN: "x" })).toMatch(/MLFLOW_TRACKING_PASSWORD.*mlflowAdminPassword --show-secrets/);
    });

    it("answers --help with usage only", () => {
        expectTypeOf<typeof captureMain>().toEqualTypeOf<(argv: readonly string[]) => Promise<number>>();
        expect(parseCaptureArgs(["--help"], {})).toBe("help");
        expect(captureFlags).toContain("stage");
    });

    it("starts Chromium headless, without sandbox, GPU, QUIC or background traffic, in a fresh profile", () => {
        expect(chromiumArgs("/tmp/p1")).toEqual([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--user-data-dir=/tmp/p1",
        ]);
    });
});

describe("docs:screenshots pages", () => {
    it("addresses the Argo UI and API in the workflows namespace, and MLflow's model pages", () => {
        expect(argoUi.workflow("https://h:2746", "test-staging-x7k2p")).toBe("https://h:2746/workflows/gourmetgram-workflows/test-staging-x7k2p");
        expect(argoUi.workflowTemplates("https://h:2746")).toBe("https://h:2746/workflow-templates/gourmetgram-workflows");
        expect(argoUi.cronWorkflow("https://h:2746", "train-model-cron")).toBe("https://h:2746/cron-workflows/gourmetgram-workflows/train-model-cron");
        expect(argoApi.workflows("https://h:2746")).toBe("https://h:2746/api/v1/workflows/gourmetgram-workflows");
        expect(mlflowUi.model("http://h:8000")).toBe("http://h:8000/#/models/GourmetGramFood11Model");
        expect(mlflowUi.version("http://h:8000", "7")).toBe("http://h:8000/#/models/GourmetGramFood11Model/versions/7");
        expect(mlflowApi.modelVersion("http://h:8000", "7")).toBe(
            "http://h:8000/api/2.0/mlflow/model-versions/get?name=GourmetGramFood11Model&version=7",
        );
    });

    const urls = parse(["--stage", "after-normal", "--address", "192.0.2.10"]).urls;

    it("photographs a scenario's test-staging graph, its model version, the registry and the environments", () => {
        const shots = planShots({ stage: "after-bad-architecture", urls }, { subject: { name: "test-staging-q2w3e", version: "8" } });
        expect(shots.map((s) => [s.file, s.url])).toEqual([
            ["argo-test-staging-bad-architecture.png", `${urls.argoWorkflows}/workflows/gourmetgram-workflows/test-staging-q2w3e`],
            ["mlflow-version-bad-architecture.png", `${urls.mlflow}/#/models/GourmetGramFood11Model/versions/8`],
            ["mlflow-versions-after-bad-architecture.png", `${urls.mlflow}/#/models/GourmetGramFood11Model`],
            ["app-version-staging-after-bad-architecture.png", `${urls.staging}/version`],
            ["app-version-canary-after-bad-architecture.png", `${urls.canary}/version`],
        ]);
        // The graph is taken only once its first step is drawn; a JSON answer gets its URL printed above it.
        expect(shots[0].waitFor).toEqual(["test-staging-q2w3e", "deploy-staging"]);
        expect(shots[3].caption).toBe(`GET ${at("http", "192.0.2.10", environmentPorts.staging)}/version`);
    });

    it("adds the template list, the schedule and part 1's graphs after the normal run", () => {
        const files = planShots({ stage: "after-normal", urls }, { subject: { name: "ts", version: "5" }, trainModel: "train-model-a", buildContainerImage: "build-container-image-b" }).map((s) => s.file);
        expect(files.slice(0, 4)).toEqual([
            "argo-workflow-templates.png",
            "argo-cron-train-model-cron.png",
            "argo-train-model-normal.png",
            "argo-build-container-image-normal.png",
        ]);
        expect(planShots({ stage: "after-normal", urls }, { subject: { name: "ts", version: "5" } }).map((s) => s.file)).not.toContain("argo-train-model-normal.png");
    });

    it("photographs the promotion and all three environments after production", () => {
        const shots = planShots({ stage: "after-production", urls }, { subject: { name: "promote-model-z9", version: "5" } });
        expect(shots.map((s) => s.file)).toEqual([
            "argo-promote-model-production.png",
            "mlflow-versions-after-production.png",
            "app-version-staging-after-production.png",
            "app-version-canary-after-production.png",
            "app-version-production-after-production.png",
        ]);
        expect(shots.at(-1)!.url).toBe(`${at("http", "192.0.2.10", environmentPorts.production)}/version`);
    });

    it("names every file once across the stages", () => {
        const files = allShotFiles();
        expect(files).toHaveLength(new Set(files).size);
        expect(files).toContain("argo-test-staging-oversized.png");
        expect(files.every((f) => /^[a-z0-9-]+\.png$/.test(f))).toBe(true);
    });
});

describe("docs:screenshots choice of runs", () => {
    const run = (name: string, template: string, created: string, phase: string, parameters: Record<string, string> = {}): WorkflowSummary => ({
        metadata: { name, creationTimestamp: created },
        spec: { workflowTemplateRef: { name: template }, arguments: { parameters: Object.entries(parameters).map(([n, value]) => ({ name: n, value })) } },
        status: { phase },
    });
    const list = [
        run("test-staging-old", "test-staging", "2026-01-01T10:00:00Z", "Succeeded", { "model-version": "3" }),
        run("test-staging-new", "test-staging", "2026-01-01T12:00:00Z", "Running", { "model-version": "4" }),
        run("promote-model-c", "promote-model", "2026-01-01T13:00:00Z", "Succeeded", { "target-environment": "canary" }),
        run("promote-model-p", "promote-model", "2026-01-01T11:00:00Z", "Succeeded", { "target-environment": "production", "model-version": "3" }),
        { metadata: { name: "hand-made" }, status: { phase: "Succeeded" } },
    ];

    it("takes the newest run of the template, filtered by parameters", () => {
        expect(newestRun(list, "test-staging")?.metadata.name).toBe("test-staging-new");
        expect(newestRun(list, "promote-model", { "target-environment": "production" })?.metadata.name).toBe("promote-model-p");
        expect(newestRun(list, "promote-model")?.metadata.name).toBe("promote-model-c");
        expect(newestRun(list, "train-model")).toBeUndefined();
    });

    it("refuses a run that has not finished", () => {
        expect(unfinished(list[1])).toBe("workflow test-staging-new is still Running; wait for it to finish");
        expect(unfinished(list[0])).toBeUndefined();
        expect(unfinished({ metadata: { name: "w" } })).toMatch(/still Pending/);
    });

    it("refuses a model version trained with another scenario than the stage's", () => {
        expect(scenarioMismatch("after-oversized", "4", { scenario: "oversized" })).toBeUndefined();
        expect(scenarioMismatch("after-oversized", "4", { scenario: "normal" })).toMatch(
            /model version 4 was trained with scenario normal, not oversized: run train-model with -p scenario=oversized/,
        );
        expect(scenarioMismatch("after-normal", "4", {})).toMatch(/\(no scenario tag\)/);
        expect(scenarioMismatch("after-production", "4", {})).toBeUndefined();
    });
});
