/**
 * MLflow model registry over its REST API (2.0 endpoints, served by MLflow 3): model
 * versions, aliases, and tags on registered models and versions.
 */
import { excerpt, httpRequest, ServerError, withRetry, RetryPolicy, defaultRetry } from "../http";
import type { MlflowCredentials } from "./options";

export interface RegisteredModel {
    name: string;
    tags: Record<string, string>;
    aliases: Record<string, string>;
}

export interface ModelVersion {
    name: string;
    version: string;
    tags: Record<string, string>;
    aliases: string[];
}

/** An answer from MLflow that a retry will not change (4xx). */
export class MlflowError extends Error {
    constructor(
        readonly status: number,
        readonly errorCode: string,
        message: string,
    ) {
        super(message);
        this.name = "MlflowError";
    }
}

type KeyValue = Array<{ key: string; value: string }> | undefined;

function toRecord(list: KeyValue): Record<string, string> {
    return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}

export class MlflowClient {
    private readonly authorization: Record<string, string>;

    constructor(
        readonly baseUrl: string,
        private readonly timeoutMs = 15_000,
        private readonly retry: RetryPolicy = defaultRetry,
        credentials?: MlflowCredentials,
    ) {
        this.authorization = credentials
            ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}` }
            : {};
    }

    private async call<T>(method: "GET" | "POST" | "DELETE", endpoint: string, payload: Record<string, string>): Promise<T | undefined> {
        const base = `${this.baseUrl.replace(/\/+$/, "")}/api/2.0/mlflow/${endpoint}`;
        const url = method === "GET" ? `${base}?${new URLSearchParams(payload)}` : base;
        const target = `MLflow ${endpoint}`;
        return withRetry(async () => {
            const res = await httpRequest({
                method,
                url,
                headers: {
                    ...(method === "GET" ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" }),
                    ...this.authorization,
                },
                body: method === "GET" ? undefined : JSON.stringify(payload),
                timeoutMs: this.timeoutMs,
            });
            const text = res.body.toString("utf8");
            if (res.status >= 500) throw new ServerError(res.status, target, excerpt(text));
            if (res.status === 401 || res.status === 403) {
                // MLflow's basic auth: no login, a wrong one, or a user without the permission.
                const login = this.authorization.authorization ? "the login in MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD" : "no login (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD are unset)";
                throw new MlflowError(res.status, res.status === 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED", `${target} refused ${login}: HTTP ${res.status} ${excerpt(text)}`);
            }
            if (res.status >= 400) {
                let code = "UNKNOWN";
                let message = excerpt(text);
                try {
                    const e = JSON.parse(text) as { error_code?: string; message?: string };
                    code = e.error_code ?? code;
                    message = e.message ?? message;
                } catch {
                    // not MLflow's JSON error; keep the excerpt
                }
                if (code === "RESOURCE_DOES_NOT_EXIST" || res.status === 404) return undefined;
                throw new MlflowError(res.status, code, `${target} answered HTTP ${res.status} ${code}: ${message}`);
            }
            return (text ? JSON.parse(text) : {}) as T;
        }, this.retry);
    }

    async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
        const r = await this.call<{ registered_model: { name: string; tags?: KeyValue; aliases?: Array<{ alias: string; version: string }> } }>(
            "GET",
            "registered-models/get",
            { name },
        );
        if (!r) return undefined;
        const m = r.registered_model;
        return { name: m.name, tags: toRecord(m.tags), aliases: Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, a.version])) };
    }

    async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
        const r = await this.call<{ model_version: { name: string; version: string; tags?: KeyValue; aliases?: string[] } }>("GET", "model-versions/get", { name, version });
        if (!r) return undefined;
        const v = r.model_version;
        return { name: v.name, version: v.version, tags: toRecord(v.tags), aliases: v.aliases ?? [] };
    }

    async setAlias(name: string, alias: string, version: string): Promise<void> {
        await this.mustSucceed("POST", "registered-models/alias", { name, alias, version });
    }

    async setModelTag(name: string, key: string, value: string): Promise<void> {
        await this.mustSucceed("POST", "registered-models/set-tag", { name, key, value });
    }

    async setVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
        await this.mustSucceed("POST", "model-versions/set-tag", { name, version, key, value });
    }

    private async mustSucceed(method: "POST", endpoint: string, payload: Record<string, string>): Promise<void> {
        const r = await this.call(method, endpoint, payload);
        if (r === undefined) throw new MlflowError(404, "RESOURCE_DOES_NOT_EXIST", `MLflow ${endpoint}: ${JSON.stringify(payload)} refers to something that does not exist`);
    }
}
