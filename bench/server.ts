/**
 * The benchmark's one loopback server, run as its own process so it never shares an event
 * loop with a load generator. Routes:
 *   /fast      200 "ok" at once (throughput)
 *   /dist      200 after a delay from a known distribution: uniform on [10, 100) ms, drawn
 *              by a low-discrepancy sequence so any 1000 consecutive requests cover it evenly
 *   /503 /404  that status at once;  /reset  the socket is destroyed without an answer
 *   /stats     the delays /dist applied so far (the measured truth); /stats/clear resets them
 * Prints its port on stdout when listening.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const distribution = { minMs: 10, maxMs: 100 };
const golden = (Math.sqrt(5) - 1) / 2;
let distCount = 0;
let applied: number[] = [];

const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const send = (status: number, body: string) => {
        res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
        res.end(body);
    };
    if (url === "/fast") return send(200, "ok");
    if (url === "/503") return send(503, "unavailable");
    if (url === "/404") return send(404, "not found");
    if (url === "/reset") return req.socket.destroy();
    if (url === "/dist") {
        const u = (++distCount * golden) % 1;
        const delay = distribution.minMs + u * (distribution.maxMs - distribution.minMs);
        const started = performance.now();
        setTimeout(() => {
            applied.push(performance.now() - started);
            send(200, "ok");
        }, delay);
        return;
    }
    if (url === "/stats") return send(200, JSON.stringify(applied));
    if (url === "/stats/clear") {
        applied = [];
        distCount = 0;
        return send(200, "cleared");
    }
    send(404, "no route");
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
