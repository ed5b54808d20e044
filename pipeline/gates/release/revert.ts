/**
 * `gate revert --env ENV --reason TEXT`: put ENV back on its last-good version (the record
 * mark-good writes; never a guess from version numbers, since MLflow keeps no alias history).
 * Idempotent, and ordered so the environment is restored first, even with MLflow down:
 *   1. read the cluster record (version + tested digest); refuse if there is none
 *   2. make sure <env>-1.0.<good> is that tested image (restore it from another environment's
 *      tag with the same digest if needed); refuse a tag whose digest changed
 *   3. point the Argo CD Application at it: the environment is restored
 *   4. then record in MLflow: the reason on the replaced version, alias <env> back to good.
 *      If MLflow fails here, the command fails saying the environment is already restored,
 *      and a rerun only records.
 */
import { appApplicationName, appImageTag, environments, Environment } from "../../../vocabulary/names";
import { revertFlags } from "../contract";
import { parseFlags } from "../flags";
import { setApplicationImageTag } from "./argocd";
import { ensureRetagged } from "./image";
import { type Connections, parseConnections, versionFlag } from "./options";
import { type LastGood, readLastGood } from "./record";
import { ReleaseContext, runRelease } from "./run";
import { ReleaseRefused } from "./steps";

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
    const flags = parseFlags(revertFlags, argv);
    let reason = flags.reason.trim();
    if (reason.length > maxReasonLength) reason = `${reason.slice(0, maxReasonLength - 3)}...`;
    const failed = flags.failedVersion;
    return { env: flags.env, reason, failedVersion: failed === undefined ? undefined : versionFlag(failed, "failed-version"), conn: parseConnections(flags, env) };
}

export async function revert(o: RevertOptions, ctx: ReleaseContext): Promise<string> {
    const { log, conn } = ctx;
    const good = await readLastGood(ctx.kube(), o.env);
    if (!good) {
        throw new ReleaseRefused(`no last-good version is recorded for ${o.env}; mark-good records it when a version passes, so there is nothing safe to revert to`);
    }
    log.checked("last-good", `${o.env} = v${good.version} (${good.digest})`);

    const tag = await ensureTestedImage(o.env, good, ctx);
    const app = appApplicationName(o.env);
    const changed = await setApplicationImageTag(ctx.kube(), conn.argocdNamespace, app, tag);
    if (changed) log.changed("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} -> ${tag}`);
    else log.already("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} already deploys ${tag}`);

    try {
        return await recordInMlflow(o, good.version, ctx);
    } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`${o.env} is restored to v${good.version} (Argo CD deploys ${tag}), but recording the revert in MLflow failed: ${why}. Run revert-staging again once MLflow answers; it will only record`, { cause: err });
    }
}

/** The last-good image under <env>'s own tag, with the digest that was tested. */
async function ensureTestedImage(env: Environment, good: LastGood, ctx: ReleaseContext): Promise<string> {
    const { registry, log, conn } = ctx;
    const tag = appImageTag(env, good.version);
    const image = await registry.getManifest(conn.repository, tag);
    if (image?.digest === good.digest) {
        log.checked("image", `${conn.repository}:${tag} is the tested ${good.digest}`);
        return tag;
    }
    if (image) {
        throw new ReleaseRefused(`image ${conn.repository}:${tag} is ${image.digest}, not the tested ${good.digest}: the tag was pushed again, so it is not deployed`);
    }
    for (const donor of environments.filter((e) => e !== env).map((e) => appImageTag(e, good.version))) {
        if ((await registry.getManifest(conn.repository, donor))?.digest === good.digest) {
            await ensureRetagged(registry, conn.repository, donor, tag, log);
            return tag;
        }
    }
    throw new ReleaseRefused(`image ${conn.repository}:${tag} for last-good v${good.version} is missing, and no other environment has the tested image ${good.digest} to restore it from`);
}

async function recordInMlflow(o: RevertOptions, good: string, ctx: ReleaseContext): Promise<string> {
    const { mlflow, log, conn } = ctx;
    const model = await mlflow.getRegisteredModel(conn.modelName);
    if (!model) throw new ReleaseRefused(`registered model ${conn.modelName} does not exist in MLflow`);
    const current = model.aliases[o.env];
    const replaced = o.failedVersion ?? current;
    if (replaced && replaced !== good) {
        await mlflow.setVersionTag(conn.modelName, replaced, `reverted-from-${o.env}`, o.reason);
        log.changed("record", `v${replaced} tagged reverted-from-${o.env}: ${o.reason}`);
    } else {
        log.already("record", replaced ? `v${replaced} is the last-good version itself; nothing to record` : `alias ${o.env} is not set`);
    }
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
