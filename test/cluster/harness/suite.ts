import { describe, it } from "vitest";
import { findClusterToolchain, type ClusterToolchain } from "./tools";

/**
 * Registers a suite that runs on a one-node cluster built here. With the cluster toolchain
 * and root, it runs. Without either, under CI=true the suite is one failing test naming what
 * is missing; elsewhere it is skipped and the reason printed, so CI can never pass without it.
 */
export function describeWithCluster(title: string, body: (tools: ClusterToolchain) => void): void {
    const lookup = findClusterToolchain();
    const problem = !lookup.ok ? lookup.problem : process.getuid?.() !== 0 ? "the cluster's kubelet and containerd need root" : undefined;
    if (lookup.ok && problem === undefined) {
        describe(title, () => body(lookup.tools));
    } else if (process.env.CI === "true") {
        describe(title, () => {
            it("has the cluster toolchain built and root before CI runs it", () => {
                throw new Error(problem);
            });
        });
    } else {
        console.warn(`\n*** cluster suite SKIPPED, "${title}": ${problem}\n`);
        describe.skip(title, () => {
            it(`needs: ${problem}`, () => undefined);
        });
    }
}
