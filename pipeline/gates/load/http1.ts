/**
 * Hand-written: undici's per-request dispatch cost more CPU than the servers under test (bench/).
 *
 * A minimal HTTP/1.1 client for the load generator's hot path: keep-alive connections that
 * send one prebuilt GET and parse just enough of the answer to know its status and where it
 * ends (Content-Length, chunked, or close-delimited). Everything else in the gates uses undici.
 */
import * as net from "node:net";
import * as tls from "node:tls";

export type Ending = { kind: "response"; status: number } | { kind: "error"; code: string };

export interface Exchange {
    /** Called exactly once with how the exchange ended. */
    end(ending: Ending): void;
}

const CRLF2 = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");

export type BodyMode = { kind: "length"; remaining: number } | { kind: "chunked" } | { kind: "until-close" } | { kind: "none" };

/** What the client needs from a response head: its status, how its body ends, and whether the connection closes after it. */
export interface ResponseHead {
    status: number;
    body: BodyMode;
    close: boolean;
}

const lower = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);

/** True when buf[at..at+name.length) equals `name` (lowercase ASCII) ignoring case. */
function nameIs(buf: Buffer, at: number, end: number, name: Buffer): boolean {
    if (end - at !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (lower(buf[at + i]) !== name[i]) return false;
    return true;
}

const H_CONTENT_LENGTH = Buffer.from("content-length");
const H_TRANSFER_ENCODING = Buffer.from("transfer-encoding");
const H_CONNECTION = Buffer.from("connection");

/**
 * Parses the head of a response (buf up to end, before its blank line) straight from the bytes,
 * without building strings for headers the client ignores; undefined when it is not HTTP/1.x.
 */
export function parseHeadBytes(buf: Buffer, end: number): ResponseHead | undefined {
    // "HTTP/1.x SSS"
    if (end < 12 || buf[0] !== 0x48 || buf[4] !== 0x2f || buf[5] !== 0x31 || buf[6] !== 0x2e || buf[8] !== 0x20) return undefined;
    const minor = buf[7];
    if (minor !== 0x30 && minor !== 0x31) return undefined;
    const d0 = buf[9] - 48, d1 = buf[10] - 48, d2 = buf[11] - 48;
    if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return undefined;
    const status = d0 * 100 + d1 * 10 + d2;
    let length: number | undefined;
    let chunked = false;
    let connection = "";
    let line = buf.indexOf(CRLF, 0);
    while (line >= 0 && line < end) {
        const start = line + 2;
        let next = buf.indexOf(CRLF, start);
        if (next < 0 || next > end) next = end;
        const colon = buf.indexOf(0x3a, start);
        if (colon > start && colon < next) {
            let nameEnd = colon;
            while (nameEnd > start && buf[nameEnd - 1] === 0x20) nameEnd--;
            const c = lower(buf[start]);
            if (c === 0x63 || c === 0x74) {
                if (nameIs(buf, start, nameEnd, H_CONTENT_LENGTH)) {
                    length = Number(buf.toString("latin1", colon + 1, next).trim());
                } else if (nameIs(buf, start, nameEnd, H_TRANSFER_ENCODING)) {
                    chunked = buf.toString("latin1", colon + 1, next).toLowerCase().split(",").map((x) => x.trim()).includes("chunked");
                } else if (nameIs(buf, start, nameEnd, H_CONNECTION)) {
                    connection = buf.toString("latin1", colon + 1, next).trim().toLowerCase();
                }
            }
        }
        line = next === end ? -1 : next;
    }
    const close = connection.includes("close") || (minor === 0x30 && !connection.includes("keep-alive"));
    let body: BodyMode;
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) body = { kind: "none" };
    else if (chunked) body = { kind: "chunked" };
    else if (length !== undefined && Number.isFinite(length) && length >= 0) body = length === 0 ? { kind: "none" } : { kind: "length", remaining: length };
    else body = { kind: "until-close" };
    return { status, body, close: close || body.kind === "until-close" };
}

