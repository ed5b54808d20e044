import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { dnsLabel, nameText, parseNumber, repositoryName, UsageError } from "../../pipeline/gates/args";
import { maxSampleBytes, parseIntegrationArgs } from "../../pipeline/gates/integration/command";
import { parseConnections } from "../../pipeline/gates/release/options";
import { gateImageEnv } from "../../vocabulary/names";
import { nodeVersionProblem } from "../../pipeline/gates/require-node";
import { runCli } from "./cli-runner";

/** Each bad flag value is refused with exit status 2 and a message naming the flag and what is allowed. */
describe("gate CLI bad input", () => {
    it("reads numbers in decimal notation only", () => {
        expect(parseNumber("wait-s", "16", { min: 0 })).toBe(16);
        expect(parseNumber("ratio", ".5", { min: 0, max: 1 })).toBe(0.5);
        for (const raw of ["0x10", "1e3", "Infinity", "0b1", " ", "12abc"]) {
            expect(() => parseNumber("wait-s", raw, { min: 0 }), raw).toThrow(/--wait-s must be a number >= 0 \(decimal digits only\), got/);
        }
    });

    it("takes a namespace only as a DNS label, so it cannot reach another API path", () => {
        expect(dnsLabel("argocd-namespace", "argocd")).toBe("argocd");
        for (const raw of ["../secrets", "argocd/x", "", "A", "-a", "a".repeat(64)]) {
            expect(() => dnsLabel("argocd-namespace", raw), raw).toThrow(UsageError);
        }
    });

    it("takes a repository only as a registry repository name", () => {
        expect(repositoryName("repository", "gourmetgram-app")).toBe("gourmetgram-app");
        expect(repositoryName("repository", "lab/gourmetgram_app.v2")).toBe("lab/gourmetgram_app.v2");
        for (const raw of ["../v2/_catalog", "app/../x", "App", "app/", "/app", "a..b", ""]) {
            expect(() => repositoryName("repository", raw), raw).toThrow(/--repository must be a registry repository name/);
        }
    });

    it("refuses a blank, oversized or control-character model name", () => {
        expect(nameText("model-name", "GourmetGramFood11Model")).toBe("GourmetGramFood11Model");
        for (const raw of ["", "   ", "a\nb", "x".repeat(257)]) {
            expect(() => nameText("model-name", raw), JSON.stringify(raw)).toThrow(/--model-name must be 1-256 printable characters/);
        }
    });

    it("checks connection flags and the environment variables behind them alike", () => {
        expect(() => parseConnections({ modelName: "" })).toThrow(/--model-name/);
        expect(() => parseConnections({}, { [gateImageEnv.argocdNamespace]: "../kube-system" })).toThrow(
            /--argocd-namespace must be a DNS label/,
        );
        expect(parseConnections({}, {})).toMatchObject({ argocdNamespace: "argocd", modelName: "GourmetGramFood11Model" });
    });

    it("uploads only a regular, bounded sample file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-sample-"));
        try {
            const args = (sample: string) => ["--url", "http://127.0.0.1:8000", "--expect-version", "1", "--sample", sample];
            expect(() => parseIntegrationArgs(args("/dev/zero"))).toThrow(/--sample \/dev\/zero is not a regular file/);
            expect(() => parseIntegrationArgs(args(dir))).toThrow(/is not a regular file/);
            expect(() => parseIntegrationArgs(args(path.join(dir, "absent.jpg")))).toThrow(/does not exist/);
            const empty = path.join(dir, "empty.jpg");
            fs.writeFileSync(empty, "");
            expect(() => parseIntegrationArgs(args(empty))).toThrow(/is 0 bytes; an image of 1 byte to 10 MiB is allowed/);
            const huge = path.join(dir, "huge.jpg");
            fs.writeFileSync(huge, Buffer.alloc(maxSampleBytes + 1));
            expect(() => parseIntegrationArgs(args(huge))).toThrow(/is 10485761 bytes/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits 2 with the flag named, through the real CLI", async () => {
        const r = await runCli(["integration", "--url", "http://127.0.0.1:8000", "--expect-version", "1", "--wait-s", "0x10"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/gate integration: --wait-s must be a number >= 0 and <= 3600 \(decimal digits only\), got "0x10"/);
    });
});

describe("gate CLI on an old Node.js", () => {
    it("names the Node it needs", () => {
        expect(nodeVersionProblem("24.21.0")).toBeUndefined();
        expect(nodeVersionProblem("22.19.0")).toBeUndefined();
        expect(nodeVersionProblem("20.20.2")).toMatch(/^needs Node.js 22 or newer, this is v20.20.2/);
    });

    it("says so and exits 2 instead of crashing with a stack trace", () => {
        // npm scripts and the gate image run Node 24; Debian 12's own node is 20.
        const system = "/usr/bin/node";
        const version = spawnSync(system, ["--version"], { encoding: "utf8" }).stdout.trim();
        expect(version, "this check needs the system Node.js 20").toMatch(/^v20\./);
        const root = path.resolve(__dirname, "..", "..");
        const run = spawnSync(system, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "pipeline", "gates", "cli.ts"), "load"], {
            cwd: root,
            encoding: "utf8",
        });
        expect(run.status).toBe(2);
        expect(run.stderr).toBe(`gate: needs Node.js 22 or newer, this is ${version}; run it with the project's Node (npm run gate) or the gate image\n`);
    });
});
