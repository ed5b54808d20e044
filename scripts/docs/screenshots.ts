/**
 * What the tutorial's screenshots show and where they come from: argument parsing, the URLs of
 * every page, the choice of which workflow run to photograph, and the file each picture lands
 * in. Pure (no network, no browser), so it is unit-tested; capture-screenshots.ts drives the
 * browser with what these functions return.
 */
import { model, namespaces, trainingScenarios, workflowTemplates, type TrainingScenario } from "../../vocabulary/names";
import { platformUrls, type PlatformUrls } from "../../infra/platform/urls";
import { testStagingSteps } from "../../pipeline/templates/test-staging";

/** The moments of the lab run the pictures are taken at, in the order the tutorial reaches them. */
export const stages = ["after-normal", "after-bad-architecture", "after-oversized", "after-production"] as const;
export type Stage = (typeof stages)[number];

export class CaptureUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CaptureUsageError";
    }
}

export type SiteUrls = Pick<PlatformUrls, "argoWorkflows" | "mlflow" | "staging" | "canary" | "production">;

export interface CaptureOptions {
    readonly stage: Stage;
    readonly urls: SiteUrls;
    readonly outDir: string;
    /** `Bearer <token>`, as the Argo Workflows UI's login box and Authorization header take it. */
    readonly argoToken: string;
    readonly mlflowUsername: string;
    readonly mlflowPassword: string;
    /** A test-staging workflow to photograph instead of the newest one. */
    readonly testStagingWorkflow?: string;
    readonly chromium: string;
    readonly timeoutMs: number;
    readonly viewport: { readonly width: number; readonly height: number };
}

export const defaultOutDir = "docs/lab/images";
export const defaultChromium = "/usr/bin/chromium";

const valueFlags = [
    "stage",
    "address",
    "argo-url",
    "mlflow-url",
    "staging-url",
    "canary-url",
    "production-url",
    "out",
    "test-staging-workflow",
    "chromium",
    "timeout-s",
    "width",
    "height",
] as const;
type ValueFlag = (typeof valueFlags)[number];

/** Every flag the script accepts, for the usage text and the tutorial's check. */
export const captureFlags: readonly string[] = [...valueFlags, "help"];

export const captureUsage = `usage: npm run docs:screenshots -- --stage STAGE (--address HOST | --argo-url URL --mlflow-url URL --staging-url URL --canary-url URL --production-url URL)
         [--out ${defaultOutDir}] [--test-staging-workflow NAME] [--chromium ${defaultChromium}] [--timeout-s 60] [--width 1440] [--height 900]
  STAGE: ${stages.join(" | ")}
  --address HOST        the lab's public address (stack output publicAddress); every URL follows from it
  --*-url URL           override one URL (e.g. behind an SSH tunnel)
environment:
  ARGO_TOKEN                 required: pulumi stack output argoWorkflowsToken --show-secrets
  MLFLOW_TRACKING_PASSWORD   required: pulumi stack output mlflowAdminPassword --show-secrets
  MLFLOW_TRACKING_USERNAME   default admin
`;

function parseArgv(argv: readonly string[]): { flags: Map<ValueFlag, string>; help: boolean } {
    const flags = new Map<ValueFlag, string>();
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const token = argv[i];
        if (token === "--help" || token === "-h") {
            help = true;
            continue;
        }
        if (!token.startsWith("--")) throw new CaptureUsageError(`unexpected argument "${token}"; flags look like --name value`);
        const eq = token.indexOf("=");
        const name = (eq === -1 ? token.slice(2) : token.slice(2, eq)) as ValueFlag;
        if (!(valueFlags as readonly string[]).includes(name)) {
            throw new CaptureUsageError(`unknown flag --${name}; allowed: ${captureFlags.map((f) => `--${f}`).join(", ")}`);
        }
        let value: string | undefined;
        if (eq !== -1) {
            value = token.slice(eq + 1);
        } else {
            value = argv[++i];
            if (value === undefined || value.startsWith("--")) throw new CaptureUsageError(`--${name} needs a value`);
        }
        if (flags.has(name)) throw new CaptureUsageError(`--${name} was given twice`);
        flags.set(name, value);
    }
    return { flags, help };
}

