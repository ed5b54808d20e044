/**
 * One HTTP exchange with a hard timeout, and a retry wrapper for the release commands.
 * Retries happen only where repeating is safe and may help: 5xx answers and transport
 * failures (timeout, reset, refused). A 4xx is an answer and is never retried.
 */
import { FormData, request } from "undici";
import type { Dispatcher } from "undici";
import { classifyError } from "./load/outcomes";

export interface HttpResponse {
    status: number;
    headers: Record<string, string>;
    body: Buffer;
    latencyMs: number;
}

export interface HttpRequest {
    method?: Dispatcher.HttpMethod;
    url: string | URL;
    headers?: Record<string, string>;
    body?: string | Buffer | FormData;
    timeoutMs: number;
    dispatcher?: Dispatcher;
}

/** A request that got no HTTP answer; `kind` says why (timeout, reset, refused, transport). */
export class TransportError extends Error {
    constructor(
        readonly kind: "timeout" | "reset" | "refused" | "transport",
        readonly code: string,
        readonly target: string,
    ) {
        super(`${kindText[kind]} (${code}) from ${target}`);
        this.name = "TransportError";
    }
}

const kindText = {
    timeout: "no answer in time",
    reset: "connection reset",
    refused: "connection refused",
    transport: "transport error",
} as const;

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    return out;
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
    const target = `${req.method ?? "GET"} ${req.url.toString()}`;
    const started = performance.now();
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(req.timeoutMs)));
    try {
        const res = await request(req.url, {
            method: req.method ?? "GET",
            headers: req.headers,
            body: req.body,
            signal,
            dispatcher: req.dispatcher,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        return {
            status: res.statusCode,
            headers: flattenHeaders(res.headers),
            body,
            latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        };
    } catch (err) {
        if (signal.aborted) throw new TransportError("timeout", `no response within ${req.timeoutMs} ms`, target);
        const { outcome, code } = classifyError(err);
        throw new TransportError(outcome, code, target);
    }
}

/** An HTTP answer that a retry may fix (5xx). */
export class ServerError extends Error {
    constructor(
        readonly status: number,
        readonly target: string,
        detail: string,
    ) {
        super(`${target} answered HTTP ${status}: ${detail}`);
        this.name = "ServerError";
    }
}

export interface RetryPolicy {
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

export function isRetryable(err: unknown): boolean {
    return err instanceof TransportError || err instanceof ServerError;
}

/** Runs `op` until it succeeds, a non-retryable error occurs, or the attempts are spent. */
export async function withRetry<T>(op: () => Promise<T>, policy: RetryPolicy = defaultRetry): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await op();
        } catch (err) {
            if (!isRetryable(err) || attempt >= policy.attempts) throw err;
            const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
            await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
        }
    }
}

/** Short printable excerpt of a body for error messages. */
export function excerpt(body: Buffer | string, max = 160): string {
    const text = (typeof body === "string" ? body : body.toString("utf8")).replace(/\s+/g, " ").trim();
    return text.length > max ? `${text.slice(0, max)}...` : text;
}
