import { describe, expect, it } from "vitest";
import { classifyHost, findLoopbackReferences } from "../../../policies/lib/loopback";

const kinds = (text: string) => findLoopbackReferences(text).map((r) => r.kind);

describe("classifyHost", () => {
    it.each([
        "localhost",
        "LOCALHOST",
        "LocalHost.",
        "foo.localhost",
        "a.b.LOCALHOST",
        "127.0.0.1",
        "127.1",
        "127.255.255.254",
        "0x7f.0.0.1",
        "0x7f000001",
        "0177.0.0.1",
        "2130706433",
        "[::1]",
        "::1",
        "0:0:0:0:0:0:0:1",
        "[::ffff:127.0.0.1]",
        "::ffff:7f00:1",
    ])("%s is loopback", (host) => {
        expect(classifyHost(host)).toBe("loopback");
    });

    it.each(["0.0.0.0", "0", "0x0.0.0.0", "[::]", "::", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0"])("%s is unspecified", (host) => {
        expect(classifyHost(host)).toBe("unspecified");
    });

    it.each([
        "localhost-proxy.example.com",
        "localhost.example.com",
        "mylocalhost",
        "notlocalhost",
        "mlflow.gourmetgram-platform.svc.cluster.local",
        "10.0.0.1",
        "128.0.0.1",
        "126.255.255.255",
        "0.0.0.1",
        "198.51.100.7",
        "[::2]",
        "::ffff:10.0.0.1",
        "{{inputs.parameters.host}}",
        "$MLFLOW_HOST",
        "",
        "1.2.3.999",
    ])("%s is neither", (host) => {
        expect(classifyHost(host)).toBeUndefined();
    });
});

describe("findLoopbackReferences", () => {
    it.each([
        ["http://localhost:8000/version", "loopback"],
        ["curl -sf http://127.1:5000/v2/", "loopback"],
        ["https://LOCALHOST/", "loopback"],
        ["http://local%68ost/", "loopback"],
        ["http://user:pw@localhost:9000", "loopback"],
        ["postgresql://mlflow:pw@0x7f.0.0.1:5432/mlflowdb", "loopback"],
        ["redis://2130706433", "loopback"],
        ["grpc://[::1]:50051", "loopback"],
        ["http://[::ffff:127.0.0.1]:80/", "loopback"],
        ["http://0.0.0.0:8000", "unspecified"],
        ["http://[::]:8000", "unspecified"],
        ["http://localhost:{{inputs.parameters.port}}/predict", "loopback"],
        ["http://localhost:$PORT/predict", "loopback"],
        ["localhost:8000", "loopback"],
        ["127.0.0.1:9000/api", "loopback"],
        ["127.1:8000", "loopback"],
        ["[::1]:8080", "loopback"],
        ["--mlflow-url=localhost:8000", "loopback"],
        ["--host=0.0.0.0", "unspecified"],
        ["::1", "loopback"],
        ["::", "unspecified"],
        ["::ffff:127.0.0.1", "loopback"],
        ["foo.localhost:80", "loopback"],
        ["0177.0.0.1", "loopback"],
        ["0x7f.1", "loopback"],
        ["MLFLOW_HOST=localhost python train.py", "loopback"],
        ['requests.get("http://127.0.0.1:8000/test")', "loopback"],
        ["url: localhost:", "loopback"],
    ])("finds %j", (text, kind) => {
        expect(kinds(text)).toEqual([kind]);
    });

    it.each([
        "http://mlflow.gourmetgram-platform.svc.cluster.local:8000",
        "http://localhost-proxy.example.com:8080",
        "localhost-proxy.example.com",
        "curl http://{{inputs.parameters.app-url}}/predict",
        "python gate.py --threshold 127.5 --ratio 0.0 --retries 0",
        "exit 0",
        "sleep 0:30",
        "x = data[0:8000]",
        "std::string",
        "a[::2]",
        "version 127.0.1",
        "registry.kube-system.svc.cluster.local:5000/gourmetgram-app:staging-1.0.3",
        "/var/lib/localhost-cache/data",
        "",
    ])("ignores %j", (text) => {
        expect(findLoopbackReferences(text)).toEqual([]);
    });

    it("finds every reference in a multi-line script, in order", () => {
        const script = [
            "import requests",
            'MLFLOW = "http://mlflow.gourmetgram-platform.svc.cluster.local:8000"',
            'APP = "http://localhost:8000"',
            "print(requests.get(APP + '/version').json())",
            "server --bind [::]:9000",
        ].join("\n");
        expect(findLoopbackReferences(script)).toEqual([
            { text: "http://localhost:8000", kind: "loopback" },
            { text: "[::]:9000", kind: "unspecified" },
        ]);
    });
});
