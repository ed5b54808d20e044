/**
 * The contract between the templates and the gate CLI, checked on what the cluster would get:
 * every WorkflowTemplate is rendered through the program under Pulumi's mocks (as `npm run
 * render` does), and every step that runs the gate image has its argv, with Argo's placeholders
 * filled in as the step would see them, read by that command's own parser. A flag renamed or
 * removed on either side fails here, not in a workflow in the cluster.
 */
import { describe, expect, it } from "vitest";
import { defaultAppResources, environments } from "../../../vocabulary/names";
import { commands } from "../../../pipeline/gates/commands";
import { renderManifests } from "../../../pipeline/render/manifests";
import { installMocks, settled } from "../../support/mocks";
import { placeholdersIn, substitute } from "../../support/workflow-check/placeholders";

const gatesImage = "registry.example.test/gourmetgram-gates:contract";

interface GateStep {
    /** `<WorkflowTemplate>/<template>`. */
    readonly at: string;
    readonly args: string[];
}

/** The gate steps of every WorkflowTemplate the program creates for a stack with this config. */
async function renderedGateSteps(raw: Record<string, string> = {}): Promise<GateStep[]> {
    const recorded = installMocks({ stack: "contract" });
    const { Pipeline } = await import("../../../pipeline/component.js");
    const { loadStackConfig } = await import("../../../infra/config/load.js");
    const { pipelineConfig } = await import("../../../pipeline/config.js");
    new Pipeline("pipeline", {
        config: loadStackConfig("gourmetgram", raw, { pipeline: pipelineConfig }).pipeline,
        images: { gates: gatesImage, train: "registry.example.test/gourmetgram-train:contract" },
        stagingAppResources: defaultAppResources,
    });
    await settled(recorded);
    const templates = renderManifests(recorded).manifests.map((m) => m.manifest as any).filter((m) => m.kind === "WorkflowTemplate");
    return templates.flatMap((wt) =>
        (wt.spec.templates as any[])
            .filter((t) => t.container?.image === gatesImage)
            .map((t) => ({ at: `${wt.metadata.name}/${t.name}`, args: t.container.args as string[] })),
    );
}

/**
 * What a parameter holds when the step runs, by its name; a scenario per line of values. The
 * override is both given or both empty, as the CLI requires.
 */
const scenarios: Record<string, string>[] = [
    {
        version: "7",
        "model-version": "7",
        environment: "staging",
        "source-environment": "staging",
        "target-environment": "canary",
        reason: 'load gate Failed: {"verdict":"fail","reason":"p95 latency 2300 ms exceeds 2000 ms"}',
        "override-by": "",
        "override-reason": "",
    },
    ...environments.slice(1).map((env) => ({
        version: "12",
        "model-version": "12",
        environment: env,
        "source-environment": "canary",
        "target-environment": "production",
        reason: "-- a reason may start with dashes",
        "override-by": "ab1234",
        "override-reason": "503s came from a planned restart",
    })),
];

/** The argv as the step runs it; a placeholder without a representative value fails the test. */
function filledIn(step: GateStep, values: Record<string, string>): string[] {
    return step.args.map((arg) =>
        substitute(arg, (path) => {
            const match = /^(?:inputs|workflow)\.parameters\.([\w-]+)$/.exec(path);
            if (!match || !(match[1] in values)) throw new Error(`${step.at}: no representative value for {{${path}}}; add one to the scenarios`);
            return values[match[1]];
        }),
    );
}

/** The problems the command's own parser finds in the step's argv, empty when it accepts them. */
function refusals(step: GateStep, values: Record<string, string>): string[] {
    const [name, ...flags] = filledIn(step, values);
    const command = commands[name];
    if (!command) return [`${step.at}: gate has no command "${name}"`];
    try {
        command.parse(flags);
        return [];
    } catch (error) {
        return [`${step.at}: gate ${name}: ${(error as Error).message}`];
    }
}

describe("every gate step of the rendered templates", () => {
    it("runs a command whose own parser accepts its flags, with every value its parameters can take", async () => {
        const steps = await renderedGateSteps();
        expect(steps.map((s) => `${s.at}: ${s.args[0]}`).sort()).toEqual([
            "deploy-container-image/set-image-tag: set-image-tag",
            "promote-model/canary-traffic: canary",
            "promote-model/integration-canary: integration",
            "promote-model/promote-command: promote",
            "revert-staging/mark-good: mark-good",
            "revert-staging/revert: revert",
            "test-staging/integration: integration",
            "test-staging/load: load",
            "test-staging/resources: resources",
        ]);
        for (const step of steps) expect(step.args.some((a) => placeholdersIn(a).some((p) => p.expression)), step.at).toBe(false);
        expect(scenarios.flatMap((values) => steps.flatMap((step) => refusals(step, values)))).toEqual([]);
    });

    it("holds for the optional flags a stack can turn on", async () => {
        const steps = await renderedGateSteps({ "gourmetgram:gateLoadRatePerSecond": "25", "gourmetgram:gateMaxMemoryRatio": "0.05" });
        const load = steps.find((s) => s.at === "test-staging/load")!;
        expect(commands.load.parse(load.args.slice(1))).toMatchObject({ rate: 25 });
        expect(scenarios.flatMap((values) => steps.flatMap((step) => refusals(step, values)))).toEqual([]);
    });

    it("fails on a renamed flag, a removed required flag and a value the CLI does not take", async () => {
        const steps = await renderedGateSteps();
        const [values] = scenarios;
        const step = (at: string) => steps.find((s) => s.at === at)!;
        const edited = (at: string, edit: (args: string[]) => string[]) => ({ at, args: edit(step(at).args) });

        const renamed = edited("test-staging/load", (args) => args.map((a) => a.replace(/^--p95-ms(?==|$)/, "--p95-millis")));
        expect(refusals(renamed, values)).toEqual([expect.stringMatching(/^test-staging\/load: gate load: unknown flag --p95-millis; allowed: --url, /)]);

        const removed = edited("test-staging/integration", (args) => {
            const at = args.findIndex((a) => /^--expect-version(=|$)/.test(a));
            return args.filter((_, i) => i !== at && !(args[at] === "--expect-version" && i === at + 1));
        });
        expect(refusals(removed, values)).toEqual([expect.stringMatching(/gate integration: --expect-version is required/)]);

        const notAVersion = refusals(step("revert-staging/mark-good"), { ...values, version: "v7" });
        expect(notAVersion).toEqual([expect.stringMatching(/gate mark-good: --version must be a positive integer MLflow model version, got "v7"/)]);

        expect(() => filledIn(step("revert-staging/revert"), { version: "7" })).toThrow(/no representative value for \{\{inputs.parameters.reason\}\}/);
    });
});
