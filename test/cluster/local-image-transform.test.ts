/**
 * The harness's image replacement (local-image-transform.ts): every container of a pod spec
 * gets the local stand-in, an image without one is refused by name, and the workflow
 * controller is pointed at the local executor.
 */
import { describe, expect, it } from "vitest";
import { UnmappedImageError, withExecutorImage, withLocalImages, withLocalStepImages } from "./harness/local-image-transform";

const table: Record<string, string> = {
    "quay.io/argoproj/workflow-controller:v3.7.9": "gourmetgram.local/workflow-controller:v3.7.9",
    "docker.io/library/postgres:16.9-alpine@sha256:abc": "gourmetgram.local/postgres:15",
};
const lookup = (ref: string) => table[ref];

describe("replacing a pod spec's images with the ones built here", () => {
    it("replaces every container and init container, never to be pulled, leaving the rest of the spec as it was", () => {
        const spec = {
            serviceAccountName: "x",
            initContainers: [{ name: "init", image: "docker.io/library/postgres:16.9-alpine@sha256:abc" }],
            containers: [{ name: "main", image: "quay.io/argoproj/workflow-controller:v3.7.9", args: ["--a"] }],
        };
        const replaced = withLocalImages(spec, lookup, "Deployment x");
        expect(replaced).toEqual({
            serviceAccountName: "x",
            initContainers: [{ name: "init", image: "gourmetgram.local/postgres:15", imagePullPolicy: "Never" }],
            containers: [{ name: "main", image: "gourmetgram.local/workflow-controller:v3.7.9", args: ["--a"], imagePullPolicy: "Never" }],
        });
        expect(spec.containers[0].image).toBe("quay.io/argoproj/workflow-controller:v3.7.9");
    });

    it("refuses an image the table lacks, naming the resource, the container and the image", () => {
        const spec = { containers: [{ name: "redis", image: "public.ecr.aws/docker/library/redis:8.2.3-alpine" }] };
        expect(() => withLocalImages(spec, lookup, "Deployment argocd/argocd-redis")).toThrow(UnmappedImageError);
        expect(() => withLocalImages(spec, lookup, "Deployment argocd/argocd-redis")).toThrow(
            /Deployment argocd\/argocd-redis: container redis runs public\.ecr\.aws\/docker\/library\/redis:8\.2\.3-alpine/,
        );
    });

    it("gives the workflow controller the local executor image, replacing an earlier setting", () => {
        const spec = { containers: [{ name: "workflow-controller", image: "c", args: ["--executor-image=old", "--x"] }] };
        expect(withExecutorImage(spec, "gourmetgram.local/argoexec:v3.7.9").containers[0].args).toEqual([
            "--x",
            "--executor-image=gourmetgram.local/argoexec:v3.7.9",
        ]);
        expect(() => withExecutorImage({ containers: [{ name: "other" }] }, "e")).toThrow(/no container named workflow-controller/);
    });

    it("replaces a WorkflowTemplate's step images but leaves the in-cluster registry's, which the node pulls", () => {
        const registryHost = "registry.kube-system.svc.cluster.local:5000";
        const spec = {
            entrypoint: "main",
            templates: [
                { name: "steps", steps: [[{ name: "a", template: "build" }]] },
                { name: "build", container: { name: "main", image: "docker.io/library/postgres:16.9-alpine@sha256:abc" } },
                { name: "gate", script: { image: `${registryHost}/gourmetgram-gates:src-1`, source: "x" } },
            ],
        };
        const replaced = withLocalStepImages(spec, lookup, registryHost, "WorkflowTemplate build");
        expect(replaced.templates[1].container).toEqual({ name: "main", image: "gourmetgram.local/postgres:15", imagePullPolicy: "Never" });
        expect(replaced.templates[2].script).toEqual({ image: `${registryHost}/gourmetgram-gates:src-1`, source: "x" });
        expect(replaced.templates[0]).toEqual(spec.templates[0]);
    });

    it("refuses a step image the table lacks, naming the template", () => {
        const spec = { templates: [{ name: "build", container: { image: "docker.io/moby/buildkit:v0" } }] };
        expect(() => withLocalStepImages(spec, lookup, "registry.local:5000", "WorkflowTemplate build-initial")).toThrow(
            /WorkflowTemplate build-initial: template build runs docker\.io\/moby\/buildkit:v0, which no image built here stands in for/,
        );
    });
});
