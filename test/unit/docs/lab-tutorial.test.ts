/**
 * The student tutorial (docs/lab) shows commands, names, numbers and excerpts of what the lab
 * installs. This test reads its markdown and checks each one against the program itself, run
 * for the chameleon stack under Pulumi mocks: a renamed template, parameter, gate flag, config
 * key, stack output or npm script, a changed default, or a changed `when`, fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { clusterConfig } from "../../../infra/config/cluster";
import { defaultAppResources, environmentMutexName, environments, namespaces, publishedPorts, releaseRecord } from "../../../vocabulary/names";
import { platformConfig } from "../../../infra/platform/config";
import { platformUrls } from "../../../infra/platform/urls";
import { argoWorkflowsVersion } from "../../../vocabulary/versions";
import { normalModelMemory, smallestAppMemoryLimitMiB } from "../../../pipeline/app-memory";
import { pipelineConfig } from "../../../pipeline/config";
import { githubEventSource, trainOnPushSensor } from "../../../pipeline/events/github-trigger";
import { UsageError } from "../../../pipeline/gates/args";
import { commands } from "../../../pipeline/gates/commands";
import { allShotFiles, captureFlags } from "../../../scripts/docs/screenshots";
import { type ProgramRun, repoRoot, runProgram, stacksDir } from "../../support/program";
import { readProject } from "../../support/project-config";

// --- the tutorial's markdown ------------------------------------------------------------------

const labDir = path.join(repoRoot, "docs", "lab");
const pages = fs
    .readdirSync(labDir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((file) => ({ file, text: fs.readFileSync(path.join(labDir, file), "utf8") }));
const page = (file: string) => pages.find((p) => p.file === file)!.text;
const allText = pages.map((p) => p.text).join("\n");

interface Block {
    readonly file: string;
    readonly lang: string;
    readonly body: string;
    readonly line: number;
}

const blocks: Block[] = pages.flatMap(({ file, text }) =>
    [...text.matchAll(/^[ \t]*```([^\n]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm)].map((m) => ({
        file,
        lang: m[1].trim(),
        body: m[2],
        line: text.slice(0, m.index).split("\n").length,
    })),
);
const where = (b: Block) => `${b.file}:${b.line}`;

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingSlugs(text: string): string[] {
    return [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1].toLowerCase().replace(/[^a-z0-9 -]/g, "").trim().replace(/ /g, "-"),
    );
}

/** Shell lines of every sh block: continuations joined, comments and blank lines dropped. */
const shellLines: { at: string; words: string[] }[] = blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) =>
        b.body
            .replace(/\\\n\s*/g, " ")
            .split("\n")
            .map((line, i) => ({ at: `${b.file}:${b.line + 1 + i}`, words: shellWords(line) }))
            .filter((l) => l.words.length > 0),
    );

/** Splits a shell line into words as the shell would (quotes kept out), up to a comment. */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let current = "";
    let quote: string | undefined;
    let inWord = false;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else current += c;
            continue;
        }
        if (c === "'" || c === '"') {
            quote = c;
            inWord = true;
        } else if (/\s/.test(c)) {
            if (inWord) words.push(current);
            current = "";
            inWord = false;
        } else if (c === "#" && !inWord) {
            break;
        } else {
            current += c;
            inWord = true;
        }
    }
    if (inWord) words.push(current);
    return words;
}

/** Commands a line runs, split at pipes and `&&`. */
function commandsOf(words: string[]): string[][] {
    const out: string[][] = [[]];
    for (const w of words) {
        if (w === "|" || w === "&&" || w === ";") out.push([]);
        else out[out.length - 1].push(w);
    }
    return out.filter((c) => c.length > 0);
}

const shellCommands = shellLines.flatMap((l) => commandsOf(l.words).map((words) => ({ at: l.at, words })));
const commandsNamed = (name: string) => shellCommands.filter((c) => c.words[0] === name);

