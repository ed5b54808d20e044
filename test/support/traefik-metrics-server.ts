/**
 * A stand-in for Traefik's Prometheus metrics entry point, on loopback. It serves what Traefik v3
 * serves at /metrics (text format 0.0.4): traefik_service_requests_total with the labels code,
 * method, protocol, service; traefik_service_request_duration_seconds as a histogram with the
 * same labels plus le, cumulative buckets ending in +Inf, _sum and _count; and the unrelated
 * families around them (entry point counters, open connections, Go runtime). Counters only
 * grow: each request a test adds stays counted in every later scrape, as in Traefik.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { traefikLatencyBuckets } from "../../infra/apps/public-route";

export interface ServedRequest {
    service: string;
    code: number;
    method?: string;
    durationS: number;
}

export interface TraefikMetricsStandIn {
    url: string;
    /** Requests Traefik has "proxied" so far; push to add traffic, the next scrape shows it. */
    served: ServedRequest[];
    /** Called before each scrape is answered, with the number of scrapes answered so far. */
    beforeScrape?: (scrape: number) => void;
    /** Answer with this status and body instead of the metrics (e.g. 503 while Traefik starts). */
    override?: { status: number; body: string };
    scrapes: number;
    close(): Promise<void>;
}

function labelText(labels: Record<string, string>): string {
    const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    return `{${Object.entries(labels)
        .map(([k, v]) => `${k}="${escape(v)}"`)
        .join(",")}}`;
}

function formatNumber(n: number): string {
    return n === Number.POSITIVE_INFINITY ? "+Inf" : String(n);
}

/** The exposition Traefik would serve after proxying `served`, with its default buckets replaced by `buckets`. */
export function renderTraefikMetrics(served: readonly ServedRequest[], buckets: readonly number[] = traefikLatencyBuckets): string {
    type Series = { labels: Record<string, string>; count: number; sum: number; buckets: number[] };
    const series = new Map<string, Series>();
    for (const r of served) {
        const labels = { code: String(r.code), method: r.method ?? "GET", protocol: "http", service: r.service };
        const key = JSON.stringify(labels);
        const s = series.get(key) ?? { labels, count: 0, sum: 0, buckets: buckets.map(() => 0) };
        s.count++;
        s.sum += r.durationS;
        buckets.forEach((le, i) => {
            if (r.durationS <= le) s.buckets[i]++;
        });
        series.set(key, s);
    }
    const lines = [
        "# HELP go_goroutines Number of goroutines that currently exist.",
        "# TYPE go_goroutines gauge",
        "go_goroutines 87",
        "# HELP traefik_entrypoint_requests_total How many HTTP requests processed on an entrypoint, partitioned by status code, protocol, and method.",
        "# TYPE traefik_entrypoint_requests_total counter",
        `traefik_entrypoint_requests_total${labelText({ code: "200", entrypoint: "web", method: "GET", protocol: "http" })} ${served.length}`,
        "# HELP traefik_open_connections How many open connections exist, by entryPoint and protocol",
        "# TYPE traefik_open_connections gauge",
        `traefik_open_connections${labelText({ entrypoint: "metrics", protocol: "TCP" })} 1`,
        "# HELP traefik_service_request_duration_seconds How long it took to process the request on a service, partitioned by status code, protocol, and method.",
        "# TYPE traefik_service_request_duration_seconds histogram",
    ];
    for (const s of series.values()) {
        buckets.forEach((le, i) => lines.push(`traefik_service_request_duration_seconds_bucket${labelText({ ...s.labels, le: formatNumber(le) })} ${s.buckets[i]}`));
        lines.push(`traefik_service_request_duration_seconds_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
        lines.push(`traefik_service_request_duration_seconds_sum${labelText(s.labels)} ${s.sum}`);
        lines.push(`traefik_service_request_duration_seconds_count${labelText(s.labels)} ${s.count}`);
    }
    lines.push("# HELP traefik_service_requests_total How many HTTP requests processed on a service, partitioned by status code, protocol, and method.");
    lines.push("# TYPE traefik_service_requests_total counter");
    for (const s of series.values()) lines.push(`traefik_service_requests_total${labelText(s.labels)} ${s.count}`);
    return lines.join("\n") + "\n";
}

export async function startTraefikMetrics(): Promise<TraefikMetricsStandIn> {
    const standIn: TraefikMetricsStandIn = {
        url: "",
        served: [],
        scrapes: 0,
        close: async () => {},
    };
    const server = http.createServer((req, res) => {
        if (req.url !== "/metrics" || req.method !== "GET") {
            res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
            return;
        }
        standIn.beforeScrape?.(standIn.scrapes);
        standIn.scrapes++;
        if (standIn.override) {
            res.writeHead(standIn.override.status, { "content-type": "text/plain" }).end(standIn.override.body);
            return;
        }
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(renderTraefikMetrics(standIn.served));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    standIn.close = () => new Promise((resolve) => server.close(() => resolve()));
    return standIn;
}
