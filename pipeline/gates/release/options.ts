/**
 * Where the release commands find MLflow, the registry and Argo CD. Flags win over the
 * environment variables the workflow steps set (vocabulary/names gateImageEnv), which win over
 * the in-cluster defaults from vocabulary/names.
 */
import { appName, gateImageEnv, model, mlflow, namespaces, registry, type Environment } from "../../../vocabulary/names";
import { dnsLabel, nameText, parseBaseUrl, repositoryName, UsageError } from "../args";
import type { connectionFlags } from "../contract";
import type { FlagValues } from "../flags";

/** An HTTP basic-auth login, from a pair of environment variables. */
export interface BasicLogin {
    username: string;
    password: string;
}

/** MLflow basic auth, from the variables MLflow's own client reads. */
export type MlflowCredentials = BasicLogin;

/** The in-cluster registry's login (REGISTRY_USERNAME / REGISTRY_PASSWORD). */
export type RegistryCredentials = BasicLogin;

export interface Connections {
    mlflowUrl: string;
    /** Absent when neither variable is set (an MLflow without auth). */
    mlflowCredentials?: MlflowCredentials;
    registryUrl: string;
    /** Absent when neither variable is set (a registry without auth). */
    registryCredentials?: RegistryCredentials;
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
        registryCredentials: registryCredentialsFrom(env),
        argocdNamespace: dnsLabel("argocd-namespace", flags.argocdNamespace ?? env[gateImageEnv.argocdNamespace] ?? namespaces.argocd),
        modelName: nameText("model-name", flags.modelName ?? model.name),
        repository: repositoryName("repository", flags.repository ?? appName),
    };
}

/**
 * `usernameVar` and `passwordVar`, both or neither. A half-set login is a usage error naming the
 * missing variable; the message never contains the password.
 */
function basicLoginFrom(env: NodeJS.ProcessEnv, usernameVar: string, passwordVar: string, what: string): BasicLogin | undefined {
    const username = env[usernameVar] ?? "";
    const password = env[passwordVar] ?? "";
    if (username === "" && password === "") return undefined;
    if (username === "") throw new UsageError(`${passwordVar} is set but ${usernameVar} is not: set both for ${what}, or neither`);
    if (password === "") throw new UsageError(`${usernameVar} is set but ${passwordVar} is not: set both for ${what}, or neither`);
    if (username.includes(":")) throw new UsageError(`${usernameVar} must not contain ":" (HTTP basic auth separates user and password with it)`);
    return { username, password };
}

export function mlflowCredentialsFrom(env: NodeJS.ProcessEnv): MlflowCredentials | undefined {
    return basicLoginFrom(env, gateImageEnv.mlflowTrackingUsername, gateImageEnv.mlflowTrackingPassword, "MLflow's basic auth");
}

export function registryCredentialsFrom(env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
    return basicLoginFrom(env, gateImageEnv.registryUsername, gateImageEnv.registryPassword, "the registry's login");
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
