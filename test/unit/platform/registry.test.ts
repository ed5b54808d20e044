import { describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { isSecret as pulumiIsSecret } from "@pulumi/pulumi";
import { k3sPodNetwork, namespaces, registry, registryCredentials, registryNodeMirror } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { registryAuth, registryManifests } from "../../../infra/platform/registry/manifests";
import { nodeAddressBlocks, registryNetworkPolicy } from "../../../infra/platform/registry/network-policy";
import { containerImages, installMocks, mockPassword, ofType, pinnedImage, plainStrings, secretValues, settled } from "./harness";
import { validate } from "./schema";

const args = { storageSize: "20Gi", storageClassName: "local-path" };

describe("registryManifests", () => {
    const m = registryManifests(args);

    it("keeps images on a persistent claim, not an emptyDir", () => {
        const volumes = m.deployment.spec!.template.spec!.volumes!;
        expect(volumes[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: "registry-data" } });
        expect(volumes.filter((v) => v.emptyDir)).toEqual([]);
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

    it("selects its own pods and probes `/`, the one path Distribution answers without the login", () => {
        const labels = m.deployment.spec!.template.metadata!.labels!;
        for (const [k, v] of Object.entries(m.service.spec!.selector!)) expect(labels[k]).toBe(v);
        const container = m.deployment.spec!.template.spec!.containers[0];
        expect(container.readinessProbe!.httpGet).toEqual({ path: "/", port: registry.port });
        expect(container.livenessProbe!.httpGet).toEqual({ path: "/", port: registry.port });
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
    const reveal = <T>(o: import("@pulumi/pulumi").Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
    const loginNamespaces = [namespaces.platform, namespaces.workflows];

    it("registers the claim, deployment, service and htpasswd in kube-system, and its login where it is asked to", async () => {
        const registered = installMocks();
        const { ImageRegistry } = await import("../../../infra/platform/registry/index.js");
        const component = new ImageRegistry("registry", { ...args, loginNamespaces });
        await settled(registered);
        expect(ofType(registered, "gourmetgram:platform:ImageRegistry")).toHaveLength(1);
        const children = registered.filter((r) => r.type.startsWith("kubernetes:"));
        expect(children.map((r) => `${r.type} ${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`).sort()).toEqual([
            "kubernetes:apps/v1:Deployment kube-system/registry",
            "kubernetes:core/v1:PersistentVolumeClaim kube-system/registry-data",
            `kubernetes:core/v1:Secret ${namespaces.platform}/${registryCredentials.secretName}`,
            `kubernetes:core/v1:Secret ${namespaces.workflows}/${registryCredentials.secretName}`,
            `kubernetes:core/v1:Secret kube-system/${registryAuth.secretName}`,
            "kubernetes:core/v1:Service kube-system/registry",
        ]);
        const deployment = ofType(registered, "kubernetes:apps/v1:Deployment")[0];
        expect(containerImages(deployment.inputs).every((i) => pinnedImage.test(i))).toBe(true);
        const host = await new Promise((resolve) => component.host.apply(resolve));
        expect(host).toBe(registry.host);
    });

    it("generates one login, a secret, and hands the registry only its bcrypt hash", async () => {
        const registered = installMocks();
        const { ImageRegistry } = await import("../../../infra/platform/registry/index.js");
        const component = new ImageRegistry("registry", { ...args, loginNamespaces });
        await settled(registered);
        const password = mockPassword("registry-login-password");
        expect(await reveal(component.login)).toEqual({ username: registryCredentials.username, password });
        expect(await pulumiIsSecret(component.login)).toBe(true);
        // The hash is made once, by a resource whose input is the password: a second up finds it unchanged.
        expect(ofType(registered, "pulumi-nodejs:dynamic/gourmetgram:PasswordHash").map((r) => r.name)).toEqual(["registry-login-hash"]);

        const secrets = ofType(registered, "kubernetes:core/v1:Secret");
        for (const secret of secrets) expect(plainStrings(secret.inputs).filter((s) => s.value.includes(password)), secret.name).toEqual([]);
        const htpasswd = secrets.find((s) => s.inputs.metadata.name === registryAuth.secretName)!;
        const [file] = secretValues(htpasswd.inputs.stringData) as Record<string, string>[];
        const [user, hash] = file[registryAuth.key].trimEnd().split(":");
        expect(user).toBe(registryCredentials.username);
        expect(bcrypt.compareSync(password, hash)).toBe(true);
        expect(file[registryAuth.key]).not.toContain(password);
        for (const login of secrets.filter((s) => s.inputs.metadata.name === registryCredentials.secretName)) {
            expect(login.inputs.type).toBe("kubernetes.io/dockerconfigjson");
            const [data] = secretValues(login.inputs.stringData) as Record<string, string>[];
            expect(JSON.parse(data[".dockerconfigjson"]).auths[registry.host]).toMatchObject({ username: registryCredentials.username, password });
            expect(data[registryCredentials.passwordKey]).toBe(password);
        }
    });
});

type Policy = ReturnType<typeof registryNetworkPolicy>;
interface Client {
    namespace: string;
    labels: Record<string, string>;
    ip: string;
}

const ipToNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipToNumber(ip) / size) === Math.floor(ipToNumber(base) / size);
}
const matches = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

/**
 * NetworkPolicy ingress as the API documents it, for the fields this policy uses: a peer with
 * a namespaceSelector (and optional podSelector) matches pods by their namespace's labels (the
 * API server sets kubernetes.io/metadata.name on every namespace) and their own; an ipBlock
 * matches the source address.
 */
function admits(policy: Policy, client: Client, port: number): boolean {
    const namespaceLabels = { "kubernetes.io/metadata.name": client.namespace };
    return (policy.spec!.ingress ?? []).some(
        (rule) =>
            (rule.ports ?? []).some((p) => p.port === port) &&
            (rule.from ?? []).some((peer) =>
                peer.ipBlock
                    ? inCidr(client.ip, peer.ipBlock.cidr)
                    : matches(peer.namespaceSelector, namespaceLabels) && matches(peer.podSelector, client.labels),
            ),
    );
}

describe("what the registry allows", () => {
    const pod = registryManifests(args).deployment.spec!.template.spec!;

    it("refuses deletes: no client can remove a tested image", () => {
        expect(pod.containers[0].env!).toContainEqual({ name: "REGISTRY_STORAGE_DELETE_ENABLED", value: "false" });
    });

    it("wants the login for every request: htpasswd auth from the Secret's file, mounted read-only", () => {
        const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value]));
        expect(env).toMatchObject({
            REGISTRY_AUTH: "htpasswd",
            REGISTRY_AUTH_HTPASSWD_REALM: registryAuth.realm,
            REGISTRY_AUTH_HTPASSWD_PATH: `${registryAuth.dir}/${registryAuth.key}`,
        });
        const mount = pod.containers[0].volumeMounts!.find((m) => m.mountPath === registryAuth.dir)!;
        expect(mount.readOnly).toBe(true);
        expect(pod.volumes!.find((v) => v.name === mount.name)!.secret).toEqual({ secretName: registryAuth.secretName });
        expect(registryManifests(args).htpasswd.metadata).toMatchObject({ name: registryAuth.secretName, namespace: namespaces.registry });
    });
});

