/**
 * `gate mark-good --env ENV --version V`: record V as the version ENV reverts to, with the
 * digest of the image its gates tested. Written only after V passed ENV's gates, and only if
 * V's image for ENV exists, so a revert always has an image to go back to. The record goes to
 * the cluster first (release/record.ts: what revert and promote read, even with MLflow down),
 * then to MLflow for people to see: tag last-good-<env> on the model, alias <env> on V,
 * tested-digest on V.
 */
import { appImageTag, Environment } from "../../../vocabulary/names";
import { markGoodFlags } from "../contract";
import { parseFlags } from "../flags";
import { type Connections, lastGoodTag, parseConnections, versionFlag } from "./options";
import { testedDigestTag, writeLastGood } from "./record";
import { ReleaseContext, runRelease } from "./run";
import { ReleaseRefused } from "./steps";

export interface MarkGoodOptions {
    env: Environment;
    version: string;
    conn: Connections;
}

export function parseMarkGoodArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): MarkGoodOptions {
    const flags = parseFlags(markGoodFlags, argv);
    return { env: flags.env, version: versionFlag(flags.version), conn: parseConnections(flags, env) };
}

export async function markGood(o: MarkGoodOptions, ctx: ReleaseContext): Promise<string> {
    const { mlflow, registry, log, conn } = ctx;
    const model = await mlflow.getRegisteredModel(conn.modelName);
    if (!model) throw new ReleaseRefused(`registered model ${conn.modelName} does not exist in MLflow`);
    if (!(await mlflow.getModelVersion(conn.modelName, o.version))) {
        throw new ReleaseRefused(`model version ${o.version} of ${conn.modelName} does not exist in MLflow`);
    }
    const tag = appImageTag(o.env, o.version);
    const image = await registry.getManifest(conn.repository, tag);
    if (!image) throw new ReleaseRefused(`image ${conn.repository}:${tag} does not exist; a version without an image cannot be a revert target`);
    log.checked("image", `${conn.repository}:${tag} is ${image.digest}`);
    const recorded = await writeLastGood(ctx.kube(), o.env, { version: o.version, digest: image.digest });
    if (recorded) log.changed("record", `last-good ${o.env} = v${o.version} (${image.digest}) in the cluster`);
    else log.already("record", `last-good ${o.env} = v${o.version} (${image.digest}) in the cluster`);
    const key = lastGoodTag(o.env);
    if (model.tags[key] === o.version) {
        log.already("last-good", `${key} = ${o.version}`);
    } else {
        await mlflow.setModelTag(conn.modelName, key, o.version);
        log.changed("last-good", `${key}: ${model.tags[key] ?? "none"} -> ${o.version}`);
    }
    // The alias ladder students read in MLflow: the version that passed an environment is its alias.
    if (model.aliases[o.env] === o.version) {
        log.already("alias", `${o.env} -> v${o.version}`);
    } else {
        await mlflow.setAlias(conn.modelName, o.env, o.version);
        log.changed("alias", `${o.env}: v${model.aliases[o.env] ?? "none"} -> v${o.version}`);
    }
    await mlflow.setVersionTag(conn.modelName, o.version, testedDigestTag, image.digest);
    await mlflow.setVersionTag(conn.modelName, o.version, `passed-${o.env}`, new Date().toISOString());
    return `version ${o.version} recorded as last-good for ${o.env}`;
}

export async function markGoodCommand(argv: readonly string[]) {
    const o = parseMarkGoodArgs(argv);
    return runRelease(`mark-good ${o.env}, version ${o.version}`, o.conn, { env: o.env, version: o.version }, (ctx) => markGood(o, ctx));
}
