/**
 * The names, addresses and defaults that every layer agrees on. Each fact is defined here
 * once; the platform, the pipeline, the gates and the policies refer to it instead of
 * repeating a string.
 */

export const PROJECT = "gourmetgram";

export const namespaces = {
    platform: "gourmetgram-platform",
    staging: "gourmetgram-staging",
    canary: "gourmetgram-canary",
    production: "gourmetgram-production",
    /** Argo Workflows' controller and server, and their service accounts. */
    argo: "argo",
    /**
     * Where the lab's workflows run: its WorkflowTemplates, CronWorkflow, runner service
     * accounts and release record. No service account here can do more than one template's job.
     */
    workflows: "gourmetgram-workflows",
    argocd: "argocd",
    argoEvents: "argo-events",
    registry: "kube-system",
} as const;

/**
 * The release record in the cluster: per environment, the last version that passed its gates
 * and the digest of the image that was tested. mark-good writes it, promote and revert read it
 * (so a revert works while MLflow is down, and only the tested image is ever deployed). The
 * Pipeline component creates it empty; the pipeline owns its data.
 */
export const releaseRecord = { namespace: namespaces.workflows, configMap: "gourmetgram-release-record" } as const;

/** The three places the app runs, in promotion order. */
export const environments = ["staging", "canary", "production"] as const;
export type Environment = (typeof environments)[number];

export function isEnvironment(value: string): value is Environment {
    return (environments as readonly string[]).includes(value);
}

/**
 * Port each environment's own LoadBalancer Service exposes outside the cluster (the app itself
 * listens on appPort): every environment stays reachable directly, for tests. The app's public
 * address is `publicAppPort`, where Traefik splits traffic between production and canary.
 */
export const environmentPorts: Record<Environment, number> = {
    staging: 8081,
    canary: 8080,
    production: 8082,
};

/** The app's public address (port 80): K3s's bundled Traefik, entry point `web`. */
export const publicAppPort = 80;

export const appPort = 8000;
export const appName = "gourmetgram-app";

/** The app's Service name and in-cluster base URL for an environment. */
export function appServiceName(env: Environment): string {
    return `gourmetgram-${env}`;
}

export function appServiceUrl(env: Environment): string {
    return `http://${appServiceName(env)}.${namespaces[env]}.svc.cluster.local:${appPort}`;
}

/** Argo CD Application that deploys an environment. */
export function appApplicationName(env: Environment): string {
    return `gourmetgram-${env}`;
}

/** Argo CD AppProject the three Applications belong to: it bounds what they (and a patch of them) may deploy. */
export const appProjectName = PROJECT;

export const mlflow = {
    serviceName: "mlflow",
    port: 8000,
    url: `http://mlflow.${namespaces.platform}.svc.cluster.local:8000`,
} as const;

export const minio = {
    serviceName: "minio",
    apiPort: 9000,
    consolePort: 9001,
    url: `http://minio.${namespaces.platform}.svc.cluster.local:9000`,
    artifactsBucket: "mlflow-artifacts",
} as const;

export const postgres = {
    serviceName: "postgres",
    port: 5432,
    host: `postgres.${namespaces.platform}.svc.cluster.local`,
    database: "mlflowdb",
} as const;

export const registry = {
    serviceName: "registry",
    port: 5000,
    host: `registry.${namespaces.registry}.svc.cluster.local:5000`,
} as const;

/**
 * The registry's one login: Distribution's htpasswd auth has users but no permissions, so the
 * image builds that push, the release steps that read and retag, and every kubelet that pulls
 * all present it. The platform writes it, as a `kubernetes.io/dockerconfigjson` Secret that
 * also holds the username and password under their own keys, into each namespace whose pods
 * use the registry; the password is generated (the `registryLogin` stack output).
 */
export const registryCredentials = {
    secretName: "registry-credentials",
    usernameKey: "username",
    passwordKey: "password",
    username: `${PROJECT}-registry`,
} as const;

/**
 * How every node's containerd reaches the in-cluster registry: containerd does not resolve
 * cluster DNS, so K3s' registries.yaml mirrors `registry.host` to this NodePort on loopback
 * (kube-proxy answers NodePorts on 127.0.0.1 on every node, wherever the registry pod runs).
 */
export const registryNodeMirror = {
    nodePort: 30500,
    endpoint: "http://127.0.0.1:30500",
} as const;

/**
 * K3s's pod network as the lab installs it (K3s's defaults, which infra/k3s does not change):
 * each node gets a /24 of the cluster CIDR, and flannel gives the node itself that subnet's
 * first two addresses (`.0` on flannel.1, `.1` on the cni0 bridge); pods get `.2` and up.
 */
export const k3sPodNetwork = { clusterCidr: "10.42.0.0/16", nodeSubnetBits: 24 } as const;

