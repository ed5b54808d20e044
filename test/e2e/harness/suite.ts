import { describe, it } from "vitest";
import { findToolchain, type OptionalTool, type Toolchain } from "./toolchain";

/**
 * Registers a suite that runs on the built toolchain. With the toolchain there, the suite
 * runs. Without it, under CI=true the suite is one failing test that names what is missing;
 * elsewhere it is skipped, the reason printed, and the closing summary lists it as skipped.
 * So no run in CI can pass without these suites having run.
 */
export function describeWithToolchain(title: string, optional: readonly OptionalTool[], body: (tools: Toolchain) => void): void {
    const lookup = findToolchain(undefined, optional);
    if (lookup.ok) {
        describe(title, () => body(lookup.toolchain));
    } else if (process.env.CI === "true") {
        describe(title, () => {
            it("has the toolchain built before CI runs it", () => {
                throw new Error(lookup.problem);
            });
        });
    } else {
        console.warn(`e2e suite skipped, "${title}": ${lookup.problem}`);
        describe.skip(title, () => {
            it(`needs the toolchain: ${lookup.problem}`, () => undefined);
        });
    }
}
