import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalCluster } from "./cluster";

/**
 * Installs every CRD file in dirs with server-side apply (the full Argo CRDs exceed the
 * annotation size client-side apply needs) and waits until each one is Established.
 */
export async function installCrds(cluster: LocalCluster, dirs: readonly string[]): Promise<string[]> {
    const files = dirs.flatMap((dir) =>
        fs
            .readdirSync(dir)
            .filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml")
            .map((name) => path.join(dir, name)),
    );
    const applied = await cluster.kubectl(
        ["apply", "--server-side", "--field-manager=gourmetgram-e2e", "-o", "name", ...files.flatMap((f) => ["-f", f])],
        { timeoutMs: 120_000 },
    );
    if (applied.code !== 0) throw new Error(`installing CRDs failed:\n${applied.stderr}`);
    const names = applied.stdout.trim().split("\n").filter(Boolean);
    // A CRD read before the API server has written any condition makes `kubectl wait` fail
    // at once ("conditions accessor error") rather than wait, so that answer is asked again.
    const deadline = Date.now() + 90_000;
    for (;;) {
        const established = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names], {
            timeoutMs: 90_000,
        });
        if (established.code === 0) break;
        if (!/accessor error/.test(established.stderr) || Date.now() > deadline) {
            throw new Error(`CRDs not established:\n${established.stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return names.map((n) => n.replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, ""));
}
