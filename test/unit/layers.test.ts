/**
 * The layering, as imports: the vocabulary sits below everything; the gate CLI (which ships
 * alone in its image) and the policy pack (which the engine loads on its own) see only the
 * vocabulary; infra never reaches up into the pipeline; no product code imports tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function sourcesUnder(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, entry.name);
        if (entry.name === "node_modules" || entry.name === "bin") continue;
        if (entry.isDirectory()) out.push(...sourcesUnder(rel));
        else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

/** The repository-relative files a source imports (relative specifiers only). */
function localImports(file: string): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specifiers = [...text.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
    return specifiers.map((s) => path.normalize(path.join(path.dirname(file), s)));
}

const inside = (file: string, dirs: string[]) => dirs.some((d) => file === d || file.startsWith(`${d}/`));

/** Each layer and the folders its imports may name. */
const allowed: { layer: string; files: string[]; may: string[] }[] = [
    { layer: "vocabulary", files: sourcesUnder("vocabulary"), may: ["vocabulary"] },
    { layer: "the gate CLI", files: sourcesUnder("pipeline/gates"), may: ["pipeline/gates", "vocabulary"] },
    { layer: "the policy pack", files: sourcesUnder("policies"), may: ["policies", "vocabulary"] },
    { layer: "infra", files: sourcesUnder("infra"), may: ["infra", "vocabulary"] },
    { layer: "pipeline", files: sourcesUnder("pipeline"), may: ["pipeline", "infra", "vocabulary"] },
];

describe("layers import only what sits below them", () => {
    for (const { layer, files, may } of allowed) {
        it(`${layer} (${files.length} files) imports only from ${may.join(", ")}`, () => {
            expect(files.length).toBeGreaterThan(0);
            const outside = files.flatMap((file) =>
                localImports(file)
                    .filter((target) => !inside(target, may))
                    .map((target) => `${file} -> ${target}`),
            );
            expect(outside).toEqual([]);
        });
    }
});
