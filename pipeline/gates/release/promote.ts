/**
 * `gate promote --from ENV --to ENV --version V`: run the version that <from> runs in <to>.
 * Order matters and every step is idempotent, so a rerun after a crash finishes the job:
 *   1. the version exists, and <from> really has it (its alias or its last-good record)
 *   2. <from>-1.0.V is still the image staging's gates tested (its digest, recorded by
 *      mark-good), so a tag pushed again after the tests is never promoted
 *   3. retag <from>-1.0.V as <to>-1.0.V in the registry, and read it back
 *   4. point Argo CD Application gourmetgram-<to> at the new tag
 *   5. only then move MLflow alias <to> to V, so the alias never names a missing image
 */
import { appApplicationName, appImageTag, environments, Environment } from "../../../vocabulary/names";
import { UsageError } from "../args";
import { promoteFlags } from "../contract";
import { parseFlags } from "../flags";
import { setApplicationImageTag } from "./argocd";
import { ensureRetagged } from "./image";
import { type Connections, lastGoodTag, parseConnections, versionFlag } from "./options";
import { isImageDigest, readLastGood, testedDigestTag } from "./record";
import { ReleaseContext, runRelease } from "./run";
import { ReleaseRefused } from "./steps";

export interface PromoteOptions {
    from: Environment;
    to: Environment;
    version: string;
    conn: Connections;
}

export function parsePromoteArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PromoteOptions {
    const flags = parseFlags(promoteFlags, argv);
    const { from, to } = flags;
    if (environments.indexOf(to) <= environments.indexOf(from)) {
        throw new UsageError(`--to must come after --from in ${environments.join(" -> ")}; got ${from} -> ${to}`);
    }
    return { from, to, version: versionFlag(flags.version), conn: parseConnections(flags, env) };
}

export async function promote(o: PromoteOptions, ctx: ReleaseContext): Promise<string> {
    const { mlflow, registry, log, conn } = ctx;
    const model = await mlflow.getRegisteredModel(conn.modelName);
    if (!model) throw new ReleaseRefused(`registered model ${conn.modelName} does not exist in MLflow`);
    if (!(await mlflow.getModelVersion(conn.modelName, o.version))) {
        throw new ReleaseRefused(`model version ${o.version} of ${conn.modelName} does not exist in MLflow`);
    }
    const sourceAlias = model.aliases[o.from];
    const sourceGood = model.tags[lastGoodTag(o.from)];
    if (sourceAlias !== o.version && sourceGood !== o.version) {
        throw new ReleaseRefused(
            `${o.from} does not have version ${o.version} (alias ${o.from} -> ${sourceAlias ?? "none"}, ${lastGoodTag(o.from)} = ${sourceGood ?? "none"})`,
        );
    }
    log.checked("source", `${conn.modelName} v${o.version} is ${sourceAlias === o.version ? `alias ${o.from}` : lastGoodTag(o.from)}`);

    const fromTag = appImageTag(o.from, o.version);
    const tested = await testedDigest(o, ctx);
    const source = await registry.getManifest(conn.repository, fromTag);
    if (source && source.digest !== tested) {
        throw new ReleaseRefused(
            `image ${conn.repository}:${fromTag} is ${source.digest}, but the image that passed staging's gates was ${tested}: the tag was pushed again after testing, so it is not promoted. Run the pipeline again for this version`,
        );
    }
    log.checked("tested", `${conn.repository}:${fromTag} is the tested image ${tested}`);

    const toTag = appImageTag(o.to, o.version);
    await ensureRetagged(registry, conn.repository, fromTag, toTag, log);

    const app = appApplicationName(o.to);
    const changed = await setApplicationImageTag(ctx.kube(), conn.argocdNamespace, app, toTag);
    if (changed) log.changed("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} -> ${toTag}`);
    else log.already("deploy", `Argo CD Application ${conn.argocdNamespace}/${app} already deploys ${toTag}`);

    if (model.aliases[o.to] === o.version) {
        log.already("alias", `${o.to} -> v${o.version}`);
    } else {
        await mlflow.setAlias(conn.modelName, o.to, o.version);
        await mlflow.setVersionTag(conn.modelName, o.version, `promoted-to-${o.to}`, new Date().toISOString());
        log.changed("alias", `${o.to}: v${model.aliases[o.to] ?? "none"} -> v${o.version}`);
    }
    return `version ${o.version} promoted from ${o.from} to ${o.to} (image ${toTag})`;
}

/** The digest staging's gates passed for this version: the cluster record, else the version's MLflow tag. */
async function testedDigest(o: PromoteOptions, ctx: ReleaseContext): Promise<string> {
    const record = await readLastGood(ctx.kube(), "staging");
    if (record?.version === o.version) return record.digest;
    const version = await ctx.mlflow.getModelVersion(ctx.conn.modelName, o.version);
    const tagged = version?.tags[testedDigestTag];
    if (tagged === undefined) {
        throw new ReleaseRefused(`version ${o.version} has no tested image digest (mark-good records it when the version passes staging), so there is no proof it passed; it is not promoted`);
    }
    if (!isImageDigest(tagged)) throw new ReleaseRefused(`version ${o.version}'s ${testedDigestTag} tag in MLflow is not an image digest: ${JSON.stringify(tagged).slice(0, 100)}`);
    return tagged;
}

export async function promoteCommand(argv: readonly string[]) {
    const o = parsePromoteArgs(argv);
    return runRelease(`promote ${o.from} -> ${o.to}, version ${o.version}`, o.conn, { from: o.from, to: o.to, version: o.version }, (ctx) => promote(o, ctx));
}
