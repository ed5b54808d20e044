/**
 * The contract between the workflow templates and the gate CLI: each command's flags, with
 * their defaults and ranges, defined once. The CLI parses its argv with these tables
 * (flags.ts), the templates build their argv from them with gateCommandLine, and the stack
 * config (pipeline/config.ts) takes its gate defaults from them. A flag added, renamed or
 * removed here changes all three; test/unit/pipeline/gate-contract.test.ts runs every rendered
 * gate step's arguments through the CLI's parser.
 */
import { environments, traefik, traefikServiceMetricName } from "../../vocabulary/names";
import { flagArguments, type FlagArguments, type FlagTable } from "./flags";

const version = { kind: "text", value: "V", about: "an MLflow model version number, e.g. 7" } as const;
const environment = { kind: "text", value: "ENV", required: true, choices: environments, about: `one of ${environments.join(", ")}` } as const;

/** Accepted by every command: where the JSON verdict is written. */
export const reportFlag = { report: { kind: "text", value: "FILE" } } as const;

/** Where the release commands find MLflow, the registry and Argo CD; unset, the environment decides (release/options.ts). */
export const connectionFlags = {
    mlflowUrl: { kind: "text", value: "URL" },
    registryUrl: { kind: "text", value: "URL" },
    argocdNamespace: { kind: "text", value: "NS" },
    modelName: { kind: "text", value: "NAME" },
    repository: { kind: "text", value: "REPO" },
} as const;

export const loadFlags = {
    url: { kind: "text", value: "URL", required: true, about: "the URL every request GETs" },
    /** At most a million: every latency is kept exactly, 8 bytes each. */
    requests: { kind: "number", value: "N", default: 100, rule: { integer: true, min: 1, max: 1_000_000 } },
    concurrency: { kind: "number", value: "N", default: 10, rule: { integer: true, min: 1, max: 10_000 } },
    /** Unset: a closed loop; set: requests scheduled at this rate (an open loop). */
    rate: { kind: "number", value: "R", rule: { min: 0, exclusiveMin: true, max: 1_000_000 } },
    timeoutMs: { kind: "number", value: "MS", default: 10_000, rule: { integer: true, min: 1, max: 600_000 } },
    p95Ms: { kind: "number", value: "MS", default: 2000, rule: { min: 0, exclusiveMin: true } },
    minSuccessRate: { kind: "number", value: "RATIO", default: 0.95, rule: { min: 0, max: 1 } },
    maxDurationS: { kind: "number", value: "S", default: 600, rule: { min: 0, exclusiveMin: true, max: 86_400 } },
    /** With selector: the app's pods, checked for restarts and OOM kills across the load. */
    namespace: { kind: "text", value: "NS" },
    selector: { kind: "text", value: "SEL" },
    ...reportFlag,
} as const satisfies FlagTable;

export const integrationFlags = {
    url: { kind: "text", value: "BASE", required: true, about: "the app's base URL, e.g. http://gourmetgram-staging.gourmetgram-staging.svc.cluster.local:8000" },
    expectVersion: { kind: "text", value: "V", required: true, about: "the model version the app must report on /version" },
    waitS: { kind: "number", value: "S", default: 300, rule: { min: 0, max: 3600 } },
    timeoutMs: { kind: "number", value: "MS", default: 30_000, rule: { integer: true, min: 1, max: 600_000 } },
    pollMs: { kind: "number", value: "MS", default: 2000, rule: { integer: true, min: 10, max: 60_000 } },
    /** Unset: the image bundled with the CLI (assets/food-sample.jpg). */
    sample: { kind: "text", value: "FILE" },
    ...reportFlag,
} as const satisfies FlagTable;

export const resourcesFlags = {
    namespace: { kind: "text", value: "NS", required: true, about: "the namespace of the app environment" },
    selector: { kind: "text", value: "SEL", required: true, about: "a label selector matching the Deployment and its pods, e.g. app=gourmetgram-staging" },
    maxMemoryRatio: { kind: "number", value: "RATIO", default: 0.9, rule: { min: 0, exclusiveMin: true, max: 1 } },
    maxCpuRatio: { kind: "number", value: "RATIO", default: 0.9, rule: { min: 0, exclusiveMin: true, max: 1 } },
    waitS: { kind: "number", value: "S", default: 180, rule: { min: 0, max: 3600 } },
    pollMs: { kind: "number", value: "MS", default: 3000, rule: { integer: true, min: 10, max: 60_000 } },
    ...reportFlag,
} as const satisfies FlagTable;

