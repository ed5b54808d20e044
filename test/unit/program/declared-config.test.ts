import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ConfigError } from "../../../infra/config/errors";
import { repoRoot, runProgram, stacksDir } from "../../support/program";

/**
 * Pulumi.yaml is where users read what they can configure. This keeps it honest: every key
 * the program's config sections read is declared there with a type and a description, and
 * nothing is declared that the program would reject as unknown.
 */
describe("Pulumi.yaml config declarations", () => {
    const project = parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, { type?: string; description?: string }>;
    };

    it("give every key a type and a description", () => {
        for (const [key, declaration] of Object.entries(project.config)) {
            expect(declaration.type, key).toMatch(/^(string|integer|boolean|array)$/);
            expect(declaration.description?.length ?? 0, key).toBeGreaterThan(20);
        }
    });

    it("match the keys the program reads", async () => {
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
        expect([...known].sort()).toEqual(Object.keys(project.config).sort());
    });
});
