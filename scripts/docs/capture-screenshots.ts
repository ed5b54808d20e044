/**
 * Photographs a running lab for the tutorial (docs/lab): the Argo Workflows graphs of one stage's
 * runs, MLflow's model versions and aliases, and each environment's /version, as PNG files in
 * docs/lab/images. Headless Chromium from the Debian package, driven by playwright-core (which
 * downloads no browser of its own).
 *
 *   export ARGO_TOKEN="$(pulumi stack output argoWorkflowsToken --show-secrets)"
 *   export MLFLOW_TRACKING_PASSWORD="$(pulumi stack output mlflowAdminPassword --show-secrets)"
 *   npm run docs:screenshots -- --stage after-normal --address "$(pulumi stack output publicAddress)"
 *
 * Run it once per stage, right after that stage's workflows finished (docs/lab/README.md).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { workflowTemplates } from "../../vocabulary/names";
import {
    argoApi,
    captureUsage,
    CaptureUsageError,
    chromiumArgs,
    type CaptureOptions,
    type FoundRuns,
    mlflowApi,
    newestRun,
    parameterOf,
    parseCaptureArgs,
    planShots,
    scenarioMismatch,
    scenarioOf,
    type Shot,
    type Site,
    unfinished,
    type WorkflowSummary,
} from "./screenshots";

/** Both Argo servers in the lab present a self-signed certificate (docs/platform.md). */
const acceptSelfSigned = new Agent({ connect: { rejectUnauthorized: false } });

async function getJson<T>(url: string, headers: Record<string, string>, what: string): Promise<T> {
    const response = await undiciFetch(url, { headers: { accept: "application/json", ...headers }, dispatcher: acceptSelfSigned });
    if (!response.ok) {
        const body = (await response.text()).slice(0, 300);
        throw new Error(`${what}: ${url} answered HTTP ${response.status}${body ? `: ${body}` : ""}`);
    }
    return (await response.json()) as T;
}

function mlflowAuth(o: CaptureOptions): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(`${o.mlflowUsername}:${o.mlflowPassword}`).toString("base64")}` };
}

async function versionTags(o: CaptureOptions, version: string): Promise<Record<string, string>> {
    const answer = await getJson<{ model_version?: { tags?: { key: string; value: string }[] } }>(
        mlflowApi.modelVersion(o.urls.mlflow, version),
        mlflowAuth(o),
        "MLflow model version",
    );
    return Object.fromEntries((answer.model_version?.tags ?? []).map((t) => [t.key, t.value]));
}

/** Finds the runs this stage photographs and refuses the wrong or unfinished ones. */
async function findRuns(o: CaptureOptions): Promise<FoundRuns> {
    const list = await getJson<{ items?: WorkflowSummary[] | null }>(
        argoApi.workflows(o.urls.argoWorkflows),
        { authorization: o.argoToken },
        "Argo Workflows",
    );
    const workflows = list.items ?? [];
    const scenario = scenarioOf(o.stage);
    let subject: WorkflowSummary | undefined;
    if (scenario) {
        subject = o.testStagingWorkflow
            ? workflows.find((w) => w.metadata.name === o.testStagingWorkflow)
            : newestRun(workflows, workflowTemplates.testStaging);
        if (!subject) throw new Error(o.testStagingWorkflow ? `no workflow ${o.testStagingWorkflow} in argo` : "no test-staging run yet: train a model first");
    } else {
        subject = newestRun(workflows, workflowTemplates.promoteModel, { "target-environment": "production" });
        if (!subject) throw new Error("no promote-model run to production yet: submit it first (docs/lab/part-2.md)");
    }
    const notDone = unfinished(subject);
    if (notDone) throw new Error(notDone);
    const version = parameterOf(subject, "model-version");
    if (!version) throw new Error(`workflow ${subject.metadata.name} has no model-version parameter`);
    if (scenario) {
        const mismatch = scenarioMismatch(o.stage, version, await versionTags(o, version));
        if (mismatch) throw new Error(mismatch);
    }
    const found: FoundRuns = {
        subject: { name: subject.metadata.name, version },
        trainModel: scenario === "normal" ? newestRun(workflows, workflowTemplates.trainModel, { scenario })?.metadata.name : undefined,
        buildContainerImage:
            scenario === "normal" ? newestRun(workflows, workflowTemplates.buildContainerImage, { "model-version": version })?.metadata.name : undefined,
    };
    return found;
}

/** A fresh profile per site: no cookies, cache or credentials carried from one site to another. */
async function withBrowser<T>(o: CaptureOptions, site: Site, use: (page: import("playwright-core").Page) => Promise<T>): Promise<T> {
    const { chromium } = await import("playwright-core");
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), `gourmetgram-shots-${site}-`));
    const args = chromiumArgs(profile).filter((a) => !a.startsWith("--user-data-dir="));
    // Playwright passes the profile directory itself (it refuses --user-data-dir among args).
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: o.chromium,
        headless: true,
        args,
        viewport: o.viewport,
        ignoreHTTPSErrors: site === "argo",
        ...(site === "mlflow"
            ? { httpCredentials: { username: o.mlflowUsername, password: o.mlflowPassword, origin: new URL(o.urls.mlflow).origin } }
            : {}),
        ...(site === "argo" ? { extraHTTPHeaders: { authorization: o.argoToken } } : {}),
    });
    try {
        if (site === "argo") {
            // What the UI's login box stores: the token in the `authorization` cookie.
            await context.addCookies([{ name: "authorization", value: o.argoToken, url: o.urls.argoWorkflows }]);
        }
        const page = context.pages()[0] ?? (await context.newPage());
        page.setDefaultTimeout(o.timeoutMs);
        return await use(page);
    } finally {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
    }
}

function escapeHtml(text: string): string {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A JSON answer, as the browser received it, under the request line (headless has no address bar). */
function answerPage(caption: string, status: number, body: string): string {
    let shown = body;
    try {
        shown = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
        // not JSON: shown as received
    }
    return `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff">
