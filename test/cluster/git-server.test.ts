/**
 * The harness's git server (what Argo CD clones the app chart from on the one-node cluster):
 * git clones the repository's HEAD through it over smart HTTP, and a push is refused.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, run, runOk } from "../e2e/harness/process";
import { repoRoot } from "../e2e/harness/render";
import { servedBranch, startGitServer, type GitServer } from "./harness/git-server";

describe("the harness's read-only git server", () => {
    let server: GitServer;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "git-server-"));

    beforeAll(async () => {
        server = await startGitServer({ source: repoRoot, dir: path.join(dir, "served"), host: "127.0.0.1", port: await freeLoopbackPort(), name: "gourmetgram-mlops" });
    }, 120_000);
    afterAll(async () => {
        await server?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("serves the repository's HEAD to git clone over HTTP, with the app chart in it", async () => {
        const clone = path.join(dir, "clone");
        await runOk("git", ["clone", "--quiet", server.url, clone], { timeoutMs: 120_000 });
        expect((await runOk("git", ["-C", clone, "rev-parse", "HEAD"])).trim()).toBe(server.commit);
        expect((await runOk("git", ["-C", repoRoot, "rev-parse", "HEAD"])).trim()).toBe(server.commit);
        expect(fs.existsSync(path.join(clone, "infra/apps/chart/Chart.yaml"))).toBe(true);
    }, 120_000);

    it("serves a detached HEAD on a branch, so a client that resolves HEAD through a branch (go-git, Argo CD's) finds it", async () => {
        const source = path.join(dir, "detached-source");
        const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
        await runOk("git", ["init", "--quiet", "--initial-branch=main", source]);
        await runOk("git", ["-C", source, "commit", "--quiet", "--allow-empty", "-m", "one"], { env });
        await runOk("git", ["-C", source, "commit", "--quiet", "--allow-empty", "-m", "two"], { env });
        await runOk("git", ["-C", source, "checkout", "--quiet", "--detach", "HEAD~1"]);
        const detached = await startGitServer({ source, dir: path.join(dir, "served-detached"), host: "127.0.0.1", port: await freeLoopbackPort(), name: "detached" });
        try {
            const refs = await runOk("git", ["ls-remote", "--symref", detached.url, "HEAD"], { timeoutMs: 60_000 });
            expect(refs).toContain(`ref: refs/heads/${servedBranch}\tHEAD`);
            expect(refs).toContain(`${detached.commit}\tHEAD`);
            expect(detached.commit).toBe((await runOk("git", ["-C", source, "rev-parse", "HEAD"])).trim());
        } finally {
            await detached.stop();
        }
    }, 120_000);

    it("refuses a push", async () => {
        const clone = path.join(dir, "pusher");
        await runOk("git", ["clone", "--quiet", server.url, clone], { timeoutMs: 120_000 });
        const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
        await runOk("git", ["-C", clone, "commit", "--quiet", "--allow-empty", "-m", "x"], { env });
        const push = await run("git", ["-C", clone, "push", "--quiet", "origin", "HEAD:refs/heads/pushed"], { env, timeoutMs: 60_000 });
        expect(push.code).not.toBe(0);
        expect(push.stderr).toMatch(/403/);
    }, 120_000);
});
