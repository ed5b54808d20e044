/**
 * `gate set-image-tag --env ENV --version V`: point ENV's Argo CD Application at
 * `<env>-1.0.<V>`. The deploy template calls it, and promote and revert use the same function
 * (release/argocd.ts), so there is one way the pipeline writes the tag: from a checked version
 * number, changing only the tag wherever the Application carries it.
 */
import { appApplicationName, appImageTag, type Environment } from "../../../vocabulary/names";
import { setImageTagFlags } from "../contract";
import { parseFlags } from "../flags";
import { setApplicationImageTag } from "./argocd";
import { type Connections, parseConnections, versionFlag } from "./options";
import { type ReleaseContext, runRelease } from "./run";

export interface SetImageTagOptions {
    env: Environment;
    version: string;
    conn: Connections;
}

export function parseSetImageTagArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SetImageTagOptions {
    const flags = parseFlags(setImageTagFlags, argv);
    return { env: flags.env, version: versionFlag(flags.version), conn: parseConnections(flags, env) };
}

export async function setImageTag(o: SetImageTagOptions, ctx: ReleaseContext): Promise<string> {
    const app = appApplicationName(o.env);
    const tag = appImageTag(o.env, o.version);
    const changed = await setApplicationImageTag(ctx.kube(), o.conn.argocdNamespace, app, tag);
    if (changed) ctx.log.changed("deploy", `Argo CD Application ${o.conn.argocdNamespace}/${app} -> ${tag}`);
    else ctx.log.already("deploy", `Argo CD Application ${o.conn.argocdNamespace}/${app} already deploys ${tag}`);
    return `${o.env} deploys ${tag}`;
}

export async function setImageTagCommand(argv: readonly string[]) {
    const o = parseSetImageTagArgs(argv);
    return runRelease(`set-image-tag ${o.env}, version ${o.version}`, o.conn, { env: o.env, version: o.version }, (ctx) => setImageTag(o, ctx));
}
