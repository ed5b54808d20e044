import { describe, expect, it } from "vitest";
import { tryParseQuantity } from "../../../policies/lib/quantity";
import { parseCpuMillicores, parseMemoryBytes, parseQuantity } from "../../../vocabulary/quantities";

describe("one quantity grammar for stack config, the gates and the policy pack", () => {
    it.each(["500m", "0.5", ".5", "2.", "+2", "-1", "256Mi", "1Gi", "1G", "1e3", "1E3", "1e-3", "1E", "100u", "250000000n", "1e64"])(
        "both accept %s, with the same value",
        (text) => {
            const exact = tryParseQuantity(text);
            expect(exact).toBeDefined();
            expect(parseQuantity(text)).toBe(Number(exact!.numerator) / Number(exact!.denominator));
        },
    );

    it.each(["", "abc", "1x", "1 Gi", "12 Mi", "1ki", "1mi", "1e", "1e3.5", "Mi", "..5", "1..2", "NaN", "1GB", "1e65", "1e400"])(
        "both reject %j",
        (text) => {
            expect(parseQuantity(text)).toBeUndefined();
            expect(tryParseQuantity(text)).toBeUndefined();
        },
    );

    // The float parser that stack config and the gates used before gave 700m as 0.7000000000000001
    // and 1e400 CPU as Infinity millicores, where the policy pack's exact parser said 0.3 and "not a quantity".
    it("reads 700m and 0.7 as the same number", () => {
        expect(parseQuantity("700m")).toBe(parseQuantity("0.7"));
        expect(parseCpuMillicores("700m")).toBe(700);
    });

    it("refuses an exponent beyond what Kubernetes holds instead of reading it as Infinity", () => {
        expect(parseCpuMillicores("1e400")).toBeUndefined();
        expect(parseMemoryBytes("1e400")).toBeUndefined();
    });

    it.each([
        ["500m", 500],
        ["0.0005", 1],
        ["0.0004", 0],
        ["2", 2000],
        ["-1", undefined],
    ])("CPU %s is %s millicores", (text, millicores) => {
        expect(parseCpuMillicores(text)).toBe(millicores);
    });

    it.each([
        ["256Mi", 256 * 2 ** 20],
        ["1.5Ki", 1536],
        ["1e3", 1000],
        ["0.5", undefined],
        ["1000m", undefined],
        ["-1Gi", undefined],
    ])("memory %s is %s bytes", (text, bytes) => {
        expect(parseMemoryBytes(text)).toBe(bytes);
    });
});
