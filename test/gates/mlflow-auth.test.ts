/**
 * MLflow with its basic-auth app, as the platform runs it: an unauthenticated request is refused,
 * the Job script creates the pipeline's user (and, run again, resets its password to the
 * Secret's), and the gate CLI's MLflow client works with that login and fails clearly without it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowPipelineCredentials } from "../../vocabulary/names";
import { createUsersScript, mlflowAdminSecret } from "../../infra/platform/mlflow/auth";
import { UsageError } from "../../pipeline/gates/args";
import { MlflowClient, MlflowError } from "../../pipeline/gates/release/mlflow";
import { mlflowCredentialsFrom } from "../../pipeline/gates/release/options";
import { LocalMlflow, startMlflow } from "../support/mlflow-server";

const python = path.resolve(__dirname, "..", "..", ".venv", "bin", "python");
const adminPassword = "AdminPw0123456789abcdefXYZ";
const pipeline = { username: mlflowPipelineCredentials.username, password: "PipelinePw0123456789abcdef" };
const noRetry = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

let mlflow: LocalMlflow;
let dir: string;

beforeAll(async () => {
    mlflow = await startMlflow(150_000, { basicAuth: { adminPassword } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-users-"));
}, 200_000);
afterAll(async () => {
    await mlflow?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the create-users Job's script against the local server, with the Secrets as files. */
function createUsers(password: string): string {
    const write = (sub: string, files: Record<string, string>) => {
        fs.mkdirSync(path.join(dir, sub), { recursive: true });
        for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, sub, name), value);
    };
    write("admin", { [mlflowAdminSecret.usernameKey]: "admin", [mlflowAdminSecret.passwordKey]: adminPassword });
    write("pipeline", { [mlflowPipelineCredentials.usernameKey]: pipeline.username, [mlflowPipelineCredentials.passwordKey]: password });
    return execFileSync(python, ["-c", createUsersScript], {
        env: { PATH: process.env.PATH, MLFLOW_URL: mlflow.url, ADMIN_DIR: path.join(dir, "admin"), PIPELINE_DIR: path.join(dir, "pipeline") },
        encoding: "utf8",
        timeout: 120_000,
    });
}

/** The status of a GET; once more on a dropped keep-alive connection (the server closes idle ones). */
async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
    try {
        return (await fetch(url, { headers })).status;
    } catch {
        return (await fetch(url, { headers })).status;
    }
}

describe("MLflow with basic auth", () => {
    it("refuses the API without a login, and answers /health (the probes) without one", async () => {
        expect(await status(`${mlflow.url}/api/2.0/mlflow/registered-models/search`)).toBe(401);
        expect(await status(`${mlflow.url}/api/2.0/mlflow/experiments/search?max_results=1`)).toBe(401);
        expect(await status(`${mlflow.url}/health`)).toBe(200);
    });

    it("lets the Job create the pipeline's user, and a second run puts the Secret's password back", async () => {
        expect(createUsers("first-password-0123456789")).toMatch(/created MLflow user gourmetgram-pipeline/);
        expect(createUsers(pipeline.password)).toMatch(/exists; its password matches the Secret/);
        const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString("base64")}` });
        const search = `${mlflow.url}/api/2.0/mlflow/registered-models/search`;
        expect(await status(search, basic(pipeline.username, pipeline.password))).toBe(200);
        expect(await status(search, basic(pipeline.username, "first-password-0123456789"))).toBe(401);
    }, 200_000);

    it("lets the gate CLI's client move aliases and tags with the pipeline's login", async () => {
        const client = new MlflowClient(mlflow.url, 15_000, noRetry, pipeline);
        // The pipeline's user registers the model (as training does) and so may manage it.
        const create = await fetch(`${mlflow.url}/api/2.0/mlflow/registered-models/create`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${pipeline.username}:${pipeline.password}`).toString("base64")}` },
            body: JSON.stringify({ name: "AuthModel" }),
        });
        expect(create.status).toBe(200);
        await client.setModelTag("AuthModel", "last-good-staging", "1");
        expect((await client.getRegisteredModel("AuthModel"))?.tags).toEqual({ "last-good-staging": "1" });
    });

    it("fails with a clear, password-free error without a login or with a wrong one", async () => {
        const anonymous = new MlflowClient(mlflow.url, 15_000, noRetry);
        const error = await anonymous.getRegisteredModel("AuthModel").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MlflowError);
        expect((error as MlflowError).message).toMatch(/refused no login \(MLFLOW_TRACKING_USERNAME \/ MLFLOW_TRACKING_PASSWORD are unset\): HTTP 401/);

        const wrong = new MlflowClient(mlflow.url, 15_000, noRetry, { username: pipeline.username, password: "not-the-password" });
        const refused = await wrong.setModelTag("AuthModel", "k", "v").catch((e: unknown) => e);
        expect((refused as MlflowError).status).toBe(401);
        expect((refused as MlflowError).message).not.toContain("not-the-password");
    });

    it("refuses a non-admin user's attempt to manage users", async () => {
        const res = await fetch(`${mlflow.url}/api/2.0/mlflow/users/create`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${pipeline.username}:${pipeline.password}`).toString("base64")}` },
            body: JSON.stringify({ username: "intruder", password: "x-0123456789" }),
        });
        expect(res.status).toBe(403);
    });
});

describe("the gate CLI's MLflow login from the environment", () => {
    it("takes both variables or neither", () => {
        expect(mlflowCredentialsFrom({})).toBeUndefined();
        expect(mlflowCredentialsFrom({ MLFLOW_TRACKING_USERNAME: "u", MLFLOW_TRACKING_PASSWORD: "p" })).toEqual({ username: "u", password: "p" });
    });

    it.each([
        [{ MLFLOW_TRACKING_PASSWORD: "hunter2-secret" }, /MLFLOW_TRACKING_PASSWORD is set but MLFLOW_TRACKING_USERNAME is not/],
        [{ MLFLOW_TRACKING_USERNAME: "u" }, /MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not/],
        [{ MLFLOW_TRACKING_USERNAME: "a:b", MLFLOW_TRACKING_PASSWORD: "hunter2-secret" }, /must not contain ":"/],
    ])("refuses %j as a usage error that never shows the password", (env, message) => {
        expect(() => mlflowCredentialsFrom(env)).toThrow(UsageError);
        expect(() => mlflowCredentialsFrom(env)).toThrow(message);
        try {
            mlflowCredentialsFrom(env);
        } catch (error) {
            expect((error as Error).message).not.toContain("hunter2");
        }
    });
});
