import { describe, expect, it } from "vitest";
import { namespaces, registry, registryNodeMirror } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { registryManifests } from "../../../infra/platform/registry/manifests";
import { containerImages, installMocks, ofType, pinnedImage, settled } from "./harness";
import { validate } from "./schema";

const args = { storageSize: "20Gi", storageClassName: "local-path" };

describe("registryManifests", () => {
    const m = registryManifests(args);

    it("keeps images on a persistent claim, not an emptyDir", () => {
        const volumes = m.deployment.spec!.template.spec!.volumes!;
        expect(volumes).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "registry-data" } }]);
        expect(m.volumeClaim.spec!.storageClassName).toBe("local-path");
        expect(m.volumeClaim.spec!.resources!.requests!.storage).toBe("20Gi");
        // Recreate: a ReadWriteOnce volume cannot be mounted by two pods during a rollout.
        expect(m.deployment.spec!.strategy!.type).toBe("Recreate");
    });

    it("is the Service `registry` in kube-system on 5000, with the node mirror's NodePort", () => {
        expect(m.service.metadata!.name).toBe(registry.serviceName);
        expect(m.service.metadata!.namespace).toBe(namespaces.registry);
        expect(m.service.spec!.type).toBe("NodePort");
        expect(m.service.spec!.ports).toEqual([
            { name: "http", port: 5000, targetPort: 5000, nodePort: registryNodeMirror.nodePort },
        ]);
        expect(registry.host).toBe("registry.kube-system.svc.cluster.local:5000");
        expect(registryNodeMirror.endpoint).toBe(`http://127.0.0.1:${registryNodeMirror.nodePort}`);
    });

    it("selects its own pods and probes the registry API", () => {
        const labels = m.deployment.spec!.template.metadata!.labels!;
        for (const [k, v] of Object.entries(m.service.spec!.selector!)) expect(labels[k]).toBe(v);
        const container = m.deployment.spec!.template.spec!.containers[0];
        expect(container.readinessProbe!.httpGet!.path).toBe("/v2/");
        expect(container.livenessProbe!.httpGet!.path).toBe("/v2/");
        expect(container.resources!.limits).toEqual({ cpu: "500m", memory: "256Mi" });
        expect(container.resources!.requests).toBeDefined();
    });

    it("runs the pinned registry image", () => {
        expect(m.deployment.spec!.template.spec!.containers[0].image).toBe(platformImages.registry);
        expect(platformImages.registry).toMatch(pinnedImage);
    });

    it("validates every object against its schema", () => {
        for (const object of Object.values(m)) expect(() => validate(object)).not.toThrow();
    });

    it("rejects a storage size the schema does not accept", () => {
        // Stack config rejects such a size first (memoryQuantity); the schema is the second line.
        expect(() => validate(registryManifests({ ...args, storageSize: "twenty gigs" }).volumeClaim)).toThrow(/requests\/storage must match format "quantity"/);
    });
});

describe("ImageRegistry component", () => {
    it("registers the claim, deployment and service in kube-system", async () => {
        const registered = installMocks();
        const { ImageRegistry } = await import("../../../infra/platform/registry/index.js");
        const component = new ImageRegistry("registry", args);
        await settled(registered);
        expect(ofType(registered, "gourmetgram:platform:ImageRegistry")).toHaveLength(1);
        const children = registered.filter((r) => r.type.startsWith("kubernetes:"));
        expect(children.map((r) => r.type).sort()).toEqual([
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "kubernetes:core/v1:Service",
        ]);
        for (const child of children) expect(child.inputs.metadata.namespace).toBe("kube-system");
        const deployment = ofType(registered, "kubernetes:apps/v1:Deployment")[0];
        expect(containerImages(deployment.inputs).every((i) => pinnedImage.test(i))).toBe(true);
        const host = await new Promise((resolve) => component.host.apply(resolve));
        expect(host).toBe(registry.host);
    });
});