function httpUrl(flag: string, raw: string): string {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new CaptureUsageError(`--${flag} must be an absolute http:// or https:// URL, got "${raw}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new CaptureUsageError(`--${flag} must use http:// or https://, got "${url.protocol}"`);
    }
    if (url.username || url.password) throw new CaptureUsageError(`--${flag} must not carry credentials; they come from the environment`);
    if (url.search || url.hash) throw new CaptureUsageError(`--${flag} must be a base URL without query or fragment, got "${raw}"`);
    return url.href.replace(/\/+$/, "");
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new CaptureUsageError(`--${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
}

const urlFlags: Record<keyof SiteUrls, ValueFlag> = {
    argoWorkflows: "argo-url",
    mlflow: "mlflow-url",
    staging: "staging-url",
    canary: "canary-url",
    production: "production-url",
};

function siteUrls(flags: Map<ValueFlag, string>): SiteUrls {
    const address = flags.get("address");
    let fromAddress: PlatformUrls | undefined;
    if (address !== undefined) {
        try {
            fromAddress = platformUrls(address);
        } catch (error) {
            throw new CaptureUsageError(`--address must be a host name or IP address: ${(error as Error).message}`);
        }
    }
    const urls = {} as Record<keyof SiteUrls, string>;
    const missing: string[] = [];
    for (const [key, flag] of Object.entries(urlFlags) as [keyof SiteUrls, ValueFlag][]) {
        const raw = flags.get(flag) ?? fromAddress?.[key];
        if (raw === undefined) missing.push(`--${flag}`);
        else urls[key] = httpUrl(flag, raw);
    }
    if (missing.length > 0) throw new CaptureUsageError(`give --address, or every one of ${missing.join(", ")}`);
    return urls;
}

/** The Argo UI and API take the token with its scheme; the stack output already carries it. */
export function bearer(token: string): string {
    const trimmed = token.trim();
    return /^Bearer\s/i.test(trimmed) ? trimmed : `Bearer ${trimmed}`;
}

/** Flags and environment → options; `help` when only usage was asked for. */
export function parseCaptureArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CaptureOptions | "help" {
    const { flags, help } = parseArgv(argv);
    if (help) return "help";
    const stage = flags.get("stage");
    if (stage === undefined) throw new CaptureUsageError(`--stage is required: one of ${stages.join(", ")}`);
    if (!(stages as readonly string[]).includes(stage)) {
        throw new CaptureUsageError(`--stage must be one of ${stages.join(", ")}, got "${stage}"`);
    }
    const urls = siteUrls(flags);
    const token = env.ARGO_TOKEN?.trim();
    if (!token) throw new CaptureUsageError("ARGO_TOKEN is not set: export ARGO_TOKEN=\"$(pulumi stack output argoWorkflowsToken --show-secrets)\"");
    const password = env.MLFLOW_TRACKING_PASSWORD;
    if (!password) {
        throw new CaptureUsageError("MLFLOW_TRACKING_PASSWORD is not set: export MLFLOW_TRACKING_PASSWORD=\"$(pulumi stack output mlflowAdminPassword --show-secrets)\"");
    }
    const workflow = flags.get("test-staging-workflow");
    if (workflow !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(workflow)) {
        throw new CaptureUsageError(`--test-staging-workflow must be a workflow name such as test-staging-x7k2p, got "${workflow}"`);
    }
    if (workflow !== undefined && stage === "after-production") {
        throw new CaptureUsageError("--test-staging-workflow does not apply to --stage after-production, which photographs promote-model");
    }
    return {
        stage: stage as Stage,
        urls,
        outDir: flags.get("out") ?? defaultOutDir,
        argoToken: bearer(token),
        mlflowUsername: env.MLFLOW_TRACKING_USERNAME?.trim() || "admin",
        mlflowPassword: password,
        testStagingWorkflow: workflow,
        chromium: flags.get("chromium") ?? defaultChromium,
        timeoutMs: integer("timeout-s", flags.get("timeout-s"), 60, 5, 1800) * 1000,
        viewport: { width: integer("width", flags.get("width"), 1440, 320, 7680), height: integer("height", flags.get("height"), 900, 240, 4320) },
    };
}

/** Headless, and nothing Chromium would otherwise fetch or remember on its own. */
export function chromiumArgs(userDataDir: string): string[] {
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${userDataDir}`,
    ];
}