/** A placeholder the reader fills in: N, <id>, a URN with "...". */
const isPlaceholder = (value: string) => /^(N|N\+1)$|<[^>]+>|\.\.\./.test(value);

// --- what the program installs and reads ------------------------------------------------------

interface Parameter {
    name: string;
    value?: string;
    enum?: string[];
}
interface Rendered {
    metadata: { name: string };
    spec: Record<string, any>;
}

let run: ProgramRun;
let templates: Map<string, Rendered>;
let crons: Map<string, Rendered>;
beforeAll(async () => {
    run = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"));
    const ofKind = (kind: string) =>
        new Map(
            run.resources
                .filter((r) => r.type === `kubernetes:argoproj.io/v1alpha1:${kind}`)
                .map((r) => [r.inputs.metadata.name as string, { metadata: r.inputs.metadata, spec: r.inputs.spec } as Rendered]),
        );
    templates = ofKind("WorkflowTemplate");
    crons = ofKind("CronWorkflow");
});

const parametersOf = (t: Rendered): Parameter[] => t.spec.arguments?.parameters ?? [];

/** Step names of a template's entrypoint, in order. */
function entrySteps(t: Rendered): string[] {
    const entry = t.spec.templates.find((x: any) => x.name === t.spec.entrypoint);
    return (entry?.steps ?? []).flat().map((s: any) => s.name as string);
}

const configKeys = new Set(
    [clusterConfig, platformConfig, pipelineConfig].flatMap((section) => Object.keys(section.keys)),
);

const scripts = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/**
 * The flags each gate command accepts, asked of the command itself: every command parses its
 * flags first, and an unknown one is refused with the list of those it knows.
 */
async function gateFlagsOf(command: string): Promise<string[]> {
    try {
        await commands[command].run(["--zz-probe", "x"]);
    } catch (error) {
        const allowed = error instanceof UsageError ? /unknown flag --zz-probe; allowed: (.*)$/.exec(error.message) : null;
        if (allowed) return allowed[1].split(", ").map((f) => f.replace(/^--/, ""));
        throw new Error(`gate ${command} did not refuse an unknown flag with its list of flags: ${String(error)}`, { cause: error });
    }
    throw new Error(`gate ${command} accepted an unknown flag`);
}

/**
 * The Pulumi CLI commands the tutorial uses and the flags each one has (pulumi.com CLI
 * reference); the longest matching subcommand wins.
 */
const pulumiCommands: Record<string, string[]> = {
    "stack output": ["--show-secrets", "--json", "--stack"],
    "stack select": [],
    "stack init": [],
    "stack rm": ["--force", "--stack", "--yes"],
    stack: ["--show-urns", "--stack"],
    "config set": ["--secret", "--stack"],
    "config rm": ["--stack"],
    preview: ["--stack", "--policy-pack", "--policy-pack-config"],
    up: ["--stack", "--yes"],
    refresh: ["--stack", "--yes"],
    destroy: ["--stack", "--remove", "--continue-on-error", "--yes"],
    "state delete": ["--target-dependents", "--all", "--force", "--stack", "--yes"],
    login: ["--local"],
};

/** `argo` CLI subcommands used, and the flags they take here. */
const argoFlags = ["-n", "--from", "-p", "--watch", "--completed"];

// --- deep "excerpt of" comparison ------------------------------------------------------------

