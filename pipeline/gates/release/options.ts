/**
 * Where the release commands find MLflow, the registry and Argo CD. Flags win over the
 * environment variables the workflow steps set (vocabulary/names gateImageEnv), which win over
 * the in-cluster defaults from vocabulary/names.
 */
import { appName, gateImageEnv, model, mlflow, namespaces, registry, type Environment } from "../../../vocabulary/names";
import { dnsLabel, nameText, parseBaseUrl, repositoryName, UsageError } from "../args";
import type { connectionFlags } from "../contract";
import type { FlagValues } from "../flags";

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

export function parseConnections(flags: Partial<FlagValues<typeof connectionFlags>>, env: NodeJS.ProcessEnv = process.env): Connections {
    const mlflowUrl = flags.mlflowUrl ?? env[gateImageEnv.mlflowTrackingUri] ?? mlflow.url;
    const registryUrl = flags.registryUrl ?? env[gateImageEnv.registryUrl] ?? `http://${registry.host}`;
    parseBaseUrl("mlflow-url", mlflowUrl);
    parseBaseUrl("registry-url", registryUrl);
    return {
        mlflowUrl,
        mlflowCredentials: mlflowCredentialsFrom(env),
        registryUrl,
        argocdNamespace: dnsLabel("argocd-namespace", flags.argocdNamespace ?? env[gateImageEnv.argocdNamespace] ?? namespaces.argocd),
        modelName: nameText("model-name", flags.modelName ?? model.name),
        repository: repositoryName("repository", flags.repository ?? appName),
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

/** MLflow model versions are positive integers. */
export function versionFlag(raw: string, name = "version"): string {
    if (!/^[1-9]\d{0,9}$/.test(raw.trim())) throw new UsageError(`--${name} must be a positive integer MLflow model version, got "${raw}"`);
    return raw.trim();
}

/** Registered-model tag that records an environment's last version that passed its gates. */
export function lastGoodTag(env: Environment): string {
    return `last-good-${env}`;
}
