import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findToolchain } from "./harness/toolchain";

describe("findToolchain", () => {
    const roots: string[] = [];
    const emptyRoot = () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-"));
        roots.push(root);
        return root;
    };
    afterEach(() => roots.splice(0).forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

    it("names every missing part and says how to build them", () => {
        const root = emptyRoot();
        fs.mkdirSync(path.join(root, "bin"));
        fs.writeFileSync(path.join(root, "bin", "etcd"), "");
        const lookup = findToolchain(root);
        expect(lookup.ok).toBe(false);
        if (lookup.ok) return;
        expect(lookup.problem).toContain("bin/kube-apiserver, bin/kubectl, bin/argo");
        expect(lookup.problem).toContain("versions.json");
        expect(lookup.problem).not.toContain("bin/etcd");
        expect(lookup.problem).toContain("bash scripts/toolchain/build.sh");
    });

    it("asks for the engine leg's parts only when a suite names them", () => {
        const root = emptyRoot();
        for (const dir of ["bin", "crds/argo-workflows", "crds/argo-cd"]) fs.mkdirSync(path.join(root, dir), { recursive: true });
        for (const tool of ["etcd", "kube-apiserver", "kubectl", "argo", "pulumi"]) fs.writeFileSync(path.join(root, "bin", tool), "");
        const versions = { etcd: "v3.6.5", kubernetes: "v1.33.4", argoWorkflows: "v3.7.9", argoCd: "v3.5.7" };
        fs.writeFileSync(path.join(root, "versions.json"), JSON.stringify(versions));
        expect(findToolchain(root).ok).toBe(true);
        const lookup = findToolchain(root, ["pulumi", "kubeControllerManager"]);
        expect(lookup.ok).toBe(false);
        if (lookup.ok) return;
        expect(lookup.problem).toContain("bin/pulumi-resource-pulumi-nodejs, plugins/pulumi-resource-kubernetes, bin/kube-controller-manager");
        expect(lookup.problem).not.toContain("bin/pulumi,");
    });

    it("returns the tools and their versions when everything is there", () => {
        const root = emptyRoot();
        for (const dir of ["bin", "crds/argo-workflows", "crds/argo-cd"]) fs.mkdirSync(path.join(root, dir), { recursive: true });
        for (const tool of ["etcd", "kube-apiserver", "kubectl", "argo"]) fs.writeFileSync(path.join(root, "bin", tool), "");
        const versions = { etcd: "v3.6.5", kubernetes: "v1.33.4", argoWorkflows: "v3.7.9", argoCd: "v3.5.7" };
        fs.writeFileSync(path.join(root, "versions.json"), JSON.stringify(versions));
        const lookup = findToolchain(root);
        expect(lookup.ok).toBe(true);
        if (!lookup.ok) return;
        expect(lookup.toolchain.kubeApiserver).toBe(path.join(root, "bin", "kube-apiserver"));
        expect(lookup.toolchain.versions).toEqual(versions);
    });
});