/** Whether `excerpt` is part of `actual`: objects by key, lists as ordered subsequences. */
function contains(actual: unknown, excerpt: unknown, at = "$"): string | undefined {
    if (Array.isArray(excerpt)) {
        if (!Array.isArray(actual)) return `${at}: expected a list`;
        let from = 0;
        for (const [i, item] of excerpt.entries()) {
            let found = -1;
            for (let j = from; j < actual.length; j++) {
                if (contains(actual[j], item, `${at}[${j}]`) === undefined) {
                    found = j;
                    break;
                }
            }
            if (found < 0) return `${at}[${i}]: ${JSON.stringify(item)} is not in ${JSON.stringify(actual.slice(from)).slice(0, 400)}`;
            from = found + 1;
        }
        return undefined;
    }
    if (excerpt !== null && typeof excerpt === "object") {
        if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${at}: expected an object`;
        for (const [key, value] of Object.entries(excerpt)) {
            if (!(key in (actual as object))) return `${at}.${key}: not in the installed object`;
            const problem = contains((actual as Record<string, unknown>)[key], value, `${at}.${key}`);
            if (problem) return problem;
        }
        return undefined;
    }
    return String(actual) === String(excerpt) ? undefined : `${at}: the tutorial says ${JSON.stringify(excerpt)}, installed is ${JSON.stringify(actual)}`;
}

// --- the checks --------------------------------------------------------------------------------

describe("the lab tutorial's markdown", () => {
    it("has the pages the README links to, and code blocks this test can read", () => {
        expect(pages.map((p) => p.file)).toEqual(["README.md", "operating.md", "part-1.md", "part-2.md", "troubleshooting.md"]);
        for (const b of blocks) expect(["sh", "yaml", "json", "mermaid"], `${where(b)} needs a language`).toContain(b.lang);
        expect(shellCommands.length).toBeGreaterThan(40);
        for (const file of pages.map((p) => p.file)) {
            expect(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")).toContain(`docs/lab/${file === "README.md" ? "README.md" : file}`);
        }
    });

    it("links only to pages and sections that exist", () => {
        for (const { file, text } of pages) {
            for (const [, target, anchor] of text.matchAll(/\]\(([a-z0-9-]+\.md)?(?:#([a-z0-9-]+))?\)/g)) {
                const linked = target ?? file;
                expect(pages.map((p) => p.file), `${file} links to ${linked}`).toContain(linked);
                if (anchor) {
                    expect(headingSlugs(page(linked)), `${file} links to ${linked}#${anchor}`).toContain(anchor);
                }
            }
        }
    });

    it("links to the project's other pages and their sections as they are", () => {
        let links = 0;
        for (const { file, text } of pages) {
            for (const [, target, anchor] of text.matchAll(/\]\((\.\.\/[a-z0-9./-]+\.md)(?:#([a-z0-9-]+))?\)/g)) {
                const linked = path.resolve(labDir, target);
                expect(fs.existsSync(linked), `${file} links to ${target}`).toBe(true);
                if (anchor) expect(headingSlugs(fs.readFileSync(linked, "utf8")), `${file} links to ${target}#${anchor}`).toContain(anchor);
                links++;
            }
        }
        expect(links).toBeGreaterThan(0);
    });

    it("shows only pictures the screenshot script takes", () => {
        const shown = [...allText.matchAll(/!\[[^\]]*\]\(images\/([^)]+)\)/g)].map((m) => m[1]);
        expect(shown.length).toBeGreaterThan(10);
        const taken = allShotFiles();
        for (const file of shown) expect(taken, `docs/lab shows images/${file}`).toContain(file);
        // Each scenario's test-staging graph, as the acceptance criteria ask.
        for (const scenario of ["normal", "bad-architecture", "oversized"]) expect(shown).toContain(`argo-test-staging-${scenario}.png`);
    });
});

