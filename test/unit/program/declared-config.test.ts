import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { clusterConfig } from "../../../infra/config/cluster";
import type { ConfigError } from "../../../infra/config/errors";
import { platformConfig } from "../../../infra/platform/config";
import { pipelineConfig } from "../../../pipeline/config";
import { runProgram, stackConfig, stackFiles, stackName, stacksDir } from "../../support/program";
import { applyProjectConfig, perStackKeys, readProject } from "../../support/project-config";

/**
 * Pulumi.yaml is where users read what they can configure, and the CLI enforces what it
 * declares before the program runs. These tests keep the two honest: every key the program
 * reads is either declared (with the program's own default, or required on every stack) or
 * listed among the per-stack settings, and every stack file passes the CLI's checks.
 */
const project = readProject();
const declared = Object.keys(project.config);
const listed = perStackKeys();

/** What the program does with an unset key: its fixed default, undefined, or "required". */
function programDefaults(): Map<string, unknown> {
    const defaults = new Map<string, unknown>();
    for (const section of [clusterConfig, platformConfig, pipelineConfig]) {
        for (const [key, field] of Object.entries(section.keys)) {
            const unset = field.safeParse(undefined);
            defaults.set(key, unset.success ? unset.data : "required");
        }
    }
    return defaults;
}

describe("Pulumi.yaml config declarations", () => {
    const defaults = programDefaults();

    it("give every declared key a type and a description", () => {
        for (const [key, declaration] of Object.entries(project.config)) {
            expect(declaration.type, key).toMatch(/^(string|integer|boolean)$/);
            expect(declaration.description?.length ?? 0, key).toBeGreaterThan(20);
        }
    });

    it("declare a default exactly where the program has one fixed scalar default, and the same value", () => {
        for (const [key, fallback] of defaults) {
            const declaration = project.config[key];
            if (fallback === "required") {
                expect(declaration, `${key} is required on every stack`).toBeDefined();
                expect(declaration.default, key).toBeUndefined();
            } else if (["string", "number", "boolean"].includes(typeof fallback)) {
                expect(declaration, `${key} has the fixed default ${String(fallback)}`).toBeDefined();
                expect(String(declaration.default), key).toBe(String(fallback));
            } else {
                // No fixed default (it depends on the target or another key), or an object
                // value Pulumi's schema has no type for: declaring it would make it required.
                expect(declaration, `${key} must not be declared`).toBeUndefined();
            }
        }
    });

    it("list every other key the program reads among the per-stack settings, once", () => {
        expect(new Set(listed).size).toBe(listed.length);
        expect(listed.filter((key) => declared.includes(key))).toEqual([]);
        expect([...declared, ...listed].sort()).toEqual([...defaults.keys()].sort());
    });

    it("cover exactly the keys the program accepts", async () => {
        // An unknown key makes the program list every key it knows in its error.
        let known: string[] = [];
        try {
            await runProgram(path.join(stacksDir, "Pulumi.laptop.yaml"), { "gourmetgram:zzProbe": "x" });
        } catch (error) {
            // The program runs in a fresh module graph, so compare by name rather than class.
            expect((error as Error).name).toBe("ConfigError");
            const message = (error as ConfigError).problems.find((p) => p.key === "gourmetgram:zzProbe")?.message ?? "";
            known = message.replace(/^.*known settings are /, "").split(", ");
        }
        expect(known.length).toBeGreaterThan(5);
        expect(known.sort()).toEqual([...declared, ...listed].sort());
    });
});

describe.each(stackFiles().map((file) => [stackName(file), file]))("the Pulumi CLI's checks on stack %s", (name, file) => {
    it("pass: no required key missing, every typed value of its type", () => {
        expect(applyProjectConfig(name, stackConfig(file)).problems).toEqual([]);
    });
});

describe("the Pulumi CLI's checks", () => {
    it("refuse a stack without appChartRepoUrl, as the program would", () => {
        const { problems } = applyProjectConfig("bare", { "gourmetgram:target": "existing-cluster" });
        expect(problems).toEqual(["Stack 'bare' is missing configuration value 'appChartRepoUrl'"]);
    });

    it("refuse a value that is not of its declared type", () => {
        const { problems } = applyProjectConfig("typo", {
            "gourmetgram:appChartRepoUrl": "https://example.com/lab.git",
            "gourmetgram:gateLoadRequests": "100.5",
            "gourmetgram:githubTrigger": "yes",
        });
        expect(problems).toEqual([
            "Stack 'typo' with configuration key 'gateLoadRequests' must be of type 'integer'",
            "Stack 'typo' with configuration key 'githubTrigger' must be of type 'boolean'",
        ]);
    });

    it("hand unset declared keys to the program as their defaults, in text", () => {
        const { config } = applyProjectConfig("defaults", { "gourmetgram:appChartRepoUrl": "https://example.com/lab.git" });
        expect(config).toMatchObject({
            "gourmetgram:target": "chameleon",
            "gourmetgram:gateLoadRequests": "100",
            "gourmetgram:gateLoadMinSuccessRate": "0.95",
            "gourmetgram:imageBuildsEnabled": "true",
        });
    });
});
