/**
 * One lab for a whole suite: a fresh one-node cluster, `pulumi up` of the local stack through the
 * real engine, and the pipeline's images in the in-cluster registry, then everything stopped.
 * The lab's checks and the pipeline's scenarios share it (test/cluster/lab.test.ts): standing the
 * lab up costs minutes, and a second copy of it would prove nothing the first does not.
 */
import * as path from "node:path";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, expect } from "vitest";
import { platformPublicPorts } from "../../../vocabulary/names";
import { clusterLockWaitMs, startNodeCluster, type NodeCluster } from "./cluster";
import { labNeedsFreeBytes, publishPipelineImages, startLab, type Lab } from "./lab";
import { labImageLookup } from "./lab-images";
import { clusterNetwork } from "./network";
import type { RegistryLogin } from "./registry-images";
import type { ClusterToolchain } from "./tools";

export type Obj = Record<string, any>;
export const minutes = (n: number) => n * 60_000;

/** MLflow's public address on the node. */
export const labMlflowUrl = `http://${clusterNetwork.nodeIp}:${platformPublicPorts.mlflow}`;

export interface LabSession {
    readonly tools: ClusterToolchain;
    readonly cluster: NodeCluster;
    readonly lab: Lab;
    /** The stack's outputs after the first `up`. */
    readonly outputs: OutputMap;
    /** How long each stage took, in ms: cluster, up (and what the suite adds). */
    readonly timings: Record<string, number>;
    /** kubectl on the lab's cluster; a non-zero exit is an error with kubectl's stderr. */
    kubectl(args: string[], input?: string): Promise<string>;
    /** `kubectl get … -o json`, parsed. */
    getJson(...args: string[]): Promise<Obj>;
    /** MLflow's REST API as its admin. */
    mlflow(method: string, route: string, body?: unknown): Promise<Obj>;
    mlflowAuthorization(): string;
    /** The registry's login, from the stack output. */
    registryLogin(): RegistryLogin;
}

/** Registers the suite's beforeAll (cluster, up, images pushed) and afterAll (everything stopped). */
export function useLabSession(tools: ClusterToolchain): LabSession {
    let cluster: NodeCluster | undefined;
    let lab: Lab | undefined;
    let outputs: OutputMap | undefined;
    const ready = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`the lab's ${what} is not there: its setup failed (see the suite's first error)`);
        return value;
    };
    const timings: Record<string, number> = {};

    const session: LabSession = {
        tools,
        get cluster() {
            return ready(cluster, "cluster");
        },
        get lab() {
            return ready(lab, "git servers and engine");
        },
        get outputs() {
            return ready(outputs, "stack outputs");
        },
        timings,
        async kubectl(args, input) {
            const r = await session.cluster.kubectl(args, { input, timeoutMs: 120_000 });
            if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
            return r.stdout;
        },
        async getJson(...args) {
            return JSON.parse(await session.kubectl(["get", ...args, "-o", "json"])) as Obj;
        },
        mlflowAuthorization: () => `Basic ${Buffer.from(`admin:${session.outputs.mlflowAdminPassword.value}`).toString("base64")}`,
        async mlflow(method, route, body) {
            const response = await fetch(`${labMlflowUrl}${route}`, {
                method,
                headers: { authorization: session.mlflowAuthorization(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(30_000),
            });
            const text = await response.text();
            if (!response.ok) throw new Error(`MLflow ${method} ${route}: HTTP ${response.status} ${text.slice(0, 300)}`);
            return text === "" ? {} : (JSON.parse(text) as Obj);
        },
        registryLogin: () => session.outputs.registryLogin.value as RegistryLogin,
    };

    beforeAll(async () => {
        let started = Date.now();
        cluster = await startNodeCluster(tools, {
            needsFreeBytes: labNeedsFreeBytes,
            progress: (step) => console.log(`cluster: ${step} (${Math.round((Date.now() - started) / 1000)} s)`),
        });
        timings.cluster = Date.now() - started;
        lab = await startLab(tools, cluster, { ...labImageLookup(tools), dir: path.join(cluster.workDir, "git") });
        started = Date.now();
        outputs = (await lab.engine.stack.up({ onOutput: (line) => process.stdout.write(`up: ${line}`) })).outputs;
        timings.up = Date.now() - started;
        started = Date.now();
        const pushed = await publishPipelineImages(tools, cluster, session.registryLogin());
        timings.images = Date.now() - started;
        console.log(
            `lab: cluster ready in ${Math.round(timings.cluster / 1000)} s, pulumi up in ${Math.round(timings.up / 1000)} s, ` +
                `pipeline images pushed in ${Math.round(timings.images / 1000)} s (${pushed.join(", ")})`,
        );
    }, clusterLockWaitMs + minutes(40));

    afterAll(async () => {
        await lab?.stop();
        if (cluster) {
            const left = await cluster.stop();
            expect(left).toEqual([]);
        }
    }, minutes(10));

    return session;
}
