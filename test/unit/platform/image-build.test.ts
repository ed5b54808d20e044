import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { gunzipSync } from "zlib";
import { buildContext, contentTag, maxContextBytes } from "../../../infra/platform/image-build/context";
import { checkRepositoryName, imageBuildManifests } from "../../../infra/platform/image-build/manifests";
import { buildctlBuildArgs, buildkitdConfig, imageBuilderSecurityContext, imageBuildScript } from "../../../infra/platform/image-build/builder";
import { writeTar } from "../../../infra/platform/image-build/tar";
import { platformImages } from "../../../vocabulary/versions";
import { installMocks, ofType, pinnedImage, settled } from "./harness";
import { validate } from "./schema";

const dirs: string[] = [];
function contextDir(files: Record<string, string | Buffer>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}
afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("writeTar", () => {
    it("writes an archive GNU tar lists and extracts byte for byte, long paths included", () => {
        const longDir = `${"d".repeat(80)}/${"e".repeat(60)}`;
        const tar = writeTar([
            { path: "Dockerfile", type: "file", content: Buffer.from("FROM scratch\n") },
            { path: "bin", type: "directory" },
            { path: "bin/run.sh", type: "file", executable: true, content: Buffer.from("#!/bin/sh\necho hi\n") },
            { path: longDir, type: "directory" },
            { path: `${longDir}/file.txt`, type: "file", content: Buffer.alloc(1500, 120) },
        ]);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "untar-"));
        dirs.push(out);
        const archive = path.join(out, "a.tar");
        fs.writeFileSync(archive, tar);
        execFileSync("tar", ["-xf", archive, "-C", out]);
        expect(fs.readFileSync(path.join(out, "Dockerfile"), "utf8")).toBe("FROM scratch\n");
        expect(fs.statSync(path.join(out, "bin/run.sh")).mode & 0o111).not.toBe(0);
        expect(fs.readFileSync(path.join(out, longDir, "file.txt"))).toEqual(Buffer.alloc(1500, 120));
    });

    it("refuses a path ustar cannot hold", () => {
        expect(() => writeTar([{ path: "x".repeat(300), type: "file", content: Buffer.alloc(1) }])).toThrow(/too long/);
    });
});

describe("buildContext", () => {
    it("gives the same digest for the same sources and a new one when a byte changes", () => {
        const a = buildContext(contextDir({ Dockerfile: "FROM x\n", "app/main.py": "print(1)\n" }), "Dockerfile");
        const b = buildContext(contextDir({ "app/main.py": "print(1)\n", Dockerfile: "FROM x\n" }), "Dockerfile");
        const c = buildContext(contextDir({ Dockerfile: "FROM x\n", "app/main.py": "print(2)\n" }), "Dockerfile");
        expect(a.digest).toBe(b.digest);
        expect(c.digest).not.toBe(a.digest);
        expect(a.files).toEqual(["Dockerfile", "app/main.py"]);
        expect(gunzipSync(a.archive).length % 512).toBe(0);
    });

    it("leaves caches and VCS data out of the context and the digest", () => {
        const plain = buildContext(contextDir({ Dockerfile: "FROM x\n" }), "Dockerfile");
        const noisy = buildContext(contextDir({ Dockerfile: "FROM x\n", "__pycache__/m.pyc": "zz", ".git/HEAD": "ref" }), "Dockerfile");
        expect(noisy.digest).toBe(plain.digest);
    });

    it("takes the Dockerfile name into the digest", () => {
        const dir = contextDir({ Dockerfile: "FROM x\n", "Dockerfile.alt": "FROM x\n" });
        expect(buildContext(dir, "Dockerfile").digest).not.toBe(buildContext(dir, "Dockerfile.alt").digest);
    });

    it("rejects a missing directory, a Dockerfile outside the context, and an oversized context", () => {
        expect(() => buildContext("/nonexistent/ctx", "Dockerfile")).toThrow(/is not a directory/);
        const dir = contextDir({ Dockerfile: "FROM x\n" });
        expect(() => buildContext(dir, "../Dockerfile")).toThrow(/inside the build context/);
        expect(() => buildContext(dir, "Missing")).toThrow(/inside the build context/);
        const random = randomBytes(maxContextBytes + 4096);
        expect(() => buildContext(contextDir({ Dockerfile: "FROM x\n", "model.bin": random }), "Dockerfile")).toThrow(/at most \d+ fit in a ConfigMap/);
    });

    it("tags by a prefix of the digest", () => {
        expect(contentTag("a".repeat(64))).toBe(`src-${"a".repeat(24)}`);
        expect(() => contentTag("nothex")).toThrow(/sha256/);
    });
});