describe("who may reach the registry", () => {
    const policy = registryNetworkPolicy();

    it("selects the registry's pod alone, in its namespace, and validates", () => {
        expect(() => validate(policy)).not.toThrow();
        expect(policy.metadata).toMatchObject({ name: "registry", namespace: namespaces.registry });
        expect(policy.spec!.podSelector).toEqual({ matchLabels: { app: "registry" } });
        expect(policy.spec!.policyTypes).toEqual(["Ingress"]);
    });

    it("admits the workflows' pods (builds push, release steps retag) and the platform's image builds", () => {
        expect(admits(policy, { namespace: namespaces.workflows, labels: { "workflows.argoproj.io/workflow": "build-container-image-x" }, ip: "10.42.1.7" }, registry.port)).toBe(true);
        expect(admits(policy, { namespace: namespaces.platform, labels: { app: "image-build" }, ip: "10.42.0.9" }, registry.port)).toBe(true);
    });

    it.each([
        ["an app pod in staging", { namespace: namespaces.staging, labels: { "app.kubernetes.io/name": "gourmetgram-app" }, ip: "10.42.0.17" }],
        ["an app pod in production", { namespace: namespaces.production, labels: { "app.kubernetes.io/name": "gourmetgram-app" }, ip: "10.42.2.5" }],
        ["MLflow in the platform namespace", { namespace: namespaces.platform, labels: { app: "mlflow" }, ip: "10.42.0.12" }],
        ["a pod labelled image-build elsewhere", { namespace: namespaces.canary, labels: { app: "image-build" }, ip: "10.42.1.30" }],
        ["Argo's controller", { namespace: namespaces.argo, labels: { app: "workflow-controller" }, ip: "10.42.0.20" }],
        ["Argo CD", { namespace: namespaces.argocd, labels: { "app.kubernetes.io/name": "argocd-repo-server" }, ip: "10.42.0.21" }],
    ])("refuses %s", (_, client) => {
        expect(admits(policy, client, registry.port)).toBe(false);
    });

    it("admits every node's own pod-network addresses, where another node's pulls through the NodePort come from", () => {
        for (const node of [0, 1, 2, 255]) {
            expect(admits(policy, { namespace: "", labels: {}, ip: `10.42.${node}.0` }, registry.port), `node ${node}`).toBe(true);
            expect(admits(policy, { namespace: "", labels: {}, ip: `10.42.${node}.1` }, registry.port), `node ${node}`).toBe(true);
        }
        // Pods are numbered from .2 in each node's subnet: no node rule admits one.
        const blocks = nodeAddressBlocks();
        expect(blocks).toHaveLength(256);
        for (const ip of ["10.42.0.2", "10.42.1.17", "10.42.255.254", "10.43.0.1", "192.168.1.12"]) {
            expect(blocks.some((cidr) => inCidr(ip, cidr)), ip).toBe(false);
        }
        expect(k3sPodNetwork).toEqual({ clusterCidr: "10.42.0.0/16", nodeSubnetBits: 24 });
    });

    it("admits nothing on other ports", () => {
        expect(admits(policy, { namespace: namespaces.workflows, labels: {}, ip: "10.42.1.7" }, 22)).toBe(false);
    });

    it("refuses a pod network it cannot describe, naming it", () => {
        expect(() => nodeAddressBlocks({ clusterCidr: "10.42.0.0/15", nodeSubnetBits: 24 })).toThrow(/expected a \/16 cluster CIDR split into \/24 node subnets, got 10\.42\.0\.0\/15 split at \/24/);
        expect(() => nodeAddressBlocks({ clusterCidr: "10.42.0.0/16", nodeSubnetBits: 25 })).toThrow(/split at \/25/);
    });
});
