/**
 * The images the harness pushes into the in-cluster registry (test/cluster/harness/registry-images.ts):
 * every registry image the local stack's WorkflowTemplates name has a row, the rows' references
 * are the ones the program computes, and a reference without a row is reported by name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appBaseImage, pipelineImageReferences, registryAuthHeaders, registryImageNames, registryImages, skopeoDestCreds, unmappedRegistryImages } from "../../cluster/harness/registry-images";
import { runProgram, stacksDir } from "../../support/program";
import { appImage, appName, registry } from "../../../vocabulary/names";

/** Every `image` of a container or script in the rendered WorkflowTemplates and CronWorkflows. */
function workflowImages(specs: unknown[]): string[] {
    const found: string[] = [];
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value !== null && typeof value === "object") {
            for (const [key, inner] of Object.entries(value)) {
                if (key === "image" && typeof inner === "string") found.push(inner);
                else walk(inner);
            }
        }
    };
    walk(specs);
    return found;
}

describe("images pushed to the in-cluster registry for the pipeline", () => {
    let images: string[];
    beforeAll(async () => {
        const run = await runProgram(path.join(stacksDir, "Pulumi.local.yaml"));
        images = workflowImages(run.resources.filter((r) => r.inputs.kind === "WorkflowTemplate").map((r) => r.inputs.spec));
    }, 120_000);

    it("has a row for every registry image the local stack's WorkflowTemplates run", () => {
        expect(images).toContain(pipelineImageReferences().gates);
        expect(images).toContain(pipelineImageReferences().train);
        expect(unmappedRegistryImages(images, appName)).toEqual([]);
    });

    it("maps the app stand-in's base image, read from its Dockerfile", () => {
        expect(appBaseImage().startsWith(`${registry.host}/`)).toBe(true);
        expect(registryImages()[appBaseImage()].local).toBe("app-base");
    });

    it("reports a registry image without a row by name, and leaves the app's own images to the pipeline", () => {
        const stray = `${registry.host}/gourmetgram-other:1`;
        expect(unmappedRegistryImages([stray, appImage("staging", 3), "docker.io/library/nginx:1.27"], appName)).toEqual([stray]);
    });

    it("says which Dockerfile lacks the base image argument", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockerfile-"));
        const dockerfile = path.join(dir, "Dockerfile");
        fs.writeFileSync(dockerfile, "FROM python:3.11-slim\n");
        try {
            expect(() => appBaseImage(dockerfile)).toThrow(/has no "ARG BASE_IMAGE=<reference>" line/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("lists in registryImageNames exactly the images its rows push, which the node therefore does not import", () => {
        expect([...registryImageNames].sort()).toEqual(Object.values(registryImages()).map((row) => row.local).sort());
    });

    it("pushes and reads with the stack's registry login when there is one, anonymously otherwise", () => {
        const login = { username: "gourmetgram-registry", password: "p:w" };
        expect(skopeoDestCreds(login)).toEqual(["--dest-creds", "gourmetgram-registry:p:w"]);
        expect(skopeoDestCreds(undefined)).toEqual([]);
        expect(registryAuthHeaders(login)).toEqual({ authorization: `Basic ${Buffer.from("gourmetgram-registry:p:w").toString("base64")}` });
        expect(registryAuthHeaders(undefined)).toEqual({});
    });

    it("says how each stand-in differs", () => {
        for (const [reference, row] of Object.entries(registryImages())) expect(row.why, reference).toMatch(/\S{10,}/);
    });
});
