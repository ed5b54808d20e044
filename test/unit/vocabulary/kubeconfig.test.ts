import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultKubeconfigPath, kubeconfigContext, KubeconfigError } from "../../../vocabulary/kubeconfig";

describe("defaultKubeconfigPath", () => {
    it("takes $KUBECONFIG's first non-empty entry, as kubectl does", () => {
        const list = ["", "/a/config", "/b/config"].join(path.delimiter);
        expect(defaultKubeconfigPath({ KUBECONFIG: list }, "/home/u")).toBe("/a/config");
    });

    it("falls back to ~/.kube/config when $KUBECONFIG is unset or empty", () => {
        expect(defaultKubeconfigPath({}, "/home/u")).toBe("/home/u/.kube/config");
        expect(defaultKubeconfigPath({ KUBECONFIG: "" }, "/home/u")).toBe("/home/u/.kube/config");
    });
});

describe("kubeconfigContext", () => {
    const two = `clusters:
- {name: a, cluster: {server: "https://a.example.test:6443", certificate-authority-data: Q0E=}}
- {name: b, cluster: {server: "https://b.example.test"}}
contexts:
- {name: ca, context: {cluster: a, user: alice}}
- {name: cb, context: {cluster: b}}
users:
- {name: alice, user: {token: t0ken}}
current-context: ca
`;

    it("resolves the current context to its cluster and user", () => {
        const context = kubeconfigContext(two);
        expect(context).toMatchObject({ name: "ca", clusterName: "a", server: "https://a.example.test:6443", userName: "alice" });
        expect(context.cluster["certificate-authority-data"]).toBe("Q0E=");
        expect(context.user.token).toBe("t0ken");
    });

    it("follows a named context, which may name no user", () => {
        expect(kubeconfigContext(two, "cb")).toMatchObject({ name: "cb", server: "https://b.example.test", userName: undefined, user: {} });
    });

    it.each([
        ["a context that is not there", two, "missing", 'context "missing" is not defined'],
        ["no current-context", "clusters: []\n", undefined, "sets no current-context"],
        ["a cluster that is not there", "contexts: [{name: c, context: {cluster: gone}}]\ncurrent-context: c\n", undefined, 'cluster "gone" is not defined'],
        ["a cluster without a server", "clusters: [{name: a, cluster: {}}]\ncontexts: [{name: c, context: {cluster: a}}]\ncurrent-context: c\n", undefined, 'cluster "a" has no server'],
        ["a user that is not there", "clusters: [{name: a, cluster: {server: https://a}}]\ncontexts: [{name: c, context: {cluster: a, user: bob}}]\ncurrent-context: c\n", undefined, 'user "bob" is not defined'],
        ["text that is not YAML", "clusters: [", undefined, "is not YAML"],
    ])("names what is wrong: %s", (_case, text, context, message) => {
        expect(() => kubeconfigContext(text, context)).toThrow(KubeconfigError);
        expect(() => kubeconfigContext(text, context)).toThrow(message);
    });
});
