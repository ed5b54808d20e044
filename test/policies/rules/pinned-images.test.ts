import { describe, expect, it } from "vitest";
import { appImage } from "../../../vocabulary/names";
import { pinnedImages } from "../../../policies/rules/pinned-images";
import { parseImageReference } from "../../../policies/lib/image-reference";
import { allPodBearing, argoTemplateVariants, argoWorkflows, goodContainer } from "../fixtures";
import { expectNoViolations, expectViolation } from "../util";

const digest = "sha256:" + "a".repeat(64);

const pinned = [
    "python:3.12.8-slim",
    `python@${digest}`,
    `python:3.12.8-slim@${digest}`,
    "quay.io/argoproj/argocli:v3.7.9",
    "registry.kube-system.svc.cluster.local:5000/gourmetgram-app:staging-1.0.3",
    appImage("canary", 7),
];

const unpinned: Array<[string, string]> = [
    ["python", "has no tag or digest"],
    ["python:latest", 'mutable tag "latest"'],
    [`python:latest@${digest}`, 'mutable tag "latest"'],
    ["registry.kube-system.svc.cluster.local:5000/gourmetgram-app", "has no tag or digest"],
    ["localhost:5000/app", "has no tag or digest"],
    ["python@sha256:short", "malformed digest"],
    ["python:bad tag", 'invalid tag "bad tag"'],
    ["python:-x", 'invalid tag "-x"'],
];

describe("pinned-images: every pod-bearing kind", () => {
    describe.each(Object.entries(allPodBearing))("%s", (_kind, build) => {
        it.each(pinned)("passes %s", async (image) => {
            await expectNoViolations(pinnedImages, build(goodContainer({ image })));
        });

        it.each(unpinned)("fails %s", async (image, reason) => {
            await expectViolation(pinnedImages, build(goodContainer({ image })), reason);
        });

        it("fails a container without an image", async () => {
            await expectViolation(pinnedImages, build(goodContainer({ image: undefined })), "declares no image");
        });
    });
});

describe("pinned-images: Argo template variants", () => {
    it.each(Object.keys(argoTemplateVariants))("checks a %s", async (variant) => {
        await expectNoViolations(pinnedImages, argoWorkflows.WorkflowTemplate([argoTemplateVariants[variant](goodContainer())]));
        await expectViolation(
            pinnedImages,
            argoWorkflows.WorkflowTemplate([argoTemplateVariants[variant](goodContainer({ image: "busybox" }))]),
            '"busybox" has no tag or digest',
        );
    });

    it("resolves images taken from parameters with declared values", async () => {
        const template = (image: string | undefined) =>
            argoWorkflows.WorkflowTemplate(
                [{ name: "t", inputs: { parameters: [{ name: "image", default: image }] }, container: goodContainer({ image: "{{inputs.parameters.image}}" }) }],
            );
        await expectNoViolations(pinnedImages, template("python:3.12.8-slim"));
        await expectViolation(pinnedImages, template("python:latest"), '(resolves to "python:latest")', 'mutable tag "latest"');
        await expectViolation(pinnedImages, template(undefined), "comes from a parameter with no declared value");

        const fromWorkflow = argoWorkflows.Workflow([{ name: "t", container: goodContainer({ image: "{{workflow.parameters.gate-image}}" }) }], {
            arguments: { parameters: [{ name: "gate-image", value: "python" }] },
        });
        await expectViolation(pinnedImages, fromWorkflow, '(resolves to "python")', "has no tag or digest");
    });
});

describe("parseImageReference", () => {
    it("separates a registry port from a tag", () => {
        expect(parseImageReference("host:5000/a/b:1.0")).toEqual({ repository: "host:5000/a/b", tag: "1.0", digest: undefined });
        expect(parseImageReference("host:5000/a/b")).toEqual({ repository: "host:5000/a/b", tag: undefined, digest: undefined });
        expect(parseImageReference(`a@${digest}`)).toEqual({ repository: "a", tag: undefined, digest });
    });

    it.each(["", " python:3", ":3.12"])("rejects %j", (image) => {
        expect(() => parseImageReference(image)).toThrow();
    });
});