describe("the lab tutorial's commands", () => {
    it("submit existing WorkflowTemplates and CronWorkflows with their real parameters and allowed values", () => {
        const submits = commandsNamed("argo").filter((c) => c.words[1] === "submit");
        expect(submits.length).toBeGreaterThan(8);
        for (const { at, words } of submits) {
            const from = words[words.indexOf("--from") + 1];
            expect(from, `${at}: argo submit --from`).toMatch(/^(workflowtemplate|cronwf)\/[a-z0-9-]+$/);
            const [kind, name] = from.split("/");
            let parameters: Parameter[];
            if (kind === "cronwf") {
                expect([...crons.keys()], `${at}: no CronWorkflow ${name}`).toContain(name);
                parameters = parametersOf(templates.get(crons.get(name)!.spec.workflowSpec.workflowTemplateRef.name)!);
            } else {
                expect([...templates.keys()], `${at}: no WorkflowTemplate ${name}`).toContain(name);
                parameters = parametersOf(templates.get(name)!);
            }
            const given = words.flatMap((w, i) => (words[i - 1] === "-p" ? [w] : []));
            for (const assignment of given) {
                const [key, ...rest] = assignment.split("=");
                const value = rest.join("=");
                const parameter = parameters.find((p) => p.name === key);
                expect(parameter, `${at}: ${name} has no parameter ${key}; it has ${parameters.map((p) => p.name).join(", ")}`).toBeDefined();
                if (parameter?.enum && !isPlaceholder(value)) expect(parameter.enum, `${at}: ${key}=${value}`).toContain(value);
            }
            // Every parameter without a default must be given.
            for (const p of parameters.filter((p) => p.value === undefined)) {
                expect(given.map((g) => g.split("=")[0]), `${at}: ${name} needs -p ${p.name}`).toContain(p.name);
            }
        }
    });

    it("name the workflows namespace, existing templates and cron workflows, and real argo flags", () => {
        const argo = commandsNamed("argo");
        for (const { at, words } of argo) {
            expect(words, `${at}: ${words.join(" ")} names no namespace`).toContain("-n");
            expect(words[words.indexOf("-n") + 1], `${at}: ${words.join(" ")}`).toBe(namespaces.workflows);
            for (const flag of words.filter((w) => w.startsWith("-"))) expect(argoFlags, `${at}: argo flag ${flag}`).toContain(flag);
            const positional = words.filter((w, i) => !w.startsWith("-") && !["-n", "--from", "-p"].includes(words[i - 1] ?? ""));
            if (words[1] === "cron" && ["get", "suspend", "resume"].includes(words[2])) {
                expect([...crons.keys()], at).toContain(positional[3]);
            }
            if (words[1] === "template" && words[2] === "get") expect([...templates.keys()], at).toContain(positional[3]);
        }
        expect(argo.some((c) => c.words[1] === "cron")).toBe(true);
    });

    it("read stack outputs the program exports", () => {
        const named = [...allText.matchAll(/pulumi stack output ([A-Za-z][\w]*)/g)].map((m) => m[1]);
        expect(named.length).toBeGreaterThan(5);
        for (const name of named) expect(Object.keys(run.outputs), `pulumi stack output ${name}`).toContain(name);
        // The secrets the pages tell students to read with --show-secrets are secret outputs.
        for (const [, name] of allText.matchAll(/pulumi stack output ([A-Za-z]\w*) --show-secrets/g)) {
            expect(["kubeconfig", "argoWorkflowsToken", "mlflowAdminPassword"], name).toContain(name);
        }
    });

    it("set only config keys the program reads", () => {
        const keys = [...allText.matchAll(/\bgourmetgram:([A-Za-z][A-Za-z0-9]*)\b/g)].map((m) => m[1]);
        expect(keys.length).toBeGreaterThan(15);
        for (const key of keys) expect([...configKeys], `gourmetgram:${key}`).toContain(key);
    });

    it("use pulumi subcommands and flags that exist", () => {
        const pulumi = commandsNamed("pulumi");
        expect(pulumi.length).toBeGreaterThan(10);
        for (const { at, words } of pulumi) {
            const sub = Object.keys(pulumiCommands)
                .filter((s) => words.slice(1, 1 + s.split(" ").length).join(" ") === s)
                .sort((a, b) => b.length - a.length)[0];
            expect(sub, `${at}: pulumi ${words.slice(1).join(" ")}`).toBeDefined();
            for (const flag of words.filter((w) => w.startsWith("--"))) expect(pulumiCommands[sub], `${at}: pulumi ${sub} ${flag}`).toContain(flag);
            if (sub === "config set" || sub === "config rm") {
                const key = words.find((w) => w.startsWith("gourmetgram:"));
                expect(key, `${at}: a namespaced key`).toBeDefined();
            }
        }
    });

    it("run npm scripts that exist, and the gate CLI with its real commands and flags", async () => {
        const gateFlags = Object.fromEntries(await Promise.all(Object.keys(commands).map(async (c) => [c, await gateFlagsOf(c)] as const)));
        expect(gateFlags.integration).toEqual(expect.arrayContaining(["url", "expect-version", "wait-s"]));
        const npm = commandsNamed("npm");
        expect(npm.length).toBeGreaterThan(2);
        for (const { at, words } of npm) {
            expect(words[1], at).toBe("run");
            expect(Object.keys(scripts), `${at}: npm run ${words[2]}`).toContain(words[2]);
            const args = words.slice(words.indexOf("--") + 1);
            const flags = args.filter((w) => w.startsWith("--")).map((w) => w.slice(2).split("=")[0]);
            if (words[2] === "gate") {
                expect(Object.keys(commands), `${at}: gate ${args[0]}`).toContain(args[0]);
                for (const flag of flags) expect([...gateFlags[args[0]], "report"], `${at}: gate ${args[0]} --${flag}`).toContain(flag);
            }
            if (words[2] === "docs:screenshots") for (const flag of flags) expect(captureFlags, `${at}: --${flag}`).toContain(flag);
        }
    });

    it("name namespaces that exist", () => {
        const known = Object.values(namespaces) as string[];
        for (const { at, words } of [...commandsNamed("kubectl"), ...commandsNamed("argo")]) {
            words.forEach((w, i) => {
                if (w === "-n" || w === "--namespace") expect(known, `${at}: ${words.join(" ")}`).toContain(words[i + 1]);
            });
        }
        for (const [, ns] of allText.matchAll(/`(gourmetgram-[a-z]+)`/g)) {
            if (/^gourmetgram-(platform|staging|canary|production)$/.test(ns)) expect(known).toContain(ns);
        }
    });

    it("name the release record the pipeline keeps", () => {
        const named = [...allText.matchAll(/`(gourmetgram-release-[a-z]+)`/g)].map((m) => m[1]);
        expect(named.length).toBeGreaterThan(0);
        for (const name of named) expect(name).toBe(releaseRecord.configMap);
        expect(page("part-2.md").replace(/\s+/g, " ")).toContain(`ConfigMap \`${releaseRecord.configMap}\` in the \`${releaseRecord.namespace}\` namespace`);
    });

    it("name the environments' locks as the templates take them", () => {
        const locks = [...allText.matchAll(/`(gourmetgram-[a-z]+-release)`/g)].map((m) => m[1]);
        expect(locks.length).toBeGreaterThan(0);
        for (const lock of locks) expect(environments.map(environmentMutexName)).toContain(lock);
    });

    it("give every environment the address the lab publishes it on", () => {
        const urls = platformUrls("A.B.C.D");
        const ports = publishedPorts.map((p) => String(p.port));
        for (const [, port] of allText.matchAll(/A\.B\.C\.D:(\d+)/g)) expect(ports, `port ${port}`).toContain(port);
        const table = page("part-2.md").split("\n");
        for (const env of ["staging", "canary", "production"] as const) {
            const row = table.find((l) => l.startsWith(`| ${env} |`));
            expect(row, env).toBeDefined();
            expect(row, env).toContain(`\`${urls[env]}\``);
        }
        for (const [key, label] of [["argoWorkflows", "Argo Workflows UI"], ["mlflow", "MLflow UI"], ["argoCd", "Argo CD UI"], ["app", "the app, as users reach it"]] as const) {
            const row = page("README.md").split("\n").find((l) => l.startsWith(`| ${label}`));
            expect(row, label).toContain(`\`${urls[key]}\``);
        }
    });
});