describe("imageBuildManifests", () => {
    const m = imageBuildManifests({
        repository: "gourmetgram-gates",
        registryHost: "registry.kube-system.svc.cluster.local:5000",
        tag: `src-${"b".repeat(24)}`,
        dockerfile: "Dockerfile",
        namespace: "gourmetgram-platform",
        archiveBase64: Buffer.from("ctx").toString("base64"),
    });

    const reference = `registry.kube-system.svc.cluster.local:5000/gourmetgram-gates:src-${"b".repeat(24)}`;
    const pod = m.job.spec!.template.spec!;

    it("keeps the context and buildkitd's configuration in one immutable ConfigMap", () => {
        expect(m.context.immutable).toBe(true);
        expect(m.context.binaryData).toEqual({ "context.tar.gz": Buffer.from("ctx").toString("base64") });
        expect(m.context.data).toEqual({ "buildkitd.toml": buildkitdConfig("registry.kube-system.svc.cluster.local:5000") });
    });

    it("unpacks the archive into a directory first, as a restricted container of the builder's image", () => {
        const [unpack] = pod.initContainers!;
        expect(unpack.image).toBe(platformImages.buildkit);
        expect(unpack.command).toEqual(["tar", "-xzf", "/workspace/archive/context.tar.gz", "-C", "/workspace/context"]);
        expect(unpack.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        const volumes = Object.fromEntries(pod.volumes!.map((v) => [v.name, v]));
        const mounts = Object.fromEntries(unpack.volumeMounts!.map((m) => [m.mountPath, m.name]));
        expect(volumes[mounts["/workspace/archive"]].configMap).toEqual({ name: m.context.metadata!.name, items: [{ key: "context.tar.gz", path: "context.tar.gz" }] });
        expect(volumes[mounts["/workspace/context"]].emptyDir).toEqual({});
    });

    it("builds the directory with BuildKit and pushes the content-tagged image, with the registry cache beside it", () => {
        const [container] = pod.containers;
        expect(container.image).toBe(platformImages.buildkit);
        expect(container.image).toMatch(pinnedImage);
        expect(container.command).toEqual(["/bin/sh", "-c", imageBuildScript, "image-build"]);
        expect(container.args).toEqual(buildctlBuildArgs({ contextDir: "/workspace/context", dockerfile: "Dockerfile", images: [reference] }));
        expect(container.args).toContain(`--output=type=image,"name=${reference}",push=true`);
        expect(container.args).toContain("--import-cache=type=registry,ref=registry.kube-system.svc.cluster.local:5000/gourmetgram-gates:buildcache");
        expect(container.securityContext).toEqual(imageBuilderSecurityContext());
        expect(container.resources!.limits).toBeDefined();
        // buildkitd reads its configuration from the build's own ConfigMap.
        const config = pod.volumes!.find((v) => v.name === container.volumeMounts!.find((m) => m.mountPath === "/etc/buildkit")!.name)!;
        expect(config.configMap).toEqual({ name: m.context.metadata!.name, items: [{ key: "buildkitd.toml", path: "buildkitd.toml" }] });
        // Every mount of every container has its volume.
        const names = new Set(pod.volumes!.map((v) => v.name));
        for (const c of [...pod.initContainers!, ...pod.containers]) for (const mount of c.volumeMounts!) expect(names.has(mount.name), mount.name).toBe(true);
    });

    it("says beside the Job why the builder container runs as it does", () => {
        const annotations = Object.values(m.job.metadata!.annotations!);
        for (const check of ["CKV_K8S_23", "CKV_K8S_40", "CKV_K8S_25"]) {
            expect(annotations.find((a) => a.startsWith(`${check}=`)), check).toMatch(/image-build container/);
        }
        expect(annotations.some((a) => a.startsWith("CKV_K8S_22="))).toBe(false);
    });

    it("passes a Dockerfile below the context's root to the frontend by its path", () => {
        const nested = imageBuildManifests({
            repository: "gourmetgram-gates",
            registryHost: "127.0.0.1:5000",
            tag: `src-${"c".repeat(24)}`,
            dockerfile: "pipeline/images/gates/Dockerfile",
            namespace: "gourmetgram-platform",
            archiveBase64: "",
        });
        const args = nested.job.spec!.template.spec!.containers[0].args!;
        expect(args).toContain("--opt=filename=pipeline/images/gates/Dockerfile");
        expect(args).toContain("--local=dockerfile=/workspace/context");
        expect(nested.context.data).toEqual({ "buildkitd.toml": '[registry."127.0.0.1:5000"]\n  http = true\n' });
    });

    it("names both objects after the content hash, within the DNS label limit", () => {
        for (const o of [m.context, m.job]) {
            expect(o.metadata!.name!.endsWith("b".repeat(12))).toBe(true);
            expect(o.metadata!.name!.length).toBeLessThanOrEqual(63);
            expect(() => validate(o)).not.toThrow();
        }
    });

    it("rejects repository names the registry would refuse", () => {
        expect(() => checkRepositoryName("Gates")).toThrow(/lowercase/);
        expect(() => checkRepositoryName("a//b")).toThrow();
        expect(checkRepositoryName("team/gates-v2")).toBe("team/gates-v2");
    });
});

describe("ImageBuild component", () => {
    it("creates the context and Job when on, and only computes the tag when off", async () => {
        const registered = installMocks();
        const { ImageBuild } = await import("../../../infra/platform/image-build/index.js");
        const dir = contextDir({ Dockerfile: "FROM x\n" });
        const on = new ImageBuild("gates", { name: "gourmetgram-gates", contextDir: dir });
        const off = new ImageBuild("gates-off", { name: "gourmetgram-gates", contextDir: dir, enabled: false });
        await settled(registered);
        const image = (o: typeof on) => new Promise<string>((r) => o.image.apply(r));
        expect(await image(on)).toBe(await image(off));
        expect(await image(off)).toMatch(/^registry\.kube-system\.svc\.cluster\.local:5000\/gourmetgram-gates:src-[0-9a-f]{24}$/);
        expect(on.built).toBe(true);
        expect(off.built).toBe(false);
        expect(ofType(registered, "kubernetes:batch/v1:Job")).toHaveLength(1);
        expect(ofType(registered, "kubernetes:core/v1:ConfigMap")).toHaveLength(1);
    });
});

describe("buildContext with include", () => {
    it("sends only the included paths and the Dockerfile, with their parent directories", () => {
        const dir = contextDir({
            "images/gates/Dockerfile": "FROM x\n",
            "package.json": "{}\n",
            "src/gates/cli.ts": "run()\n",
            "src/gates/http.ts": "get()\n",
            "docs/readme.md": "text\n",
            "test/cli.test.ts": "test()\n",
        });
        const context = buildContext(dir, "images/gates/Dockerfile", ["package.json", "src/gates"]);
        expect(context.files).toEqual(["images/gates/Dockerfile", "package.json", "src/gates/cli.ts", "src/gates/http.ts"]);
    });

    it("keeps its digest when files outside the included paths change", () => {
        const files = { Dockerfile: "FROM x\n", "app/main.py": "print(1)\n", "notes.md": "a\n" };
        const before = buildContext(contextDir(files), "Dockerfile", ["app"]);
        const after = buildContext(contextDir({ ...files, "notes.md": "b\n", "other/x": "y" }), "Dockerfile", ["app"]);
        expect(after.digest).toBe(before.digest);
        const changed = buildContext(contextDir({ ...files, "app/main.py": "print(2)\n" }), "Dockerfile", ["app"]);
        expect(changed.digest).not.toBe(before.digest);
    });

    it("refuses included paths that are missing or outside the context", () => {
        const dir = contextDir({ Dockerfile: "FROM x\n" });
        expect(() => buildContext(dir, "Dockerfile", ["missing.txt"])).toThrow(/included path missing\.txt does not exist/);
        expect(() => buildContext(dir, "Dockerfile", ["../etc/passwd"])).toThrow(/must be a path inside the context/);
        expect(() => buildContext(dir, "Dockerfile", ["/etc/passwd"])).toThrow(/must be a path inside the context/);
    });
});