/** The scenario whose run a stage photographs (none for the manual production step). */
export function scenarioOf(stage: Stage): TrainingScenario | undefined {
    const scenario = stage.replace(/^after-/, "");
    return (trainingScenarios as readonly string[]).includes(scenario) ? (scenario as TrainingScenario) : undefined;
}

// --- URLs -------------------------------------------------------------------------------------

const argoNs = namespaces.workflows;

export const argoUi = {
    workflow: (base: string, name: string) => `${base}/workflows/${argoNs}/${encodeURIComponent(name)}`,
    workflowTemplates: (base: string) => `${base}/workflow-templates/${argoNs}`,
    cronWorkflow: (base: string, name: string) => `${base}/cron-workflows/${argoNs}/${encodeURIComponent(name)}`,
};

export const argoApi = {
    /** Every workflow in the pipeline's namespace; the script picks the runs it needs. */
    workflows: (base: string) => `${base}/api/v1/workflows/${argoNs}`,
};

export const mlflowUi = {
    model: (base: string) => `${base}/#/models/${encodeURIComponent(model.name)}`,
    version: (base: string, version: string) => `${base}/#/models/${encodeURIComponent(model.name)}/versions/${encodeURIComponent(version)}`,
};

export const mlflowApi = {
    registeredModel: (base: string) => `${base}/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(model.name)}`,
    modelVersion: (base: string, version: string) =>
        `${base}/api/2.0/mlflow/model-versions/get?name=${encodeURIComponent(model.name)}&version=${encodeURIComponent(version)}`,
};

export function appVersionUrl(environmentBase: string): string {
    return `${environmentBase}/version`;
}

// --- choosing the runs ------------------------------------------------------------------------

/** The fields of an Argo Workflow the script reads (GET /api/v1/workflows/{namespace}). */
export interface WorkflowSummary {
    metadata: { name: string; creationTimestamp?: string };
    spec?: { workflowTemplateRef?: { name?: string }; arguments?: { parameters?: { name: string; value?: string }[] } };
    status?: { phase?: string };
}

export function parameterOf(workflow: WorkflowSummary, name: string): string | undefined {
    return workflow.spec?.arguments?.parameters?.find((p) => p.name === name)?.value;
}

/** The newest run of a template, optionally only those whose parameters match. */
export function newestRun(
    workflows: readonly WorkflowSummary[],
    template: string,
    parameters: Readonly<Record<string, string>> = {},
): WorkflowSummary | undefined {
    return workflows
        .filter((w) => w.spec?.workflowTemplateRef?.name === template)
        .filter((w) => Object.entries(parameters).every(([name, value]) => parameterOf(w, name) === value))
        .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""))[0];
}

const finishedPhases = ["Succeeded", "Failed", "Error"];

/** A run still in progress would be photographed half-drawn; refuse it and say so. */
export function unfinished(workflow: WorkflowSummary): string | undefined {
    const phase = workflow.status?.phase ?? "Pending";
    return finishedPhases.includes(phase) ? undefined : `workflow ${workflow.metadata.name} is still ${phase}; wait for it to finish`;
}

/**
 * The training image tags every registered version with its scenario, so a picture of the
 * wrong run (a cron run, a retry of another scenario) is caught before it is taken.
 */