describe("the lab tutorial's excerpts and diagrams", () => {
    it("quote installed WorkflowTemplates and CronWorkflows exactly", () => {
        const excerpts = blocks.filter((b) => b.lang === "yaml" && /^# excerpt of (WorkflowTemplate|CronWorkflow) /.test(b.body));
        expect(excerpts.length).toBeGreaterThanOrEqual(4);
        for (const b of excerpts) {
            const [, kind, name] = /^# excerpt of (WorkflowTemplate|CronWorkflow) ([a-z0-9-]+)/.exec(b.body)!;
            const installed = (kind === "CronWorkflow" ? crons : templates).get(name);
            expect(installed, `${where(b)}: no ${kind} ${name}`).toBeDefined();
            expect(contains({ spec: installed!.spec }, parseYaml(b.body)), where(b)).toBeUndefined();
        }
    });

    it("show the GitHub trigger's EventSource and Sensor as the program builds them", () => {
        const objects = blocks.filter((b) => b.lang === "yaml").map((b) => parseYaml(b.body) as Record<string, any>);
        const source = objects.find((o) => o?.kind === "EventSource");
        const sensor = objects.find((o) => o?.kind === "Sensor");
        expect(source).toBeDefined();
        expect(sensor).toBeDefined();
        const repo = source!.spec.github[Object.keys(source!.spec.github)[0]].repositories[0];
        expect(source).toEqual(JSON.parse(JSON.stringify(githubEventSource(`${repo.owner}/${repo.names[0]}`))));
        expect(sensor).toEqual(JSON.parse(JSON.stringify(trainOnPushSensor())));
        expect(page("part-1.md")).toMatch(/Students: don't implement this/);
    });

    it("draw test-staging with exactly its steps, and the other graphs with their steps named", () => {
        const diagrams = blocks.filter((b) => b.lang === "mermaid");
        const exact = diagrams.filter((b) => /^%% graph of WorkflowTemplate /.test(b.body));
        expect(exact.length).toBeGreaterThanOrEqual(1);
        for (const b of exact) {
            const name = /^%% graph of WorkflowTemplate ([a-z0-9-]+)/.exec(b.body)![1];
            const ids = new Set(
                b.body
                    .split("\n")
                    .filter((l) => !/^\s*(%%|flowchart)/.test(l))
                    .flatMap((l) => [...l.matchAll(/(?:^|-->(?:\|[^|]*\|)?)\s*([A-Za-z][\w-]*)/g)].map((m) => m[1])),
            );
            expect([...ids].sort(), where(b)).toEqual(entrySteps(templates.get(name)!).sort());
        }
        const named = diagrams.filter((b) => /^%% steps of WorkflowTemplate /.test(b.body));
        expect(named.length).toBeGreaterThanOrEqual(1);
        for (const b of named) {
            const names = /^%% steps of WorkflowTemplate ([a-z0-9, -]+)/.exec(b.body)![1].split(",").map((s) => s.trim());
            for (const name of names) for (const step of entrySteps(templates.get(name)!)) expect(b.body, `${where(b)}: step ${step} of ${name}`).toContain(step);
        }
    });

    it("name every WorkflowTemplate the lab installs, and only real test-staging steps", () => {
        for (const name of templates.keys()) expect(page("part-1.md"), name).toContain(`\`${name}\``);
        const count = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"][templates.size];
        expect(page("part-1.md")).toMatch(new RegExp(`The lab installs ${count}:`));
        const steps = entrySteps(templates.get("test-staging")!);
        const mentioned = [...allText.matchAll(/`((?:revert-after|deploy|promote-to)-[a-z]+|[a-z]+-gate|mark-good)`/g)].map((m) => m[1]);
        expect(mentioned.length).toBeGreaterThan(10);
        for (const step of mentioned) expect(steps, step).toContain(step);
        // promote-model's steps, its checks before production included.
        const promote = templates.get("promote-model")!;
        const promoteSteps = promote.spec.templates.flatMap((t: any) => (t.steps ?? []).flat().map((x: any) => x.name as string));
        const named = [...page("part-2.md").matchAll(/`(check-canary-[a-z]+|retag-deploy-alias|wait-healthy)`/g)].map((m) => m[1]);
        expect(new Set(named).size).toBe(4);
        for (const step of named) expect(promoteSteps, step).toContain(step);
    });
});

describe("the lab tutorial's numbers and messages", () => {
    it("name the argo CLI release that matches the pinned Argo Workflows", () => {
        const release = /`argo` CLI \(release (v\d+\.\d+)/.exec(page("README.md"));
        expect(release?.[1]).toBe(argoWorkflowsVersion.replace(/^(v\d+\.\d+)\..*$/, "$1"));
    });

    it("quote the gate thresholds' stack keys with their declared defaults", () => {
        const declared = readProject().config;
        const rows = [...page("part-2.md").matchAll(/^\| `((?:gate|canary)[A-Za-z0-9]+)` \| ([^ |]+) \|/gm)];
        expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining(["gateLoadP95Ms", "canaryWindowSeconds"]));
        expect(rows.length).toBeGreaterThanOrEqual(12);
        for (const [, key, value] of rows) expect(String(declared[key]?.default), key).toBe(value);
    });

    it("quote the app's default limits and the measured memory budget", () => {
        const limits = /limits of `([^`]+)`\s+CPU and `([^`]+)` memory/.exec(page("part-2.md"));
        expect(limits?.slice(1)).toEqual([defaultAppResources.limits.cpu, defaultAppResources.limits.memory]);
        const budget = /about (\d+) MiB, plus about (\d+) MiB per request\s+in flight, and asks that the peak stay under (\d+)% of the limit/.exec(page("part-2.md"));
        expect(budget?.slice(1).map(Number)).toEqual([normalModelMemory.idleMiB, normalModelMemory.perRequestMiB, normalModelMemory.maxShareOfLimit * 100]);
        // The worked example: staging under the load gate's default concurrency.
        const example = /\((\d+) \+ (\d+) × (\d+)\) \/ ([\d.]+) = (\d+) MiB/.exec(page("part-2.md"));
        const concurrency = Number(readProject().config.gateLoadConcurrency.default);
        expect(example?.slice(1).map(Number)).toEqual([
            normalModelMemory.idleMiB,
            concurrency,
            normalModelMemory.perRequestMiB,
            normalModelMemory.maxShareOfLimit,
            smallestAppMemoryLimitMiB(concurrency),
        ]);
    });

    it("quote the training program's log lines", () => {
        const training = fs.readFileSync(path.join(repoRoot, "pipeline", "images", "train", "gourmetgram_train", "training.py"), "utf8");
        const quoted = [...page("part-1.md").matchAll(/`((?:not )?registered[^`]*)`/g)].map((m) => m[1]);
        expect(quoted).toHaveLength(2);
        for (const line of quoted) expect(training).toContain(line.replace(/\bN\b/, "%s"));
    });

    it("quote gate reasons the gates really give", () => {
        const sources = [
            ...fs.readdirSync(path.join(repoRoot, "pipeline", "gates"), { recursive: true, encoding: "utf8" }).map((f) => path.join("pipeline", "gates", f)),
            "pipeline/templates/test-staging.ts",
        ]
            .filter((f) => f.endsWith(".ts"))
            .map((f) => fs.readFileSync(path.join(repoRoot, f), "utf8"))
            .join("\n");
        const section = page("troubleshooting.md").split("## When a gate cannot decide")[1].split("\n## ")[0];
        const reasons = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
        expect(reasons.length).toBeGreaterThanOrEqual(5);
        for (const reason of reasons) {
            for (const fragment of reason.split("...").map((s) => s.trim()).filter((s) => s.length > 3 && s !== "(")) {
                expect(sources, `"${fragment}" from troubleshooting.md`).toContain(fragment);
            }
        }
    });
});
