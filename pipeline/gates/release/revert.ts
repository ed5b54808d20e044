/**
 * `gate revert --env ENV --reason TEXT`: put ENV back on its last-good version (the
 * `last-good-<env>` record written by mark-good; never a guess from version numbers, since
 * MLflow keeps no alias history). Idempotent, and ordered so nothing points at a missing image:
 *   1. read the record; refuse if there is none
 *   2. write the reason on the version being replaced, before anything moves
 *   3. make sure <env>-1.0.<good> exists (restore it from another environment's tag if needed)
 *   4. point the Argo CD Application at it, then 5. move alias <env> back
 */
import { appApplicationName, appImageTag, environments, Environment } from "../../../infra/names";
import { parseFlags, requireFlag } from "../args";
import { setApplicationImageTag } from "./argocd";
import { ensureRetagged } from "./image";
import { connectionFlags, environmentFlag, lastGoodTag, parseConnections, versionFlag, Connections } from "./options";
import { ReleaseContext, runRelease } from "./run";
import { ReleaseRefused } from "./steps";

export const revertFlags = ["env", "reason", "failed-version", ...connectionFlags] as const;

/** MLflow caps tag values at 5000 characters; a longer reason is cut, and the report says so. */
export const maxReasonLength = 5000;

export interface RevertOptions {
    env: Environment;
    reason: string;
    /** The version being reverted, when the caller knows it; otherwise the one alias <env> names. */
    failedVersion?: string;
    conn: Connections;
}

export function parseRevertArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RevertOptions {
    const flags = parseFlags(argv, revertFlags);
    const environment = environmentFlag("env", flags.get("env"));
    let reason = requireFlag(flags, "reason", "why the environment is being reverted; recorded on the replaced version").trim();
    if (reason.length > maxReasonLength) reason = `${reason.slice(0, maxReasonLength - 3)}...`;
    const failed = flags.get("failed-version");
    return { env: environment, reason, failedVersion: failed === undefined ? undefined : versionFlag(failed, "failed-version"), conn: parseConnections(flags, env) };
}

export async function revert(o: RevertOptions, ctx: ReleaseContext): Promise<string> {
    const { mlflow, registry, log, conn } = ctx;
    const model = await mlflow.getRegisteredModel(conn.modelName);
    if (!model) throw new ReleaseRefused(`registered model ${conn.modelName} does not exist in MLflow`);
    const key = lastGoodTag(o.env);
    const good = model.tags[key];
    if (!good) {
        throw new ReleaseRefused(`no last-good version is recorded for ${o.env} (registered-model tag ${key}); mark-good writes it when a version passes, so there is nothing safe to revert to`);
    }
    log.checked("last-good", `${key} = ${good}`);

    const current = model.aliases[o.env];
    const replaced = o.failedVersion ?? current;
    if (replaced && replaced !== good) {
        await mlflow.setVersionTag(conn.modelName, replaced, `reverted-from-${o.env}`, o.reason);
        log.changed("record", `v${replaced} tagged reverted-from-${o.env}: ${o.reason}`);
    } else {
        log.already("record", replaced ? `v${replaced} is the last-good version itself; nothing to record` : `alias ${o.env} is not set`);
    }

    const tag = appImageTag(o.env, good);
    const image = await registry.getManifest(conn.repository, tag);
    if (image) {
        log.checked("image", `${conn.repository}:${tag} is ${image.digest}`);
    } else {
        const donors = environments.filter((e) => e !== o.env).map((e) => appImageTag(e, good));
        let restored = false;
        for (const donor of donors) {
            if (await registry.getManifest(conn.repository, donor)) {
                await ensureRetagged(registry, conn.repository, donor, tag, log);
                restored = true;
                break;
            }
        }
        if (!restored) throw new ReleaseRefused(`image ${conn.repository}:${tag} for last-good v${good} is missing, and no other environment has v${good} to restore it from`);
    }

    const app = appApplicationName(o.env);
    const changed = await setApplicationImageTag(ctx.kube(), conn.argocdNamespace, app, tag);
    if (changed) log.changed("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} -> ${tag}`);
    else log.already("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} already deploys ${tag}`);

    if (current === good) {
        log.already("alias", `${o.env} -> v${good}`);
    } else {
        await mlflow.setAlias(conn.modelName, o.env, good);
        log.changed("alias", `${o.env}: v${current ?? "none"} -> v${good}`);
    }
    return `${o.env} reverted to last-good version ${good}${replaced && replaced !== good ? ` (replacing v${replaced})` : ""}`;
}

export async function revertCommand(argv: readonly string[]) {
    const o = parseRevertArgs(argv);
    return runRelease(`revert ${o.env}`, o.conn, { env: o.env, reason: o.reason }, (ctx) => revert(o, ctx));
}
