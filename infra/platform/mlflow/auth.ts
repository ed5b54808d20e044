/**
 * MLflow's basic-auth app (`mlflow server --app-name basic-auth`), as MLflow 3 reads it:
 * - an INI file named by MLFLOW_AUTH_CONFIG_PATH with `default_permission`, `database_uri` (where
 *   users and permissions live) and the bootstrap admin (`admin_username` / `admin_password`,
 *   used only while the user store is empty);
 * - MLFLOW_FLASK_SERVER_SECRET_KEY for its CSRF protection (the server refuses to start without);
 * - clients send HTTP basic auth; MLflow's Python client takes MLFLOW_TRACKING_USERNAME/PASSWORD.
 * Users live in their own Postgres database beside MLflow's, so a restart keeps them.
 */
import { mlflow, mlflowPipelineCredentials, namespaces, postgres } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import { componentLabels } from "../common/labels";
import { type IJob, manifest } from "../common/manifest";
import { platformResources, toResourceRequirements } from "../common/resources";
import { checkovWaivers, inClusterImageWaivers, restrictedContainer, restrictedPod } from "../common/security";
import { postgresSecret } from "../postgres/manifests";
import { registryPullSecrets } from "../registry/login";

export const mlflowAuth = {
    appName: "basic-auth",
    /** The Postgres database that holds MLflow's users and permissions. */
    database: "mlflow_auth",
    adminUsername: "admin",
    /** Signed-in users who hold no grant on an experiment or model may read it, not change it. */
    defaultPermission: "READ",
    configFile: "basic_auth.ini",
    configDir: "/etc/mlflow-auth",
} as const;

/** Everything the MLflow server needs that is secret, in one Secret of gourmetgram-platform. */
export const mlflowServerSecret = {
    name: "mlflow-server",
    backendStoreUriKey: "backendStoreUri",
    authConfigKey: mlflowAuth.configFile,
    flaskSecretKeyKey: "flaskSecretKey",
} as const;

/** The admin login, for people (a secret stack output) and for the Job that creates users. */
export const mlflowAdminSecret = {
    name: "mlflow-admin-credentials",
    usernameKey: "username",
    passwordKey: "password",
} as const;

/**
 * A SQLAlchemy URI for MLflow's user in `database`, naming the driver the server image has
 * (psycopg2): a bare `postgresql://` means psycopg 3 from SQLAlchemy 2.1 on, and the server
 * would not start. Generated passwords are letters and digits only.
 */
export function postgresUri(user: string, password: string, database: string): string {
    return `postgresql+psycopg2://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${postgres.host}:${postgres.port}/${database}`;
}

export interface BasicAuthIniArgs {
    readonly databaseUri: string;
    readonly adminPassword: string;
}

/** The basic_auth.ini MLflow reads; a file in a Secret, never an env value or a command line. */
export function basicAuthIni(args: BasicAuthIniArgs): string {
    for (const [key, value] of Object.entries(args)) {
        if (/[\r\n]/.test(value)) throw new Error(`basic_auth.ini: ${key} must be one line`);
    }
    return [
        "[mlflow]",
        `default_permission = ${mlflowAuth.defaultPermission}`,
        `database_uri = ${args.databaseUri}`,
        `admin_username = ${mlflowAuth.adminUsername}`,
        `admin_password = ${args.adminPassword}`,
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        "",
    ].join("\n");
}

/**
 * An init container that creates the auth database when it is missing (Postgres' image creates
 * only POSTGRES_DB, and only on an empty volume), so an existing lab gains it on upgrade too.
 */