<div id="answer" style="display:inline-block;min-width:560px;font:15px monospace;border:1px solid #999">
<div style="padding:8px 12px;background:#eee;border-bottom:1px solid #999">${escapeHtml(caption)} → HTTP ${status}</div>
<pre style="margin:0;padding:12px">${escapeHtml(shown)}</pre></div></body>`;
}

async function take(o: CaptureOptions, shot: Shot): Promise<string> {
    const file = path.join(o.outDir, shot.file);
    await withBrowser(o, shot.site, async (page) => {
        const response = await page.goto(shot.url, { waitUntil: "load" });
        if (!response) throw new Error(`${shot.url}: no response`);
        if (response.status() >= 400) throw new Error(`${shot.url} answered HTTP ${response.status()}`);
        if (shot.caption) {
            // The body the browser just received, set out with the request it answers.
            const body = await response.text();
            for (const text of shot.waitFor) {
                if (!body.includes(text)) throw new Error(`${shot.url} answered without "${text}": ${body.slice(0, 200)}`);
            }
            await page.setContent(answerPage(shot.caption, response.status(), body));
            await page.locator("#answer").screenshot({ path: file });
            return;
        }
        for (const text of shot.waitFor) await page.getByText(text, { exact: false }).first().waitFor({ state: "visible" });
        // Graphs and tables finish drawing after their data arrives.
        await page.waitForTimeout(1500);
        await page.screenshot({ path: file, fullPage: shot.site !== "argo" });
    });
    return file;
}

export async function main(argv: readonly string[]): Promise<number> {
    let options: CaptureOptions | "help";
    try {
        options = parseCaptureArgs(argv, process.env);
    } catch (error) {
        if (error instanceof CaptureUsageError) {
            process.stderr.write(`docs:screenshots: ${error.message}\n${captureUsage}`);
            return 2;
        }
        throw error;
    }
    if (options === "help") {
        process.stderr.write(captureUsage);
        return 0;
    }
    if (!fs.existsSync(options.chromium)) {
        process.stderr.write(`docs:screenshots: no browser at ${options.chromium}; install the Debian package (apt-get install chromium) or pass --chromium PATH\n`);
        return 2;
    }
    fs.mkdirSync(options.outDir, { recursive: true });
    const runs = await findRuns(options);
    process.stderr.write(`stage ${options.stage}: ${runs.subject.name} (model version ${runs.subject.version})\n`);
    for (const shot of planShots(options, runs)) {
        const file = await take(options, shot);
        process.stderr.write(`  wrote ${file}  (${shot.url})\n`);
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`docs:screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