/** Ports the platform's web UIs listen on at the cluster's public address (K3s ServiceLB). */
export const platformPublicPorts = {
    mlflow: 8000,
    minioConsole: 9001,
    argoWorkflows: 2746,
    argoCd: 8443,
} as const;

/**
 * Who may open a port of the lab's public address:
 * - `public`: anyone on the internet (what the lab exists to serve: canary and production);
 * - `lab`: only the lab's own network, the stack setting `labAllowedCidr` (UIs, SSH, staging);
 * - `api`: only `apiAllowedCidr` (the Kubernetes API).
 */
export type PortAudience = "public" | "lab" | "api";

export interface PublishedPort {
    readonly name: string;
    readonly port: number;
    readonly service: string;
    readonly audience: PortAudience;
    /** What a client must present; "none" only where the audience is `public` or the port is staging's. */
    readonly authentication: string;
}

export const sshPort = 22;
export const kubernetesApiPort = 6443;

/**
 * Every TCP port the lab's nodes accept from outside, defined once: the security group opens
 * exactly these (each to its audience's network), the stack output `publishedPorts` lists
 * them, and the policy pack refuses a world-open rule for any port whose audience is not
 * `public`. Staging is `lab` on purpose: outside traffic must not decide its load gate.
 */
export const publishedPorts: readonly PublishedPort[] = [
    { name: "ssh", port: sshPort, service: "SSH to node1 (and through it the others)", audience: "lab", authentication: "the stack's SSH key pair" },
    { name: "kubernetes-api", port: kubernetesApiPort, service: "Kubernetes API (K3s)", audience: "api", authentication: "client certificate from the kubeconfig output" },
    { name: "mlflow", port: platformPublicPorts.mlflow, service: "MLflow UI and REST API", audience: "lab", authentication: "MLflow basic auth (user admin, password in the mlflowAdminPassword output)" },
    { name: "minio-console", port: platformPublicPorts.minioConsole, service: "MinIO console", audience: "lab", authentication: "MinIO root login (Secret minio-credentials)" },
    { name: "argo-workflows", port: platformPublicPorts.argoWorkflows, service: "Argo Workflows UI and API", audience: "lab", authentication: "bearer token (the argoWorkflowsToken output)" },
    { name: "argo-cd", port: platformPublicPorts.argoCd, service: "Argo CD UI and API", audience: "lab", authentication: "user admin, password in the argoCdAdminPassword output" },
    { name: "app-staging", port: environmentPorts.staging, service: "GourmetGram app, staging", audience: "lab", authentication: "none (lab network only, so the load gate measures the pipeline's own traffic)" },
    { name: "app-canary", port: environmentPorts.canary, service: "GourmetGram app, canary", audience: "public", authentication: "none (the public app)" },
    { name: "app", port: publicAppPort, service: "GourmetGram app: production, with canary's share of the traffic (Traefik)", audience: "public", authentication: "none (the public app)" },
    { name: "app-production", port: environmentPorts.production, service: "GourmetGram app, production directly", audience: "public", authentication: "none (the public app)" },
];

/** The ports of one audience, in table order. */
export function portsFor(audience: PortAudience): number[] {
    return publishedPorts.filter((p) => p.audience === audience).map((p) => p.port);
}

export const model = {
    name: "GourmetGramFood11Model",
    aliases: ["development", "staging", "canary", "production"] as const,
    /** The file the app loads (torch.load); training stores it at the top of each model version. */
    file: "food11.pth",
    /** Model-version tag holding the sha256 of that file, checked by the build step. */
    sha256Tag: "model_sha256",
} as const;
export type ModelAlias = (typeof model.aliases)[number];

/** Food-11 classes, in the order the classifier's 11 outputs are indexed. */
export const food11Classes = [
    "Bread",
    "Dairy product",
    "Dessert",
    "Egg",
    "Fried food",
    "Meat",
    "Noodles/Pasta",
    "Rice",
    "Seafood",
    "Soup",
    "Vegetable/Fruit",
] as const;

/** Image tag for a model version in an environment: `staging-1.0.7`. */
export function appImageTag(env: Environment, version: number | string): string {
    return `${env}-1.0.${version}`;
}

export function appImage(env: Environment, version: number | string): string {
    return `${registry.host}/${appName}:${appImageTag(env, version)}`;
}

/**
 * Resources every app environment gets unless the stack overrides them. Measured with the app's
 * own torch (docs/gates.md, `npm run bench:app-limits`): the normal model peaks near 600 MiB
 * under the load gate's 10 concurrent requests and needs about 70-100 ms of CPU per request, so
 * 1Gi keeps the peak under 80% of the limit and one CPU keeps p95 well inside 2 s.
 */
export const defaultAppResources = {
    limits: { cpu: "1", memory: "1Gi" },
    requests: { cpu: "500m", memory: "512Mi" },
} as const;