export const canaryFlags = {
    version: { ...version, required: true },
    metricsUrl: { kind: "text", value: "URL", default: traefik.metricsUrl },
    canaryService: { kind: "text", value: "NAME", default: traefikServiceMetricName("canary") },
    productionService: { kind: "text", value: "NAME", default: traefikServiceMetricName("production") },
    /** Seconds of live traffic watched: two scrapes of Traefik's metrics this far apart. */
    windowS: { kind: "number", value: "S", default: 300, rule: { integer: true, min: 1, max: 3600 } },
    /** Highest share of canary's requests that may end in a 5xx. */
    maxErrorRate: { kind: "number", value: "RATIO", default: 0.05, rule: { min: 0, max: 1 } },
    p95Ms: { kind: "number", value: "MS", default: 2000, rule: { integer: true, min: 1, max: 120_000 } },
    /** Fewer requests than this in the window cannot show a rate or a p95: the check cannot decide. */
    minRequests: { kind: "number", value: "N", default: 20, rule: { integer: true, min: 1, max: 1_000_000 } },
    timeoutMs: { kind: "number", value: "MS", default: 10_000, rule: { integer: true, min: 100, max: 120_000 } },
    /** Both or neither; empty means not given (the workflow always passes them). */
    overrideBy: { kind: "text", value: "WHO", freeText: true },
    overrideReason: { kind: "text", value: "WHY", freeText: true },
    ...connectionFlags,
    ...reportFlag,
} as const satisfies FlagTable;

export const splitFlags = {
    url: { kind: "text", value: "http://PUBLIC/version", required: true, about: "the app's /version at the public address, e.g. http://A.B.C.D/version" },
    canaryVersion: { ...version, required: true },
    expectPercent: { kind: "number", value: "P", required: true, about: "the stack's canaryTrafficPercent, 0 to 50", rule: { min: 0, max: 100 } },
    tolerance: { kind: "number", value: "POINTS", default: 5, rule: { min: 0, max: 100 } },
    requests: { kind: "number", value: "N", default: 400, rule: { integer: true, min: 1, max: 10_000 } },
    timeoutMs: { kind: "number", value: "MS", default: 10_000, rule: { integer: true, min: 100, max: 120_000 } },
    ...reportFlag,
} as const satisfies FlagTable;

export const promoteFlags = {
    from: environment,
    to: environment,
    version: { ...version, required: true },
    ...connectionFlags,
    ...reportFlag,
} as const satisfies FlagTable;

export const revertFlags = {
    env: environment,
    reason: { kind: "text", value: "TEXT", required: true, freeText: true, about: "why the environment is being reverted; recorded on the replaced version" },
    /** The version being replaced, when the caller knows it; else the one alias <env> names. */
    failedVersion: version,
    ...connectionFlags,
    ...reportFlag,
} as const satisfies FlagTable;

export const markGoodFlags = {
    env: environment,
    version: { ...version, required: true },
    ...connectionFlags,
    ...reportFlag,
} as const satisfies FlagTable;

export const setImageTagFlags = markGoodFlags;

/** Every command of the gate CLI and its flags, by the name the command line starts with. */
export const gateCommandFlags = {
    load: loadFlags,
    integration: integrationFlags,
    resources: resourcesFlags,
    canary: canaryFlags,
    split: splitFlags,
    promote: promoteFlags,
    revert: revertFlags,
    "mark-good": markGoodFlags,
    "set-image-tag": setImageTagFlags,
} as const;

export type GateCommandName = keyof typeof gateCommandFlags;

/** The flags a template gives `gate <command>`; `--report` is added by the step (gateReportArguments). */
export type GateArguments<C extends GateCommandName> = Omit<FlagArguments<(typeof gateCommandFlags)[C]>, "report">;

declare const builtFromContract: unique symbol;
/** An argv for the gate image, made only by gateCommandLine: a step cannot pass hand-written flags. */
export type GateCommandLine = readonly string[] & { readonly [builtFromContract]: true };

export function gateCommandLine<C extends GateCommandName>(command: C, args: GateArguments<C>): GateCommandLine {
    const table: FlagTable = gateCommandFlags[command];
    return [command, ...flagArguments<FlagTable>(table, args as FlagArguments<FlagTable>)] as readonly string[] as GateCommandLine;
}

export function gateReportArguments(file: string): string[] {
    return flagArguments(reportFlag, { report: file });
}