export function createAuthDatabaseContainer() {
    const fromSecret = (key: string) => ({ secretKeyRef: { name: postgresSecret.name, key } });
    const script = [
        "set -eu",
        `if psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${mlflowAuth.database}'" | grep -q 1; then`,
        `  echo "database ${mlflowAuth.database} exists"`,
        "else",
        `  psql -v ON_ERROR_STOP=1 -c 'CREATE DATABASE ${mlflowAuth.database}'`,
        "fi",
    ].join("\n");
    return restrictedContainer({
        name: "create-auth-database",
        image: platformImages.postgres,
        command: ["sh", "-c", script],
        env: [
            { name: "PGHOST", value: postgres.host },
            { name: "PGPORT", value: String(postgres.port) },
            { name: "PGDATABASE", value: postgres.database },
            { name: "PGUSER", valueFrom: fromSecret(postgresSecret.usernameKey) },
            { name: "PGPASSWORD", valueFrom: fromSecret(postgresSecret.passwordKey) },
            { name: "PGCONNECT_TIMEOUT", value: "10" },
        ],
        resources: toResourceRequirements(platformResources.bucketJob),
    });
}

const adminDir = "/etc/mlflow-admin";
const pipelineDir = "/etc/mlflow-pipeline";

/**
 * Creates the pipeline's MLflow user (or resets its password to the Secret's, so the two never
 * drift), logged in as the admin. It waits, bounded, for the server to answer; any other answer
 * fails the Job with MLflow's status and message, never a password.
 */
export const createUsersScript = `
import base64, json, os, pathlib, sys, time, urllib.error, urllib.request

# The defaults are the Job's; the test suite points them at a local server and files.
base = os.environ.get("MLFLOW_URL", "${mlflow.url}")
admin_dir = os.environ.get("ADMIN_DIR", "${adminDir}")
pipeline_dir = os.environ.get("PIPELINE_DIR", "${pipelineDir}")
def read(directory, key):
    return pathlib.Path(directory, key).read_text().strip()
admin = (read(admin_dir, "${mlflowAdminSecret.usernameKey}"), read(admin_dir, "${mlflowAdminSecret.passwordKey}"))
user = read(pipeline_dir, "${mlflowPipelineCredentials.usernameKey}")
password = read(pipeline_dir, "${mlflowPipelineCredentials.passwordKey}")
auth = "Basic " + base64.b64encode(f"{admin[0]}:{admin[1]}".encode()).decode()

def call(method, endpoint, payload):
    request = urllib.request.Request(
        f"{base}/api/2.0/mlflow/{endpoint}", data=json.dumps(payload).encode(), method=method,
        headers={"Authorization": auth, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:300]

for attempt in range(60):
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    time.sleep(5)
else:
    sys.exit(f"MLflow at {base} did not answer /health within 300s")

status, body = call("POST", "users/create", {"username": user, "password": password})
if status == 200:
    print(f"created MLflow user {user}")
elif "RESOURCE_ALREADY_EXISTS" in body:
    status, body = call("PATCH", "users/update-password", {"username": user, "password": password})
    if status != 200:
        sys.exit(f"updating the password of MLflow user {user}: HTTP {status} {body}")
    print(f"MLflow user {user} exists; its password matches the Secret")
else:
    sys.exit(f"creating MLflow user {user}: HTTP {status} {body}")
`;

/** The Job that runs createUsersScript with the MLflow server image (Python and nothing else needed). */
export function createUsersJob(image: string): IJob {
    const name = "mlflow-create-users";
    const labels = componentLabels(name);
    return manifest.Job({
        metadata: { name, namespace: namespaces.platform, labels, annotations: checkovWaivers(inClusterImageWaivers) },
        spec: {
            backoffLimit: 4,
            activeDeadlineSeconds: 900,
            template: {
                metadata: { labels },
                spec: restrictedPod({
                    ...registryPullSecrets([image]),
                    restartPolicy: "OnFailure",
                    containers: [
                        restrictedContainer({
                            name: "create-users",
                            image,
                            command: ["python", "-c", createUsersScript],
                            volumeMounts: [
                                { name: "admin", mountPath: adminDir, readOnly: true },
                                { name: "pipeline", mountPath: pipelineDir, readOnly: true },
                            ],
                            resources: toResourceRequirements(platformResources.bucketJob),
                        }),
                    ],
                    volumes: [
                        { name: "admin", secret: { secretName: mlflowAdminSecret.name } },
                        { name: "pipeline", secret: { secretName: mlflowPipelineCredentials.secretName } },
                    ],
                }),
            },
        },
    });
}
