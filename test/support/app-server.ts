/**
 * An HTTP server shaped like the GourmetGram app (Flask, branch `workflow`): GET /version
 * answers {"model_version": ...}, GET /test the class of its built-in image as bare text,
 * POST /predict (multipart field `file`) an HTML button with the class. Its behaviour can be
 * switched while it runs, to produce every way a deployment can go wrong.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface AppBehaviour {
    /** What /version reports. */
    version: string;
    /** Class returned by /test and /predict. */
    className: string;
    /** Every n-th request (1-based) answers 503; 0 = never. */
    errorEvery: number;
    /** Every n-th request has its socket destroyed without an answer; 0 = never. */
    resetEvery: number;
    /** Every n-th request is delayed by slowMs; 0 = never. */
    slowEvery: number;
    slowMs: number;
    /** Every request is delayed by this much (ms). */
    baseDelayMs: number;
    /** /test and /predict answer Flask's HTML 500 page. */
    htmlError: boolean;
    /** /predict answers the app's "Warning" badge (no prediction). */
    warningBadge: boolean;
    /** Requests are accepted and never answered. */
    hang: boolean;
}

export const healthyBehaviour: AppBehaviour = {
    version: "7",
    className: "Rice",
    errorEvery: 0,
    resetEvery: 0,
    slowEvery: 0,
    slowMs: 0,
    baseDelayMs: 0,
    htmlError: false,
    warningBadge: false,
    hang: false,
};

const flaskInternalError =
    '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
    "<p>The server encountered an internal error and was unable to complete your request.</p>\n";

export interface AppServer {
    url: string;
    behaviour: AppBehaviour;
    set(change: Partial<AppBehaviour>): void;
    /** Requests seen per path. */
    hits: Record<string, number>;
    /** Bodies of the /predict uploads, for checking what the gate sent. */
    uploads: Buffer[];
    close(): Promise<void>;
}

export async function startAppServer(initial: Partial<AppBehaviour> = {}): Promise<AppServer> {
    const state: AppServer = {
        url: "",
        behaviour: { ...healthyBehaviour, ...initial },
        set(change) {
            state.behaviour = { ...state.behaviour, ...change };
        },
        hits: {},
        uploads: [],
        close: async () => undefined,
    };
    let counter = 0;
    const every = (n: number, i: number) => n > 0 && i % n === 0;

    const server = http.createServer((req, res) => {
        const b = state.behaviour;
        const i = ++counter;
        const path = (req.url ?? "/").split("?")[0];
        state.hits[path] = (state.hits[path] ?? 0) + 1;
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            if (b.hang) return;
            if (every(b.resetEvery, i)) {
                req.socket.destroy();
                return;
            }
            const delay = b.baseDelayMs + (every(b.slowEvery, i) ? b.slowMs : 0);
            const answer = () => respond(path, req.method ?? "GET", Buffer.concat(chunks), i, b, res);
            if (delay > 0) setTimeout(answer, delay);
            else answer();
        });
    });

    function respond(path: string, method: string, body: Buffer, i: number, b: AppBehaviour, res: http.ServerResponse) {
        const send = (status: number, type: string, text: string) => {
            res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
            res.end(text);
        };
        if (every(b.errorEvery, i)) return send(503, "text/plain", "Service Unavailable");
        if (path === "/version") return send(200, "application/json", JSON.stringify({ model_version: b.version }));
        if (path === "/test") {
            if (b.htmlError) return send(500, "text/html; charset=utf-8", flaskInternalError);
            return send(200, "text/html; charset=utf-8", b.className);
        }
        if (path === "/predict") {
            if (b.htmlError) return send(500, "text/html; charset=utf-8", flaskInternalError);
            const hasImage = method === "POST" && /name="file"/.test(body.toString("latin1")) && body.includes(Buffer.from([0xff, 0xd8, 0xff]));
            if (hasImage) state.uploads.push(body);
            if (!hasImage || b.warningBadge) return send(200, "text/html; charset=utf-8", '<a href="#" class="badge badge-warning">Warning</a>');
            return send(200, "text/html; charset=utf-8", `<button type="button" class="btn btn-info btn-sm">${b.className}</button>`);
        }
        if (path === "/") return send(200, "text/html; charset=utf-8", "<p>GourmetGram</p>");
        return send(404, "text/html; charset=utf-8", "<!doctype html><title>404 Not Found</title>");
    }

    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    state.url = `http://127.0.0.1:${port}`;
    state.close = () =>
        new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        });
    return state;
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}