export function scenarioMismatch(stage: Stage, version: string, tags: Readonly<Record<string, string>>): string | undefined {
    const wanted = scenarioOf(stage);
    if (!wanted) return undefined;
    const actual = tags.scenario;
    if (actual === wanted) return undefined;
    return `model version ${version} was trained with scenario ${actual ?? "(no scenario tag)"}, not ${wanted}: run train-model with -p scenario=${wanted} first, or name the run with --test-staging-workflow`;
}

// --- the pictures -----------------------------------------------------------------------------

export type Site = "argo" | "mlflow" | "app";

export interface Shot {
    readonly file: string;
    readonly site: Site;
    readonly url: string;
    /** Texts that must be on the page before the picture is taken. */
    readonly waitFor: readonly string[];
    /** A line printed above the page, e.g. the URL of a JSON answer (headless has no address bar). */
    readonly caption?: string;
}

export interface FoundRuns {
    /** The run the stage is about: test-staging for a scenario, promote-model for production. */
    readonly subject: { readonly name: string; readonly version: string };
    readonly trainModel?: string;
    readonly buildContainerImage?: string;
}

/** Every picture one stage produces; file names are what the tutorial links to. */
export function planShots(o: Pick<CaptureOptions, "stage" | "urls">, runs: FoundRuns): Shot[] {
    const { stage, urls } = o;
    const scenario = scenarioOf(stage);
    const shots: Shot[] = [];
    const app = (env: "staging" | "canary" | "production"): Shot => {
        const url = appVersionUrl(urls[env]);
        return { file: `app-version-${env}-${stage}.png`, site: "app", url, waitFor: ["model_version"], caption: `GET ${url}` };
    };
    if (stage === "after-normal") {
        shots.push(
            { file: "argo-workflow-templates.png", site: "argo", url: argoUi.workflowTemplates(urls.argoWorkflows), waitFor: [workflowTemplates.testStaging] },
            {
                file: "argo-cron-train-model-cron.png",
                site: "argo",
                url: argoUi.cronWorkflow(urls.argoWorkflows, workflowTemplates.trainModelCron),
                waitFor: [workflowTemplates.trainModelCron],
            },
        );
        if (runs.trainModel) {
            shots.push({ file: "argo-train-model-normal.png", site: "argo", url: argoUi.workflow(urls.argoWorkflows, runs.trainModel), waitFor: [runs.trainModel] });
        }
        if (runs.buildContainerImage) {
            shots.push({
                file: "argo-build-container-image-normal.png",
                site: "argo",
                url: argoUi.workflow(urls.argoWorkflows, runs.buildContainerImage),
                waitFor: [runs.buildContainerImage],
            });
        }
    }
    if (scenario) {
        shots.push({
            file: `argo-test-staging-${scenario}.png`,
            site: "argo",
            url: argoUi.workflow(urls.argoWorkflows, runs.subject.name),
            waitFor: [runs.subject.name, testStagingSteps.rollOut],
        });
        shots.push({
            file: `mlflow-version-${scenario}.png`,
            site: "mlflow",
            url: mlflowUi.version(urls.mlflow, runs.subject.version),
            waitFor: [`Version ${runs.subject.version}`],
        });
    } else {
        shots.push({
            file: "argo-promote-model-production.png",
            site: "argo",
            url: argoUi.workflow(urls.argoWorkflows, runs.subject.name),
            waitFor: [runs.subject.name],
        });
    }
    shots.push({ file: `mlflow-versions-${stage}.png`, site: "mlflow", url: mlflowUi.model(urls.mlflow), waitFor: [model.name] });
    shots.push(app("staging"), app("canary"));
    if (!scenario) shots.push(app("production"));
    return shots;
}

/** Every file name any stage can write, for the tutorial's check that each image it shows has a source. */
export function allShotFiles(): string[] {
    const urls: SiteUrls = { argoWorkflows: "https://a", mlflow: "http://a", staging: "http://a", canary: "http://a", production: "http://a" };
    const runs: FoundRuns = { subject: { name: "w", version: "1" }, trainModel: "t", buildContainerImage: "b" };
    return [...new Set(stages.flatMap((stage) => planShots({ stage, urls }, runs).map((s) => s.file)))].sort();
}
