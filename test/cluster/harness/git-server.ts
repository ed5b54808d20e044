/**
 * A read-only git server on the node's address, for Argo CD's repo-server to clone the app
 * chart from, as it would clone a hosted repository. Git's own smart-HTTP backend
 * (`git http-backend`, a CGI program) answers; this file is only the CGI glue, because Node's
 * http module is all the harness needs and a web server package would bring more than that.
 * It serves a bare clone of the repository's committed HEAD: what a user would push.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { run, runOk } from "../../e2e/harness/process";

/** The branch HEAD is served on when the source's HEAD is detached. */
export const servedBranch = "served-head";

export interface GitServer {
    /** The clone URL, e.g. http://10.250.0.1:8418/gourmetgram-mlops.git */
    url: string;
    /** The commit it serves. */
    commit: string;
    stop(): Promise<void>;
}

export interface GitServerOptions {
    /** The repository whose HEAD is served. */
    source: string;
    /** Where the bare clone goes. */
    dir: string;
    host: string;
    port: number;
    /** The repository's name in the URL. */
    name: string;
}

/** CGI output: headers, a blank line, the body. `Status:` sets the HTTP status. */
function splitCgiResponse(output: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
    const crlf = output.indexOf("\r\n\r\n");
    const lf = output.indexOf("\n\n");
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return { status: 502, headers: { "content-type": "text/plain" }, body: Buffer.from("git http-backend gave no headers\n") };
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of output.subarray(0, end).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === "status") status = Number.parseInt(value, 10) || 502;
        else headers[key] = value;
    }
    return { status, headers, body: output.subarray(end + (end === crlf ? 4 : 2)) };
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
    const bare = path.join(options.dir, `${options.name}.git`);
    fs.rmSync(bare, { recursive: true, force: true });
    fs.mkdirSync(options.dir, { recursive: true });
    await runOk("git", ["clone", "--quiet", "--bare", "--no-local", options.source, bare], { timeoutMs: 120_000 });
    const commit = (await runOk("git", ["--git-dir", bare, "rev-parse", "HEAD"])).trim();
    // A detached HEAD (a checkout of a commit, as CI or a worktree may have) is advertised
    // without a branch; go-git, Argo CD's git client, then resolves HEAD only through a branch
    // at the same commit and otherwise fails with "reference not found". Serve it on a branch.
    if ((await run("git", ["--git-dir", bare, "symbolic-ref", "-q", "HEAD"])).code !== 0) {
        await runOk("git", ["--git-dir", bare, "update-ref", `refs/heads/${servedBranch}`, commit]);
        await runOk("git", ["--git-dir", bare, "symbolic-ref", "HEAD", `refs/heads/${servedBranch}`]);
    }

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://git.invalid");
        // Fetches only: a push (git-receive-pack) is refused before git sees it.
        if (url.pathname.endsWith("/git-receive-pack") || url.searchParams.get("service") === "git-receive-pack") {
            res.writeHead(403, { "content-type": "text/plain" }).end("this server is read-only\n");
            return;
        }
        const cgi = spawn("git", ["http-backend"], {
            env: {
                PATH: process.env.PATH,
                GIT_PROJECT_ROOT: options.dir,
                GIT_HTTP_EXPORT_ALL: "1",
                GATEWAY_INTERFACE: "CGI/1.1",
                REQUEST_METHOD: req.method ?? "GET",
                PATH_INFO: decodeURIComponent(url.pathname),
                QUERY_STRING: url.search.slice(1),
                CONTENT_TYPE: req.headers["content-type"] ?? "",
                HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
                HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
                REMOTE_ADDR: req.socket.remoteAddress ?? "",
            },
            stdio: ["pipe", "pipe", "ignore"],
        });
        const chunks: Buffer[] = [];
        cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
        cgi.on("close", () => {
            const { status, headers, body } = splitCgiResponse(Buffer.concat(chunks));
            res.writeHead(status, headers).end(body);
        });
        cgi.on("error", (error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`));
        req.pipe(cgi.stdin);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => resolve());
    });
    return {
        url: `http://${options.host}:${options.port}/${options.name}.git`,
        commit,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
