import * as fs from "node:fs";
import * as path from "node:path";

/**
 * One cluster per machine: its node address, bridge and cgroupRoot are fixed. A second one
 * (another suite run, scripts/cluster/up.sh) waits for the first to stop instead of failing.
 * The lock is a directory (mkdir is atomic) naming its owner's PID; an owner that no longer
 * runs has left it stale, and it is taken over.
 */
export const clusterLock = "/run/gourmetgram-cluster.lock";

const ownerOf = (lock: string): number | undefined => {
    try {
        return Number(fs.readFileSync(path.join(lock, "pid"), "utf8"));
    } catch {
        return undefined;
    }
};
const running = (pid: number | undefined) => pid !== undefined && fs.existsSync(`/proc/${pid}`);

/** Waits (bounded) until this process holds the lock; resolves with its release. */
export async function acquireClusterLock(opts: { timeoutMs: number; lock?: string; onWait?: (owner: number) => void }): Promise<() => void> {
    const lock = opts.lock ?? clusterLock;
    const deadline = Date.now() + opts.timeoutMs;
    let told = false;
    for (;;) {
        try {
            fs.mkdirSync(lock);
            fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
            return () => fs.rmSync(lock, { recursive: true, force: true });
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        const owner = ownerOf(lock);
        if (owner !== undefined && !running(owner)) {
            fs.rmSync(lock, { recursive: true, force: true });
            continue;
        }
        if (Date.now() > deadline) {
            throw new Error(`another cluster (pid ${owner ?? "starting"}) still runs on this machine after ${opts.timeoutMs / 1000} s (${lock})`);
        }
        if (!told && owner !== undefined) {
            opts.onWait?.(owner);
            told = true;
        }
        await new Promise((r) => setTimeout(r, 1_000));
    }
}
