/** Shared frame of the release commands: clients, step log, and failure turned into a verdict. */
import { UsageError } from "../args";
import { KubeClient } from "../kube/client";
import { KubeConfigError, resolveKubeTarget } from "../kube/config";
import { fail, GateResult, pass } from "../report";
import { MlflowClient } from "./mlflow";
import { Connections } from "./options";
import { RegistryClient } from "./registry";
import { StepLog, StepRecord } from "./steps";

export interface ReleaseContext {
    conn: Connections;
    mlflow: MlflowClient;
    registry: RegistryClient;
    /** Created on first use, from the kubeconfig or the pod's service account. */
    kube(): KubeClient;
    log: StepLog;
}

export interface ReleaseMetrics {
    steps: StepRecord[];
    [key: string]: unknown;
}

export function kubeFromEnvironment(): KubeClient {
    try {
        return new KubeClient(resolveKubeTarget());
    } catch (err) {
        if (err instanceof KubeConfigError) throw new UsageError(err.message);
        throw err;
    }
}

export async function runRelease(
    title: string,
    conn: Connections,
    facts: Record<string, unknown>,
    body: (ctx: ReleaseContext) => Promise<string>,
    makeKube: () => KubeClient = kubeFromEnvironment,
): Promise<{ result: GateResult<ReleaseMetrics>; summary: string }> {
    const log = new StepLog();
    let kube: KubeClient | undefined;
    const ctx: ReleaseContext = {
        conn,
        mlflow: new MlflowClient(conn.mlflowUrl, undefined, undefined, conn.mlflowCredentials),
        registry: new RegistryClient(conn.registryUrl, undefined, undefined, conn.registryCredentials),
        kube: () => (kube ??= makeKube()),
        log,
    };
    const metrics = (): ReleaseMetrics => ({ ...facts, steps: log.steps });
    try {
        const reason = await body(ctx);
        return { result: pass(reason, metrics()), summary: log.summary(title) };
    } catch (err) {
        if (err instanceof UsageError) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        return { result: fail(reason, metrics()), summary: log.summary(title) };
    } finally {
        await kube?.close();
    }
}
