/**
 * A minimal Kubernetes API client over undici: GET a path, PATCH an object. The gates need a
 * handful of reads and one patch, which does not justify @kubernetes/client-node and its
 * dependency tree inside the gate image.
 */
import { Agent } from "undici";
import { httpRequest, ServerError, withRetry, excerpt } from "../http";
import { KubeTarget } from "./config";

/** A 4xx from the API server: an answer, not a transient failure. */
export class KubeApiError extends Error {
    constructor(
        readonly status: number,
        readonly apiPath: string,
        message: string,
    ) {
        super(`Kubernetes API ${apiPath} answered HTTP ${status}: ${message}`);
        this.name = "KubeApiError";
    }
}

export type PatchType = "merge" | "json" | "strategic";

const patchContentTypes: Record<PatchType, string> = {
    merge: "application/merge-patch+json",
    json: "application/json-patch+json",
    strategic: "application/strategic-merge-patch+json",
};

export class KubeClient {
    private readonly agent: Agent;

    constructor(
        readonly target: KubeTarget,
        private readonly timeoutMs = 15_000,
    ) {
        this.agent = new Agent({
            connect: {
                ca: target.ca,
                cert: target.cert,
                key: target.key,
                rejectUnauthorized: !target.insecureSkipTlsVerify,
            },
        });
    }

    private headers(extra: Record<string, string> = {}): Record<string, string> {
        const h: Record<string, string> = { accept: "application/json", ...extra };
        if (this.target.token) h.authorization = `Bearer ${this.target.token}`;
        return h;
    }

    private async send<T>(method: "GET" | "PATCH", apiPath: string, body?: string, contentType?: string): Promise<T> {
        return withRetry(async () => {
            const res = await httpRequest({
                method,
                url: this.target.server.replace(/\/+$/, "") + apiPath,
                headers: this.headers(contentType ? { "content-type": contentType } : {}),
                body,
                timeoutMs: this.timeoutMs,
                dispatcher: this.agent,
            });
            const text = res.body.toString("utf8");
            if (res.status >= 500) throw new ServerError(res.status, `Kubernetes API ${apiPath}`, excerpt(text));
            if (res.status >= 400) {
                let message = excerpt(text);
                try {
                    message = (JSON.parse(text) as { message?: string }).message ?? message;
                } catch {
                    // not a Status object; keep the excerpt
                }
                throw new KubeApiError(res.status, apiPath, message);
            }
            return JSON.parse(text) as T;
        });
    }

    get<T>(apiPath: string): Promise<T> {
        return this.send<T>("GET", apiPath);
    }

    patch<T>(apiPath: string, patch: unknown, type: PatchType): Promise<T> {
        return this.send<T>("PATCH", apiPath, JSON.stringify(patch), patchContentTypes[type]);
    }

    async close(): Promise<void> {
        await this.agent.close();
    }
}

export function selectorQuery(labelSelector: string): string {
    return `labelSelector=${encodeURIComponent(labelSelector)}`;
}