export const workflowTemplates = {
    trainModel: "train-model",
    buildContainerImage: "build-container-image",
    deployContainerImage: "deploy-container-image",
    testStaging: "test-staging",
    promoteModel: "promote-model",
    revertStaging: "revert-staging",
    buildInitial: "build-initial",
    trainModelCron: "train-model-cron",
} as const;

export const trainingScenarios = ["normal", "bad-architecture", "oversized"] as const;
export type TrainingScenario = (typeof trainingScenarios)[number];

/** The environment variable the training image reads its seed from (empty: a fresh one). */
export const trainingSeedEnv = "GOURMETGRAM_SEED";

/** Labels every app environment's pods carry; the resource gate selects on them. */
export const appPodLabels = { "app.kubernetes.io/name": appName } as const;

export function appPodSelector(): string {
    return Object.entries(appPodLabels)
        .map(([key, value]) => `${key}=${value}`)
        .join(",");
}

/**
 * The gate/release image's entrypoint (pipeline/images/gates/Dockerfile's ENTRYPOINT). Steps name
 * it as their command: a step with no command makes Argo's controller read the image's config
 * from the registry, with a pull Secret it has no right to read.
 */
export const gateImageCommand = ["node", "/app/dist/pipeline/gates/cli.js"] as const;

/**
 * Environment variables the gate/release image reads, set by the workflow steps that run it.
 * The gate CLI and the pipeline templates both take the names from here.
 */
export const gateImageEnv = {
    mlflowTrackingUri: "MLFLOW_TRACKING_URI",
    /** MLflow basic auth: the names MLflow's own Python client reads, so one Secret serves both. */
    mlflowTrackingUsername: "MLFLOW_TRACKING_USERNAME",
    mlflowTrackingPassword: "MLFLOW_TRACKING_PASSWORD",
    registryUrl: "REGISTRY_URL",
    /** The registry login (registryCredentials), both or neither. */
    registryUsername: "REGISTRY_USERNAME",
    registryPassword: "REGISTRY_PASSWORD",
    argocdNamespace: "ARGOCD_NAMESPACE",
} as const;

/**
 * MLflow runs its basic-auth app: every request but /health needs a user. The pipeline (the
 * training pod, the build step, the gate and release CLI) logs in as its own user, whose login
 * the platform writes to this Secret in the workflows namespace (and in `gourmetgram-platform`,
 * where the Job that creates the user reads it).
 */
export const mlflowPipelineCredentials = {
    secretName: "mlflow-pipeline-credentials",
    usernameKey: "username",
    passwordKey: "password",
    username: `${PROJECT}-pipeline`,
} as const;

/**
 * K3s's bundled Traefik (a Helm release `traefik` in kube-system, chart values from the K3s
 * release). The lab customises it with a HelmChartConfig of the same name, the way K3s
 * documents: cross-namespace references (the public route in production's namespace reaches
 * canary's Service), and a ClusterIP Service for its Prometheus metrics.
 */
export const traefik = {
    namespace: "kube-system",
    releaseName: "traefik",
    entryPoint: "web",
    /** The chart names its metrics Service `<fullname>-metrics` and serves entry point `metrics` on 9100. */
    metricsServiceName: "traefik-metrics",
    metricsPort: 9100,
    metricsUrl: "http://traefik-metrics.kube-system.svc.cluster.local:9100/metrics",
    /** Traefik's name for its Kubernetes CRD provider, the suffix of every service it builds. */
    crdProvider: "kubernetescrd",
} as const;

/** The TraefikService and IngressRoute that split the public address, in production's namespace. */
export const publicRoute = {
    namespace: namespaces.production,
    traefikServiceName: `${PROJECT}-public`,
    ingressRouteName: `${PROJECT}-public`,
    /** Share of public requests canary gets unless the stack says otherwise; 0 sends all to production. */
    defaultCanaryPercent: 10,
    /** Above half, canary would be the main environment rather than a canary. */
    maxCanaryPercent: 50,
} as const;

/**
 * The `service` label Traefik gives an environment's Service in its metrics when the public
 * route's weighted TraefikService references it by port number: `<namespace>-<name>-<port>@kubernetescrd`
 * (Traefik's CRD provider, fullServiceName).
 */
export function traefikServiceMetricName(env: Environment): string {
    return `${namespaces[env]}-${appServiceName(env)}-${appPort}@${traefik.crdProvider}`;
}

/**
 * The service account whose token Argo's executor (the init and wait containers) uses in pods
 * whose own containers get none (`automountServiceAccountToken: false`): it may only report
 * step outputs. Argo finds its token Secret by this name (`<account>.service-account-token`).
 */
export const workflowExecutor = {
    serviceAccount: `${PROJECT}-workflow-executor`,
    tokenSecret: `${PROJECT}-workflow-executor.service-account-token`,
} as const;

/** Argo synchronization mutex that serialises every change to one environment. */
export function environmentMutexName(env: Environment): string {
    return `${PROJECT}-${env}-release`;
}
