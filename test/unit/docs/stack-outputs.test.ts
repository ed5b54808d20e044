import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type ProgramRun, repoRoot, runProgram, stacksDir } from "../../support/program";

/** Every stack output the README and docs/ tell a reader to ask for, with where they say it. */
function outputsNamedInDocs(): { name: string; where: string }[] {
    const files = ["README.md", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f))];
    const patterns = [/pulumi stack output (?:-\S+ )*([A-Za-z]\w*)/g, /output `([A-Za-z]\w*)`/g];
    return files.flatMap((file) =>
        fs
            .readFileSync(path.join(repoRoot, file), "utf8")
            .split("\n")
            .flatMap((line, index) => patterns.flatMap((pattern) => [...line.matchAll(pattern)].map((m) => ({ name: m[1], where: `${file}:${index + 1}` })))),
    );
}

let run: ProgramRun;
beforeAll(async () => {
    // The chameleon stack returns every output there is (sshCommand only exists there).
    run = await runProgram(path.join(stacksDir, "Pulumi.chameleon.yaml"));
});

describe("the stack outputs the docs name", () => {
    it("are outputs the program returns", () => {
        const named = outputsNamedInDocs();
        expect(named.length).toBeGreaterThan(5);
        for (const { name, where } of named) expect(Object.keys(run.outputs), `${where} names the stack output ${name}`).toContain(name);
    });
});