const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

class Connection {
    private socket: net.Socket;
    private buffer: Buffer | null = null;
    private exchange: Exchange | undefined;
    private status = 0;
    private body: BodyMode = { kind: "none" };
    private closeAfter = false;
    private inHead = true;
    /** Chunked decoding: bytes of chunk data (plus its CRLF) still to skip; -1 = expecting a size line. */
    private chunkLeft = -1;
    private inTrailers = false;
    dead = false;

    constructor(
        url: URL,
        private readonly request: Buffer,
        private readonly onIdle: (c: Connection) => void,
        private readonly onDead: (c: Connection) => void,
    ) {
        const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
        const host = url.hostname.replace(/^\[|\]$/g, "");
        if (url.protocol === "https:") {
            this.socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host });
            this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
        } else {
            // Plain TCP reads into one buffer shared by every connection (each read is handled
            // synchronously in the callback, before the next); onData copies what it keeps.
            this.socket = net.connect({
                host,
                port,
                onread: {
                    buffer: sharedReadBuffer,
                    callback: (n: number, buf: Uint8Array) => {
                        this.onData(Buffer.from(buf.buffer, buf.byteOffset, n), true);
                        return true;
                    },
                },
            });
        }
        this.socket.setNoDelay(true);
        this.socket.on("error", (err: NodeJS.ErrnoException) => this.fail(err.code ?? "ESOCKET"));
        this.socket.on("close", () => this.onClose());
    }

    get current(): Exchange | undefined {
        return this.exchange;
    }

    send(exchange: Exchange): void {
        this.exchange = exchange;
        this.inHead = true;
        this.status = 0;
        this.socket.write(this.request);
    }

    /** Abandons the exchange in flight (timeout); the connection cannot be reused. */
    abort(): void {
        this.dead = true;
        this.exchange = undefined;
        this.socket.destroy();
    }

    destroy(): void {
        this.dead = true;
        this.socket.destroy();
    }

    private finish(ending: Ending): void {
        const ex = this.exchange;
        this.exchange = undefined;
        this.buffer = null;
        if (this.closeAfter || ending.kind === "error") {
            this.dead = true;
            this.socket.destroy();
            this.onDead(this);
        }
        ex?.end(ending);
        if (!this.dead) this.onIdle(this);
    }

    private fail(code: string): void {
        if (this.dead && !this.exchange) return;
        if (this.exchange) this.finish({ kind: "error", code });
        else {
            this.dead = true;
            this.onDead(this);
        }
    }

    private onClose(): void {
        if (this.exchange) {
            // A close-delimited body ends with the connection; anything else is cut short.
            if (!this.inHead && this.body.kind === "until-close") this.finish({ kind: "response", status: this.status });
            else this.finish({ kind: "error", code: "ECONNRESET" });
        } else if (!this.dead) {
            this.dead = true;
            this.onDead(this);
        }
    }

    private onData(chunk: Buffer, borrowed = false): void {
        if (!this.exchange) {
            // Bytes nobody asked for: the connection is out of step, drop it.
            this.destroy();
            this.onDead(this);
            return;
        }
        let buf = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
        this.buffer = null;
        while (buf.length > 0 && this.exchange) {
            if (this.inHead) {
                const end = buf.indexOf(CRLF2);
                if (end < 0) {
                    if (buf.length > 64 * 1024) return this.finish({ kind: "error", code: "HPE_HEADER_OVERFLOW" });
                    this.buffer = borrowed && buf.buffer === chunk.buffer ? Buffer.from(buf) : buf;
                    return;
                }
                const head = parseHeadBytes(buf, end);
                buf = buf.subarray(end + 4);
                if (!head) return this.finish({ kind: "error", code: "HPE_INVALID_RESPONSE" });
                if (head.status >= 100 && head.status < 200) continue; // interim response: the real one follows
                this.status = head.status;
                this.body = head.body;
                this.closeAfter = head.close;
                this.inHead = false;
                this.chunkLeft = -1;
                this.inTrailers = false;
                if (this.body.kind === "none") {
                    this.finish({ kind: "response", status: this.status });
                    continue;
                }
            }
            const b = this.body;
            if (b.kind === "until-close") return;
            if (b.kind === "length") {
                if (buf.length < b.remaining) {
                    b.remaining -= buf.length;
                    return;
                }
                buf = buf.subarray(b.remaining);
                this.finish({ kind: "response", status: this.status });
                continue;
            }
            if (b.kind === "chunked") {
                const done = this.consumeChunked(buf);
                if (done === undefined) return;
                buf = done;
                this.finish({ kind: "response", status: this.status });
            }
        }
        if (buf.length > 0 && !this.dead) {
            this.destroy();
            this.onDead(this);
        }
    }

    /** Consumes chunked body bytes; returns the bytes after the body, or undefined if more are needed. */
    private consumeChunked(input: Buffer): Buffer | undefined {
        let buf = input;
        for (;;) {
            if (this.chunkLeft > 0) {
                if (buf.length < this.chunkLeft) {
                    this.chunkLeft -= buf.length;
                    return undefined;
                }
                buf = buf.subarray(this.chunkLeft);
                this.chunkLeft = -1;
            }
            const eol = buf.indexOf(CRLF);
            if (eol < 0) {
                this.buffer = Buffer.from(buf);
                return undefined;
            }
            const line = buf.toString("latin1", 0, eol);
            buf = buf.subarray(eol + 2);
            if (this.inTrailers) {
                if (line === "") return buf;
                continue;
            }
            const size = parseInt(line, 16);
            if (!Number.isFinite(size)) {
                this.finish({ kind: "error", code: "HPE_INVALID_CHUNK_SIZE" });
                return undefined;
            }
            if (size === 0) this.inTrailers = true;
            else this.chunkLeft = size + 2;
        }
    }
}

