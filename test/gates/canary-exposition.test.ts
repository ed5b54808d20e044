/** The Prometheus text parser and the window arithmetic of `gate canary`, on exact inputs. */
import { describe, expect, it } from "vitest";
import { evaluateCanary } from "../../pipeline/gates/canary/evaluate";
import { ExpositionError, parseExposition } from "../../pipeline/gates/canary/exposition";
import { estimateQuantile, serviceWindow, WindowUnreadable } from "../../pipeline/gates/canary/traffic";
import { renderTraefikMetrics } from "../support/traefik-metrics-server";

describe("parseExposition", () => {
    it("reads samples with labels, escapes, special values and timestamps, and skips comments", () => {
        const samples = parseExposition(
            [
                "# HELP traefik_service_requests_total How many HTTP requests processed on a service.",
                "# TYPE traefik_service_requests_total counter",
                'traefik_service_requests_total{code="200",method="GET",protocol="http",service="a-b-8000@kubernetescrd"} 42',
                'odd{path="C:\\\\dir\\"x\\"\\nnext", empty=""} 1.5e3 1712345678000',
                'traefik_service_request_duration_seconds_bucket{le="+Inf"} +Inf',
                "go_goroutines 87",
                "nan_metric NaN",
                "",
            ].join("\r\n"),
        );
        expect(samples).toHaveLength(5);
        expect(samples[0]).toEqual({
            name: "traefik_service_requests_total",
            labels: { code: "200", method: "GET", protocol: "http", service: "a-b-8000@kubernetescrd" },
            value: 42,
        });
        expect(samples[1]).toEqual({ name: "odd", labels: { path: 'C:\\dir"x"\nnext', empty: "" }, value: 1500 });
        expect(samples[2].value).toBe(Number.POSITIVE_INFINITY);
        expect(samples[3]).toEqual({ name: "go_goroutines", labels: {}, value: 87 });
        expect(samples[4].value).toBeNaN();
    });

    it("keeps a label named like an Object property as a plain label", () => {
        expect(parseExposition('m{__proto__="x",constructor="y"} 1')[0].labels).toEqual(Object.fromEntries([["__proto__", "x"], ["constructor", "y"]]));
    });

    it.each([
        ["1bad 3", /line 1: expected a metric name/],
        ['m{code="200" 3', /line 1: expected , or } after label code/],
        ['m{code=200} 3', /line 1: expected ="..." after label code/],
        ['m{code="2\\x"} 3', /line 1: unknown escape \\x in label code/],
        ['m{code="200', /line 1: unterminated value of label code/],
        ['m{a="1",a="2"} 3', /line 1: label a appears twice/],
        ["m", /line 1: expected a value/],
        ["m 1 2 3", /line 1: expected a value/],
        ["m three", /line 1: "three" is not a sample value/],
        ["ok 1\nm{,} 2", /line 2: expected a label name/],
    ])("refuses %j with the line and what is wrong", (text, message) => {
        expect(() => parseExposition(text)).toThrow(ExpositionError);
        expect(() => parseExposition(text)).toThrow(message);
    });
});

describe("estimateQuantile (histogram_quantile)", () => {
    it("interpolates inside the bucket the rank falls in", () => {
        // 100 requests: 50 below 0.1 s, 40 in (0.1, 0.5], 10 in (0.5, 1]; rank 95 is half-way into the last bucket.
        const e = estimateQuantile(0.95, [
            { le: 0.1, count: 50 },
            { le: 0.5, count: 90 },
            { le: 1, count: 100 },
            { le: Number.POSITIVE_INFINITY, count: 100 },
        ]);
        expect(e).toEqual({ count: 100, p95Ms: 750, bucketLowerMs: 500, bucketUpperMs: 1000 });
    });

    it("says only 'above the largest bound' when the rank is in +Inf, and nothing without requests", () => {
        expect(estimateQuantile(0.95, [{ le: 1, count: 1 }, { le: Number.POSITIVE_INFINITY, count: 10 }])).toEqual({ count: 10, p95Ms: 1000, bucketLowerMs: 1000, bucketUpperMs: null });
        expect(estimateQuantile(0.95, [{ le: 1, count: 0 }, { le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
        expect(estimateQuantile(0.95, [{ le: 1, count: 3 }])).toBeNull();
    });
});

describe("serviceWindow", () => {
    const svc = "ns-svc-8000@kubernetescrd";
    const at = (...reqs: Array<[number, number]>) => parseExposition(renderTraefikMetrics(reqs.map(([code, durationS]) => ({ service: svc, code, durationS }))));

    it("counts only what happened between the scrapes, series that appeared included", () => {
        const before = at([200, 0.05], [200, 0.05]);
        const after = at([200, 0.05], [200, 0.05], [200, 0.05], [502, 0.01], [404, 0.01]);
        const w = serviceWindow(before, after, svc);
        expect(w).toMatchObject({ requests: 3, byCode: { "200": 1, "502": 1, "404": 1 }, errors: 1 });
        expect(w.errorRate).toBeCloseTo(1 / 3);
        expect(w.latency?.count).toBe(3);
    });

    it("refuses a window in which a series vanished or went back", () => {
        expect(() => serviceWindow(at([200, 0.05], [503, 0.05]), at([200, 0.05]), svc)).toThrow(WindowUnreadable);
        expect(() => serviceWindow(at([200, 0.05], [200, 0.05]), at([200, 0.05]), svc)).toThrow(/went from 2 to 1: Traefik restarted/);
    });

    it("is empty for a service Traefik never served", () => {
        expect(serviceWindow(at([200, 0.05]), at([200, 0.05]), "other@kubernetescrd")).toEqual({
            service: "other@kubernetescrd",
            requests: 0,
            byCode: {},
            errors: 0,
            errorRate: null,
            latency: null,
        });
    });
});

describe("evaluateCanary", () => {
    const t = { windowS: 300, maxErrorRate: 0.05, p95Ms: 2000, minRequests: 20 };
    const window = (over: object) => ({ service: "c", requests: 100, byCode: { "200": 100 }, errors: 0, errorRate: 0, latency: { count: 100, p95Ms: 120, bucketLowerMs: 100, bucketUpperMs: 250 }, ...over });

    it("passes at the thresholds exactly and fails just past them", () => {
        expect(evaluateCanary(window({ errors: 5, errorRate: 0.05, byCode: { "200": 95, "500": 5 } }), t).ok).toBe(true);
        expect(evaluateCanary(window({ errors: 6, errorRate: 0.06, byCode: { "200": 94, "500": 6 } }), t)).toEqual({
            ok: false,
            reason: "canary's error rate 6% in the last 300 s is above 5%: 6 of 100 requests answered 5xx (6x 500)",
        });
        expect(evaluateCanary(window({ latency: { count: 100, p95Ms: 2000, bucketLowerMs: 1500, bucketUpperMs: 2000 } }), t).ok).toBe(true);
        expect(evaluateCanary(window({ latency: { count: 100, p95Ms: 2000.5, bucketLowerMs: 2000, bucketUpperMs: 3000 } }), t).ok).toBe(false);
        expect(evaluateCanary(window({ requests: 20 }), t).ok).toBe(true);
        expect(evaluateCanary(window({ requests: 19 }), t).reason).toContain("canary served only 19 requests");
    });

    it("cannot decide on requests without a histogram", () => {
        expect(evaluateCanary(window({ latency: null }), t)).toEqual({ ok: false, reason: "cannot decide: Traefik reported 100 requests but no latency histogram for canary in the last 300 s" });
    });
});
