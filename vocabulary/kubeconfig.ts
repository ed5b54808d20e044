/**
 * Reading a kubeconfig the way kubectl does, for the program (an existing cluster's public
 * address) and the gate CLI (where the API is and how to log in): which file, and which
 * cluster and user the current (or a named) context points at.
 */
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

export class KubeconfigError extends Error {}

/** The file kubectl reads: the first entry of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
    return env.KUBECONFIG?.split(path.delimiter).find((entry) => entry.length > 0) ?? path.join(home, ".kube", "config");
}

/** A context resolved to its entries; `cluster` and `user` are the entries' bodies as written. */
export interface KubeconfigContext {
    readonly name: string;
    readonly clusterName: string;
    readonly server: string;
    readonly cluster: Readonly<Record<string, unknown>>;
    /** Absent when the context names no user. */
    readonly userName?: string;
    readonly user: Readonly<Record<string, unknown>>;
}

/** Resolves the current (or the named) context; throws KubeconfigError saying what is missing. */
export function kubeconfigContext(text: string, contextName?: string): KubeconfigContext {
    let document: Record<string, unknown>;
    try {
        document = (parse(text) ?? {}) as Record<string, unknown>;
    } catch (e) {
        throw new KubeconfigError(`is not YAML: ${(e as Error).message}`);
    }
    const name = contextName ?? document["current-context"];
    if (typeof name !== "string" || name === "") throw new KubeconfigError("sets no current-context");
    const context = entry(document.contexts, name, "context");
    const clusterName = context.cluster;
    if (typeof clusterName !== "string") throw new KubeconfigError(`context "${name}" names no cluster`);
    const cluster = entry(document.clusters, clusterName, "cluster");
    if (typeof cluster.server !== "string" || cluster.server === "") throw new KubeconfigError(`cluster "${clusterName}" has no server`);
    const userName = typeof context.user === "string" ? context.user : undefined;
    const user = userName === undefined ? {} : entry(document.users, userName, "user");
    return { name, clusterName, server: cluster.server, cluster, userName, user };
}

/** The body of the named entry of a kubeconfig list (`clusters`, `contexts`, `users`). */
function entry(list: unknown, name: string, kind: "cluster" | "context" | "user"): Record<string, unknown> {
    const found = (Array.isArray(list) ? list : []).find((item) => (item as { name?: unknown } | null)?.name === name) as
        | Record<string, unknown>
        | undefined;
    const body = found?.[kind];
    if (typeof body !== "object" || body === null) throw new KubeconfigError(`${kind} "${name}" is not defined`);
    return body as Record<string, unknown>;
}