/** Up to `size` keep-alive connections to one origin; exchanges beyond that wait in a queue. */
export class Http1Pool {
    private readonly request: Buffer;
    private readonly idle: Connection[] = [];
    private readonly queue: Exchange[] = [];
    private readonly all = new Set<Connection>();
    private closed = false;

    constructor(
        private readonly url: URL,
        private readonly size: number,
    ) {
        const path = url.pathname + url.search;
        this.request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: */*\r\nUser-Agent: gourmetgram-gate\r\n\r\n`, "latin1");
    }

    dispatch(exchange: Exchange): void {
        if (this.closed) return exchange.end({ kind: "error", code: "EPOOLCLOSED" });
        let conn: Connection | undefined;
        while ((conn = this.idle.pop()) && conn.dead) {
            // skip connections the server closed while idle
        }
        if (!conn && this.all.size < this.size) conn = this.open();
        if (conn) conn.send(exchange);
        else this.queue.push(exchange);
    }

    /** Gives up on an exchange (timeout): its connection is closed, or it leaves the queue. */
    abort(exchange: Exchange): void {
        for (const conn of this.all) {
            if (conn.current === exchange) {
                conn.abort();
                this.all.delete(conn);
                this.pump();
                return;
            }
        }
        const i = this.queue.indexOf(exchange);
        if (i >= 0) this.queue.splice(i, 1);
    }

    close(): void {
        this.closed = true;
        for (const c of this.all) c.destroy();
        this.all.clear();
        this.idle.length = 0;
        this.queue.length = 0;
    }

    private open(): Connection {
        const conn = new Connection(
            this.url,
            this.request,
            (c) => {
                const next = this.queue.shift();
                if (next) c.send(next);
                else this.idle.push(c);
            },
            (c) => {
                this.all.delete(c);
                this.pump();
            },
        );
        this.all.add(conn);
        return conn;
    }

    private pump(): void {
        while (!this.closed && this.queue.length > 0 && this.all.size < this.size) this.open().send(this.queue.shift()!);
    }
}
