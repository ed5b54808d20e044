/** The load generator's HTTP/1.1 client against servers that answer in every framing HTTP allows. */
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type BodyMode, type Ending, Http1Pool, parseHeadBytes, type ResponseHead } from "../../pipeline/gates/load/http1";

const heads = [
    "HTTP/1.1 200 OK\r\nContent-Length: 2",
    "HTTP/1.1 503 Service Unavailable\r\ncontent-length:11\r\nConnection: close",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked",
    "HTTP/1.0 200 OK\r\nContent-Length: 5",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5",
    "HTTP/1.1 204 No Content",
    "HTTP/1.1 200 OK\r\nServer: x",
    "HTTP/1.1 100 Continue",
    "HTTP/1.1 200 OK\r\nCONTENT-LENGTH : 0",
    "HTTP/2 200",
    "garbage",
];

/** The client's byte parser on a head, as it meets it: followed by the blank line. */
function parsed(head: string): ResponseHead | undefined {
    const buf = Buffer.from(`${head}\r\n\r\n`, "latin1");
    return parseHeadBytes(buf, buf.indexOf("\r\n\r\n"));
}

/** The same rules written plainly over a string: the reference the byte parser must agree with. */
function referenceHead(head: string): ResponseHead | undefined {
    const firstLine = head.indexOf("\r\n");
    const statusLine = firstLine < 0 ? head : head.slice(0, firstLine);
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(statusLine);
    if (!m) return undefined;
    const http10 = m[1] === "0";
    const status = Number(m[2]);
    let length: number | undefined;
    let chunked = false;
    let connection = "";
    for (const line of head.slice(firstLine + 2).split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === "content-length") length = Number(value);
        else if (name === "transfer-encoding") chunked = value.toLowerCase().split(",").map((s) => s.trim()).includes("chunked");
        else if (name === "connection") connection = value.toLowerCase();
    }
    const close = connection.includes("close") || (http10 && !connection.includes("keep-alive"));
    let body: BodyMode;
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) body = { kind: "none" };
    else if (chunked) body = { kind: "chunked" };
    else if (length !== undefined && Number.isFinite(length) && length >= 0) body = length === 0 ? { kind: "none" } : { kind: "length", remaining: length };
    else body = { kind: "until-close" };
    return { status, body, close: close || body.kind === "until-close" };
}

describe("response heads", () => {
    it.each(heads)("byte parser agrees with the string parser: %j", (head) => {
        expect(parsed(head)).toEqual(referenceHead(head));
    });
    it("reads framing and persistence", () => {
        expect(parsed(heads[0])).toEqual({ status: 200, body: { kind: "length", remaining: 2 }, close: false });
        expect(parsed(heads[1])!.close).toBe(true);
        expect(parsed(heads[2])!.body).toEqual({ kind: "chunked" });
        expect(parsed(heads[3])!.close).toBe(true);
        expect(parsed(heads[4])!.close).toBe(false);
        expect(parsed(heads[5])!.body).toEqual({ kind: "none" });
        expect(parsed(heads[6])).toEqual({ status: 200, body: { kind: "until-close" }, close: true });
        expect(parsed(heads[9])).toBeUndefined();
    });
});

let servers: net.Server[] = [];
afterEach(() => {
    for (const s of servers) s.close();
    servers = [];
});

/** A raw TCP server that answers each request (one per "\r\n\r\n") with `answer(n)`, byte by byte if asked. */
async function rawServer(answer: (n: number, socket: net.Socket) => string | undefined, dribble = false): Promise<URL> {
    let n = 0;
    const server = net.createServer((socket) => {
        let pending = "";
        socket.on("data", (d) => {
            pending += d.toString("latin1");
            let i: number;
            while ((i = pending.indexOf("\r\n\r\n")) >= 0) {
                pending = pending.slice(i + 4);
                const text = answer(++n, socket);
                if (text === undefined) continue;
                if (!dribble) socket.write(text);
                else for (const ch of text) socket.write(ch);
            }
        });
        socket.on("error", () => undefined);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
}

async function exchanges(url: URL, count: number, size = 1): Promise<Ending[]> {
    const pool = new Http1Pool(url, size);
    const endings: Ending[] = [];
    await new Promise<void>((resolve) => {
        let started = 0;
        const go = () => {
            started++;
            pool.dispatch({
                end: (e) => {
                    endings.push(e);
                    if (endings.length === count) resolve();
                    else if (started < count) go();
                },
            });
        };
        for (let i = 0; i < Math.min(size, count); i++) go();
    });
    pool.close();
    return endings;
}

describe("HTTP/1.1 client", () => {
    it("reuses a keep-alive connection for Content-Length answers, even when split into single bytes", async () => {
        let connections = 0;
        const url = await rawServer((n, socket) => {
            if (n === 1) connections++;
            void socket;
            return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`;
        }, true);
        const endings = await exchanges(url, 5);
        expect(endings).toEqual(Array(5).fill({ kind: "response", status: 200 }));
        expect(connections).toBe(1);
    });

    it("reads chunked bodies with trailers and interim 100 responses", async () => {
        const url = await rawServer(() => "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-Trailer: y\r\n\r\n", true);
        expect(await exchanges(url, 3)).toEqual(Array(3).fill({ kind: "response", status: 201 }));
    });

    it("opens a new connection after Connection: close and after a close-delimited body", async () => {
        const url = await rawServer((n, socket) => {
            if (n % 2) {
                socket.end("HTTP/1.1 200 OK\r\n\r\nbody until close");
                return undefined;
            }
            return "HTTP/1.1 503 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        });
        const endings = await exchanges(url, 2);
        expect(endings).toEqual([
            { kind: "response", status: 200 },
            { kind: "response", status: 503 },
        ]);
    });

    it("reports a connection cut mid-answer as a reset, and a malformed answer as a protocol error", async () => {
        const cut = await rawServer((_n, socket) => {
            socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a bit");
            return undefined;
        });
        expect(await exchanges(cut, 1)).toEqual([{ kind: "error", code: "ECONNRESET" }]);
        const bad = await rawServer(() => "SSH-2.0-OpenSSH\r\n\r\n");
        expect(await exchanges(bad, 1)).toEqual([{ kind: "error", code: "HPE_INVALID_RESPONSE" }]);
    });

    it("queues beyond the pool size and reports a refused connection", async () => {
        const url = await rawServer(() => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        expect(await exchanges(url, 20, 3)).toHaveLength(20);
        const closed = new URL(url.toString());
        servers[0].close();
        await new Promise((r) => setTimeout(r, 50));
        const endings = await exchanges(closed, 2, 2);
        expect(endings.every((e) => e.kind === "error" && e.code === "ECONNREFUSED")).toBe(true);
    });
});
