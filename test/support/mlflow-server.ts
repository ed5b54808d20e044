/**
 * A real MLflow tracking server (the pinned PyPI release in .venv, installed by
 * scripts/setup.d/20-python.sh) on a random loopback port with a throwaway SQLite store,
 * plus REST helpers to register models and versions the way the training step does.
 */
import { spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closedPort } from "./app-server";

export const mlflowBinary = path.resolve(__dirname, "..", "..", ".venv", "bin", "mlflow");

export interface LocalMlflow {
    url: string;
    /** With basicAuth: the admin login the helpers below use. */
    admin?: { username: string; password: string };
    createModel(name: string): Promise<void>;
    /** Registers a new version (artifact in an s3:// location, as MinIO-backed MLflow does); returns its number. */
    createVersion(name: string): Promise<string>;
    api<T = Record<string, unknown>>(method: "GET" | "POST", endpoint: string, payload: Record<string, string>): Promise<T>;
    stop(): Promise<void>;
}

export interface MlflowOptions {
    /**
     * Run MLflow's basic-auth app as the platform does (`--app-name basic-auth`, an INI named by
     * MLFLOW_AUTH_CONFIG_PATH, a Flask secret key), with users in a throwaway SQLite file.
     */
    basicAuth?: { adminPassword: string };
}

export async function startMlflow(timeoutMs = 150_000, options: MlflowOptions = {}): Promise<LocalMlflow> {
    if (!fs.existsSync(mlflowBinary)) throw new Error(`${mlflowBinary} is missing: run scripts/setup.d/20-python.sh`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-mlflow-"));
    const port = await closedPort();
    const admin = options.basicAuth ? { username: "admin", password: options.basicAuth.adminPassword } : undefined;
    const authArgs: string[] = [];
    const authEnv: Record<string, string> = {};
    if (admin) {
        const ini = path.join(dir, "basic_auth.ini");
        fs.writeFileSync(
            ini,
            [
                "[mlflow]",
                "default_permission = READ",
                `database_uri = sqlite:///${path.join(dir, "auth.db")}`,
                `admin_username = ${admin.username}`,
                `admin_password = ${admin.password}`,
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
                "",
            ].join("\n"),
        );
        authArgs.push("--app-name", "basic-auth");
        authEnv.MLFLOW_AUTH_CONFIG_PATH = ini;
        authEnv.MLFLOW_FLASK_SERVER_SECRET_KEY = "test-only-flask-secret-key";
    }
    const child: ChildProcess = spawn(
        mlflowBinary,
        [
            "server",
            "--host", "127.0.0.1",
            "--port", String(port),
            "--workers", "1",
            "--backend-store-uri", `sqlite:///${path.join(dir, "mlflow.db")}`,
            "--default-artifact-root", path.join(dir, "artifacts"),
            ...authArgs,
        ],
        { stdio: ["ignore", "ignore", "pipe"], detached: true, env: { ...process.env, ...authEnv } },
    );
    let log = "";
    child.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
        // The server forks workers: signal the whole process group this test started.
        if (child.exitCode === null && child.pid) {
            try {
                process.kill(-child.pid, "SIGTERM");
            } catch {
                // already gone
            }
            await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            if ((await fetch(`${url}/health`)).ok) break;
        } catch {
            // still starting
        }
        if (child.exitCode !== null || Date.now() > deadline) {
            await stop();
            throw new Error(`mlflow server did not start within ${timeoutMs} ms: ${log}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    const authorization: Record<string, string> = admin
        ? { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString("base64")}` }
        : {};
    const api = async <T>(method: "GET" | "POST", endpoint: string, payload: Record<string, string>): Promise<T> => {
        const base = `${url}/api/2.0/mlflow/${endpoint}`;
        const res =
            method === "GET"
                ? await fetch(`${base}?${new URLSearchParams(payload)}`, { headers: authorization })
                : await fetch(base, { method, body: JSON.stringify(payload), headers: { "content-type": "application/json", ...authorization } });
        const text = await res.text();
        if (!res.ok) throw new Error(`MLflow ${endpoint}: HTTP ${res.status} ${text}`);
        return JSON.parse(text) as T;
    };
    return {
        url,
        admin,
        api,
        async createModel(name) {
            await api("POST", "registered-models/create", { name });
        },
        async createVersion(name) {
            const r = await api<{ model_version: { version: string } }>("POST", "model-versions/create", {
                name,
                source: `s3://mlflow-artifacts/${name}/${Date.now()}`,
            });
            return r.model_version.version;
        },
        stop,
    };
}
