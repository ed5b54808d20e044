/**
 * Where the Kubernetes API is and how to authenticate: the pod's service account when
 * running in the cluster, otherwise the current context of $KUBECONFIG (or ~/.kube/config),
 * found and resolved as vocabulary/kubeconfig.ts does for the program. Supports what K3s and
 * kind write: server, CA, client certificate/key, bearer token.
 * Exec and auth-provider plugins are refused with a clear error rather than half-supported.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultKubeconfigPath, KubeconfigError, kubeconfigContext, type KubeconfigContext } from "../../../vocabulary/kubeconfig";

export interface KubeTarget {
    server: string;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    token?: string;
    insecureSkipTlsVerify: boolean;
    /** Where the settings came from, for error messages. */
    source: string;
}

export class KubeConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KubeConfigError";
    }
}

export const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export function inClusterTarget(env: NodeJS.ProcessEnv, saDir = serviceAccountDir): KubeTarget | undefined {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    const tokenFile = path.join(saDir, "token");
    if (!host || !port || !fs.existsSync(tokenFile)) return undefined;
    const hostPart = host.includes(":") ? `[${host}]` : host;
    return {
        server: `https://${hostPart}:${port}`,
        ca: fs.readFileSync(path.join(saDir, "ca.crt")),
        token: fs.readFileSync(tokenFile, "utf8").trim(),
        insecureSkipTlsVerify: false,
        source: "in-cluster service account",
    };
}

function material(dataField: unknown, fileField: unknown, baseDir: string): Buffer | undefined {
    if (typeof dataField === "string" && dataField) return Buffer.from(dataField, "base64");
    if (typeof fileField === "string" && fileField) return fs.readFileSync(path.resolve(baseDir, fileField));
    return undefined;
}

/** The current (or the named) context of a kubeconfig file, resolved by the vocabulary's reader. */
function contextOf(file: string, contextName?: string): KubeconfigContext {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new KubeConfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`);
    }
    try {
        return kubeconfigContext(text, contextName);
    } catch (err) {
        if (err instanceof KubeconfigError) throw new KubeConfigError(`kubeconfig ${file} ${err.message}`);
        throw err;
    }
}

export function kubeconfigTarget(file: string, contextName?: string): KubeTarget {
    const context = contextOf(file, contextName);
    const { cluster, user } = context;
    if (user.exec || user["auth-provider"]) {
        throw new KubeConfigError(`kubeconfig ${file}: user "${context.userName}" uses an exec/auth-provider plugin; the gate supports certificates and tokens only`);
    }
    const baseDir = path.dirname(file);
    const tokenFile = user.tokenFile;
    return {
        server: context.server,
        ca: material(cluster["certificate-authority-data"], cluster["certificate-authority"], baseDir),
        cert: material(user["client-certificate-data"], user["client-certificate"], baseDir),
        key: material(user["client-key-data"], user["client-key"], baseDir),
        token: typeof user.token === "string" ? user.token : typeof tokenFile === "string" ? fs.readFileSync(tokenFile, "utf8").trim() : undefined,
        insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
        source: `kubeconfig ${file} (context ${context.name})`,
    };
}

/** In-cluster first (the workflow pods), then $KUBECONFIG's first file, then ~/.kube/config. */
export function resolveKubeTarget(env: NodeJS.ProcessEnv = process.env): KubeTarget {
    const inCluster = inClusterTarget(env);
    if (inCluster) return inCluster;
    const file = defaultKubeconfigPath(env);
    if (!fs.existsSync(file)) {
        throw new KubeConfigError(`no Kubernetes API configured: not in a pod with a service account, and kubeconfig ${file} does not exist (set KUBECONFIG)`);
    }
    return kubeconfigTarget(file);
}
