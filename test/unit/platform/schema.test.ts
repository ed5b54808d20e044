import { describe, expect, it } from "vitest";
import { manifest } from "../../../infra/platform/common/manifest";
import { registryManifests } from "../../../infra/platform/registry/manifests";
import { modelFor, registeredObject, validate } from "./schema";

const secretSignature = "4dabf18193072939515e22adb298388d";
const secretMarker = "1b47061264138c4ac30d75fd1eb44270";
const pulumiSecret = (value: unknown) => ({ [secretSignature]: secretMarker, value });

describe("manifest (typed plain objects)", () => {
    it("stamps apiVersion and kind and keeps the body as given", () => {
        const service = manifest.Service({ metadata: { name: "s", namespace: "n" }, spec: { ports: [{ port: 80 }] } });
        expect(service).toEqual({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" }, spec: { ports: [{ port: 80 }] } });
        expect(manifest.Deployment({}).apiVersion).toBe("apps/v1");
        expect(manifest.Job({}).apiVersion).toBe("batch/v1");
        expect(manifest.Application({ metadata: {}, spec: {} as never }).apiVersion).toBe("argoproj.io/v1alpha1");
    });

    it("is plain JSON: no class instance reaches Pulumi", () => {
        const namespace = manifest.Namespace({ metadata: { name: "n" } });
        expect(Object.getPrototypeOf(namespace)).toBe(Object.prototype);
    });

    it("has a model in the schema table for every kind it builds", () => {
        for (const build of Object.values(manifest)) {
            const object = (build as (body: object) => { apiVersion: string; kind: string })({});
            expect(modelFor(object).kind).toBe(object.kind);
        }
    });
});

describe("validate (the tests' schema check)", () => {
    const deployment = registryManifests({ storageSize: "20Gi", storageClassName: "local-path" }).deployment;

    it("accepts a builder's object", () => {
        expect(() => validate(deployment)).not.toThrow();
    });

    it("rejects a deliberately invalid object, naming the path", () => {
        const broken = structuredClone(deployment);
        delete (broken.spec!.template.spec!.containers[0] as { name?: string }).name;
        expect(() => validate(broken)).toThrow("spec/template/spec/containers/0 must have required property name");
        const wrongPort = structuredClone(deployment);
        (wrongPort.spec!.template.spec!.containers[0].ports![0] as { containerPort: unknown }).containerPort = "five thousand";
        expect(() => validate(wrongPort)).toThrow("containers/0/ports/0/containerPort must be integer");
    });

    it("refuses objects whose apiVersion or kind has no schema, listing the known ones", () => {
        expect(() => validate({ ...deployment, apiVersion: "apps/v1beta1" })).toThrow(/no schema for apiVersion apps\/v1beta1 kind Deployment; known: .*apps\/v1\/Deployment/);
        expect(() => validate({ metadata: { name: "x" } })).toThrow(/no schema for apiVersion undefined kind undefined/);
    });
});

describe("registeredObject", () => {
    it("takes apiVersion and kind from the resource type and reveals secrets", () => {
        const object = registeredObject({
            type: "kubernetes:core/v1:Secret",
            name: "creds",
            inputs: { metadata: { name: "creds" }, type: "Opaque", stringData: pulumiSecret({ password: "p" }) },
        });
        expect(object).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, type: "Opaque", stringData: { password: "p" } });
        expect(() => validate(object)).not.toThrow();
    });

    it("fails a secret value the schema does not allow", () => {
        const object = registeredObject({ type: "kubernetes:core/v1:Secret", name: "creds", inputs: { stringData: pulumiSecret({ password: 42 }) } });
        expect(() => validate(object)).toThrow("stringData/password must be string");
    });

    it("refuses inputs that contradict the resource type, and non-Kubernetes types", () => {
        expect(() => registeredObject({ type: "kubernetes:apps/v1:Deployment", name: "d", inputs: { kind: "StatefulSet" } })).toThrow(/inputs say .*StatefulSet/);
        expect(() => registeredObject({ type: "gourmetgram:platform:Minio", name: "m", inputs: {} })).toThrow(/not a Kubernetes object type/);
    });
});
