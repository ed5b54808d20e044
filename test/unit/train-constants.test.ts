import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMemoryBytes } from "../../vocabulary/quantities";
import { defaultAppResources, food11Classes, model, trainingScenarios, trainingSeedEnv } from "../../vocabulary/names";

const root = path.resolve(__dirname, "../..");
const python = path.join(root, ".venv", "bin", "python");

/** The training image's constants module, read by Python itself (no parsing of Python here). */
function pythonConstants(): Record<string, unknown> {
    if (!fs.existsSync(python)) throw new Error(`${python} is missing: run 'npm run setup' first`);
    const script = [
        "import json, sys",
        "sys.path.insert(0, sys.argv[1])",
        "from gourmetgram_train import constants as c",
        "print(json.dumps({k: getattr(c, k) for k in dir(c) if k.isupper()}))",
    ].join("\n");
    const out = execFileSync(python, ["-c", script, path.join(root, "pipeline", "images", "train")], { encoding: "utf8" });
    return JSON.parse(out) as Record<string, unknown>;
}

describe("gourmetgram_train.constants agrees with vocabulary/names.ts", () => {
    const c = pythonConstants();

    it("registers the same model name", () => expect(c.MODEL_NAME).toBe(model.name));

    it("stores the model under the file name the build step downloads, with its sha256 tag", () => {
        expect(c.MODEL_FILE_NAME).toBe(model.file);
        expect(c.MODEL_SHA256_TAG).toBe(model.sha256Tag);
    });

    it("uses the first alias of the promotion chain", () => {
        expect(model.aliases).toContain(c.DEVELOPMENT_ALIAS);
        expect(c.DEVELOPMENT_ALIAS).toBe(model.aliases[0]);
    });

    it("reads its seed from the variable the template sets", () => expect(c.SEED_ENV).toBe(trainingSeedEnv));

    it("accepts exactly the template's scenarios", () => expect(c.SCENARIOS).toEqual([...trainingScenarios]));

    it("orders the Food-11 classes as the app does", () => expect(c.FOOD11_CLASSES).toEqual([...food11Classes]));

    it("sizes the oversized model from the app's default memory limit when no limit is passed", () => {
        expect(c.APP_MEMORY_LIMIT).toBe(defaultAppResources.limits.memory);
        expect(c.APP_MEMORY_LIMIT_BYTES).toBe(parseMemoryBytes(defaultAppResources.limits.memory));
    });
});
