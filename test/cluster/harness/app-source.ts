/**
 * The app repository the pipeline builds from on the one-node cluster, in place of the upstream
 * app's (github.com/teaching-on-testbeds/gourmetgram, branch `workflow`): a git repository with
 * the app stand-in (test/support/app-standin: app.py, its page, its requirements, a Dockerfile
 * shaped as upstream's) and the bundled test image `/test` classifies, drawn by the stand-in's
 * own script, committed on a `workflow` branch.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runOk } from "../../e2e/harness/process";
import { appPythons, requirePython } from "../../support/app-standin";

const standin = path.join(__dirname, "..", "..", "support", "app-standin");
/** What the repository holds, as upstream lays it out. */
const appFiles = ["app.py", "templates", "requirements.txt", "Dockerfile"] as const;
export const appBranch = "workflow";

export interface AppRepository {
    /** A non-bare repository whose HEAD is the `workflow` branch. */
    dir: string;
    commit: string;
}

export async function createAppRepository(dir: string): Promise<AppRepository> {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const file of appFiles) fs.cpSync(path.join(standin, file), path.join(dir, file), { recursive: true });
    const uploads = path.join(dir, "instance", "uploads");
    fs.mkdirSync(uploads, { recursive: true });
    await runOk(requirePython(appPythons.debian), [path.join(standin, "make_test_image.py"), path.join(uploads, "test_image.jpeg")], { timeoutMs: 120_000 });
    const git = (args: string[]) =>
        runOk("git", ["-C", dir, "-c", "user.name=GourmetGram lab", "-c", "user.email=lab@gourmetgram.invalid", "-c", "commit.gpgsign=false", ...args]);
    await git(["init", "--quiet", `--initial-branch=${appBranch}`]);
    await git(["add", "--all"]);
    await git(["commit", "--quiet", "-m", "GourmetGram app stand-in"]);
    return { dir, commit: (await git(["rev-parse", "HEAD"])).trim() };
}
