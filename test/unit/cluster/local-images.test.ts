/**
 * The table of locally built stand-ins (test/cluster/harness/local-images.ts): every image the
 * local stack renders has a row, every row names an image a recipe in scripts/toolchain/images.d
 * builds, and a reference without a row is an error that names it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { localImageFor, localImages, mlflowServerBuild } from "../../cluster/harness/local-images";
import { repoRoot, runProgram, stacksDir } from "../../support/program";
import { namespaces } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";

const recipesDir = path.join(repoRoot, "scripts", "toolchain", "images.d");

/**
 * The namespaces whose images this table covers: the platform's data services (Postgres, MinIO
 * and its bucket Job, MLflow and its users Job, the registry) and Argo Workflows. Argo CD joins
 * with its images' rows; the pipeline's own images are built by its steps, not here.
 */
const coveredNamespaces: readonly string[] = [namespaces.platform, namespaces.registry, namespaces.argo];

/** Every string under an `image` key of a container-like object, anywhere in `value`. */
function imagesIn(value: unknown, into = new Set<string>()): Set<string> {
    if (Array.isArray(value)) {
        for (const item of value) imagesIn(item, into);
    } else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
            if (key === "image" && typeof inner === "string" && "name" in value) into.add(inner);
            else imagesIn(inner, into);
        }
    }
    return into;
}

/** An `add` option and its value: a word, or a quoted string that may hold a `$(...)`. */
const addOption = String.raw`--\w+ (?:"[^"]*?(?:\$\([^)]*\)[^"]*)*"|\S+) `;

/**
 * The image names the recipes add: `add [--option value]... NAME ...` and calls of a recipe's
 * own helper whose body adds its first argument (`helper NAME ...`).
 */
function recipeImageNames(): Set<string> {
    const names = new Set<string>();
    for (const file of fs.readdirSync(recipesDir).filter((f) => /^\d\d-.*\.sh$/.test(f))) {
        const text = fs.readFileSync(path.join(recipesDir, file), "utf8").replace(/\s*\\\n\s*/g, " ");
        const helpers = [...text.matchAll(/^(\w+)\(\) \{[^\n]*\n((?:(?!\}).*\n)*?)\}/gm)]
            .filter((m) => new RegExp(`^\\s*add (?:${addOption})*"\\$1"`, "m").test(m[2]))
            .map((m) => m[1]);
        for (const m of text.matchAll(new RegExp(`^\\s*add (?:${addOption})*([a-z0-9][a-z0-9-]*) `, "gm"))) names.add(m[1]);
        for (const helper of helpers) {
            for (const m of text.matchAll(new RegExp(`^\\s*${helper} ([a-z0-9][a-z0-9-]*)\\b`, "gm"))) names.add(m[1]);
        }
    }
    return names;
}

describe("locally built stand-ins for the images the program renders", () => {
    let rendered: Set<string>;
    beforeAll(async () => {
        const run = await runProgram(path.join(stacksDir, "Pulumi.local.yaml"));
        const covered = run.resources.filter((r) => coveredNamespaces.includes(r.inputs.metadata?.namespace));
        rendered = imagesIn(covered.map((r) => r.inputs));
    }, 120_000);

    it("every image the local stack renders for the data services has a row", () => {
        expect(rendered).toContain(platformImages.postgres);
        expect(rendered).toContain(platformImages.minioClient);
        expect(rendered).toContain(mlflowServerBuild);
        expect([...rendered].filter((image) => !Object.hasOwn(localImages, image))).toEqual([]);
    });

    it("every row names an image a recipe in scripts/toolchain/images.d builds", () => {
        const built = recipeImageNames();
        expect(built).toContain("pause");
        expect(Object.values(localImages).map((row) => row.local).filter((name) => !built.has(name))).toEqual([]);
    });

    it("a stand-in of another version says why", () => {
        for (const [reference, row] of Object.entries(localImages)) {
            expect(row.why, reference).toMatch(/\S{10,}/);
        }
    });

    it("the MLflow stand-in installs exactly the Dockerfile's packages, each pinned by hash", () => {
        const dockerfile = fs.readFileSync(path.join(repoRoot, "infra", "platform", "mlflow", "image", "Dockerfile"), "utf8");
        const wanted = [...dockerfile.matchAll(/([A-Za-z0-9_.-]+)==([^\s\\]+)/g)].map((m) => `${m[1].toLowerCase()}==${m[2]}`);
        expect(wanted).toContain("mlflow==3.17.2");
        const locked = fs.readFileSync(path.join(recipesDir, "platform", "mlflow-server", "rootfs", "requirements.txt"), "utf8");
        const pins = new Map([...locked.matchAll(/^([A-Za-z0-9_.-]+)==(\S+)/gm)].map((m) => [m[1].toLowerCase(), m[2]]));
        expect(wanted.filter((pin) => pins.get(pin.split("==")[0]) !== pin.split("==")[1])).toEqual([]);
        // Every requirement carries at least one hash: pip --require-hashes refuses any that does not.
        const entries = locked.split(/\n(?=[A-Za-z0-9])/).filter((entry) => /^[A-Za-z0-9]/.test(entry));
        expect(entries.length).toBe(pins.size);
        expect(entries.filter((entry) => !/--hash=sha256:[0-9a-f]{64}/.test(entry))).toEqual([]);
    });

    it("an unmapped reference is an error naming it", () => {
        expect(() => localImageFor("docker.io/library/nginx:1.27")).toThrow(/no locally built image stands in for docker\.io\/library\/nginx:1\.27/);
        expect(localImageFor(platformImages.minio).local).toBe("minio");
    });
});
