import { describe, expect, it } from "vitest";
import { kubeconfigServerHost, pointKubeconfigAt } from "../../../infra/k3s/kubeconfig";
import { runScript, shellQuote } from "../../../infra/k3s/remote-script";

const k3sWritten = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context: {cluster: default, user: default}
  name: default
current-context: default
kind: Config
users:
- name: default
  user: {token: abc}
`;

describe("pointKubeconfigAt", () => {
    it("rewrites the server to the public address and keeps everything else", () => {
        const rewritten = pointKubeconfigAt(k3sWritten, "198.51.100.7");
        expect(rewritten).toContain("server: https://198.51.100.7:6443");
        expect(rewritten).not.toContain("127.0.0.1");
        expect(rewritten).toContain("certificate-authority-data: Q0E=");
        expect(kubeconfigServerHost(rewritten)).toBe("198.51.100.7");
    });

    it("fails clearly on a kubeconfig without clusters", () => {
        expect(() => pointKubeconfigAt("apiVersion: v1\nkind: Config\n", "198.51.100.7")).toThrow(/has no clusters/);
    });
});

describe("kubeconfigServerHost", () => {
    it("follows the named context, not only the current one", () => {
        const two = `clusters:
- {name: a, cluster: {server: "https://a.example.test:6443"}}
- {name: b, cluster: {server: "https://b.example.test:443"}}
contexts:
- {name: ca, context: {cluster: a}}
- {name: cb, context: {cluster: b}}
current-context: ca
`;
        expect(kubeconfigServerHost(two)).toBe("a.example.test");
        expect(kubeconfigServerHost(two, "cb")).toBe("b.example.test");
        expect(() => kubeconfigServerHost(two, "missing")).toThrow(/the kubeconfig context "missing" is not defined/);
    });
});

describe("runScript", () => {
    it("runs the script as root with its settings in the environment", () => {
        expect(runScript("/home/cc/k3s", "install-server.sh", { K3S_VERSION: "v1.33.5+k3s1", EXPECTED_NODES: 3 })).toBe(
            "sudo env K3S_VERSION=v1.33.5+k3s1 EXPECTED_NODES=3 bash /home/cc/k3s/install-server.sh",
        );
    });

    it("quotes anything that could be read as shell syntax", () => {
        expect(shellQuote("a b")).toBe("'a b'");
        expect(shellQuote("$(reboot)")).toBe("'$(reboot)'");
        expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    });
});
