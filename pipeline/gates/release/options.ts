/**
 * Where the release commands find MLflow, the registry and Argo CD. Flags win over the
 * environment variables the workflow steps set (vocabulary/names gateImageEnv), which win over
 * the in-cluster defaults from vocabulary/names.
 */
import { appName, gateImageEnv, isEnvironment, model, mlflow, namespaces, registry, environments, Environment } from "../../../vocabulary/names";
import { dnsLabel, nameText, parseBaseUrl, repositoryName, UsageError } from "../args";

export const connectionFlags = ["mlflow-url", "registry-url", "argocd-namespace", "model-name", "repository"] as const;

/** MLflow basic auth, from the variables MLflow's own client reads. */
export interface MlflowCredentials {
    username: string;
    password: string;
}

export interface Connections {
    mlflowUrl: string;
    /** Absent when neither variable is set (an MLflow without auth). */
    mlflowCredentials?: MlflowCredentials;
    registryUrl: string;
    argocdNamespace: string;
    modelName: string;
    repository: string;
}

export function parseConnections(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): Connections {
    const mlflowUrl = flags.get("mlflow-url") ?? env[gateImageEnv.mlflowTrackingUri] ?? mlflow.url;
    const registryUrl = flags.get("registry-url") ?? env[gateImageEnv.registryUrl] ?? `http://${registry.host}`;
    parseBaseUrl("mlflow-url", mlflowUrl);
    parseBaseUrl("registry-url", registryUrl);
    return {
        mlflowUrl,
        mlflowCredentials: mlflowCredentialsFrom(env),
        registryUrl,
        argocdNamespace: dnsLabel("argocd-namespace", flags.get("argocd-namespace") ?? env[gateImageEnv.argocdNamespace] ?? namespaces.argocd),
        modelName: nameText("model-name", flags.get("model-name") ?? model.name),
        repository: repositoryName("repository", flags.get("repository") ?? appName),
    };
}

/**
 * MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, both or neither. A half-set login is a
 * usage error naming the missing variable; the message never contains the password.
 */
export function mlflowCredentialsFrom(env: NodeJS.ProcessEnv): MlflowCredentials | undefined {
    const username = env[gateImageEnv.mlflowTrackingUsername] ?? "";
    const password = env[gateImageEnv.mlflowTrackingPassword] ?? "";
    if (username === "" && password === "") return undefined;
    if (username === "") throw new UsageError(`${gateImageEnv.mlflowTrackingPassword} is set but ${gateImageEnv.mlflowTrackingUsername} is not: set both for MLflow's basic auth, or neither`);
    if (password === "") throw new UsageError(`${gateImageEnv.mlflowTrackingUsername} is set but ${gateImageEnv.mlflowTrackingPassword} is not: set both for MLflow's basic auth, or neither`);
    if (username.includes(":")) throw new UsageError(`${gateImageEnv.mlflowTrackingUsername} must not contain ":" (HTTP basic auth separates user and password with it)`);
    return { username, password };
}

export function environmentFlag(name: string, raw: string | undefined): Environment {
    if (raw === undefined || raw === "") throw new UsageError(`--${name} is required (one of ${environments.join(", ")})`);
    if (!isEnvironment(raw)) throw new UsageError(`--${name} must be one of ${environments.join(", ")}, got "${raw}"`);
    return raw;
}

/** MLflow model versions are positive integers. */
export function versionFlag(raw: string | undefined, name = "version"): string {
    if (raw === undefined || raw === "") throw new UsageError(`--${name} is required (an MLflow model version number, e.g. 7)`);
    if (!/^[1-9]\d{0,9}$/.test(raw.trim())) throw new UsageError(`--${name} must be a positive integer MLflow model version, got "${raw}"`);
    return raw.trim();
}

/** Registered-model tag that records an environment's last version that passed its gates. */
export function lastGoodTag(env: Environment): string {
    return `last-good-${env}`;
}
