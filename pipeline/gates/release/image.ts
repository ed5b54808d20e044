/** Retag with verification: the step every release runs before anything points at a tag. */
import { RegistryClient } from "./registry";
import { ReleaseRefused, StepLog } from "./steps";

/**
 * Makes `repository:to` the same manifest as `repository:from` (no-op when it already is)
 * and reads it back to prove it. Throws ReleaseRefused when the source tag is missing.
 */
export async function ensureRetagged(reg: RegistryClient, repository: string, from: string, to: string, log: StepLog): Promise<string> {
    const source = await reg.getManifest(repository, from);
    if (!source) throw new ReleaseRefused(`image ${repository}:${from} does not exist in the registry; nothing to retag`);
    const existing = await reg.getManifest(repository, to);
    if (existing?.digest === source.digest) {
        log.already("retag", `${repository}:${to} is already ${source.digest}`);
        return source.digest;
    }
    await reg.putManifest(repository, to, source);
    const check = await reg.getManifest(repository, to);
    if (check?.digest !== source.digest) {
        throw new Error(`retag did not stick: ${repository}:${to} is ${check?.digest ?? "missing"}, expected ${source.digest}`);
    }
    log.changed("retag", `${repository}:${from} -> ${repository}:${to} (${source.digest}, verified)`);
    return source.digest;
}
