import { describe, expect, it } from "vitest";
import { compareQuantities, parseQuantity, QuantityError, tryParseQuantity } from "../../../policies/lib/quantity";

const cmp = (a: unknown, b: unknown) => compareQuantities(parseQuantity(a), parseQuantity(b));

describe("parseQuantity", () => {
    it.each([
        ["500m", "0.5"],
        ["0.5", ".5"],
        ["1", "1000m"],
        ["1", 1],
        ["0.5", 0.5],
        ["256Mi", String(256 * 1024 * 1024)],
        ["1Gi", "1024Mi"],
        ["1G", "1000M"],
        ["1e3", "1k"],
        ["1E3", "1000"],
        ["1.5e3", "1500"],
        ["1e-3", "1m"],
        ["2.", "2"],
        ["+2", "2"],
        ["1E", "1000P"],
        ["100u", "0.0001"],
        ["1n", "0.000000001"],
    ])("%s equals %s", (a, b) => {
        expect(cmp(a, b)).toBe(0);
    });

    it.each([
        ["1G", "1Gi"],
        ["501m", "2"],
        ["255Mi", "256Mi"],
        ["999999Ki", "1Gi"],
        ["0.1", "101m"],
    ])("%s is less than %s", (a, b) => {
        expect(cmp(a, b)).toBeLessThan(0);
        expect(cmp(b, a)).toBeGreaterThan(0);
    });

    it("keeps exact precision where floats would not", () => {
        expect(cmp("0.1", "100m")).toBe(0);
        expect(cmp("0.3", "300m")).toBe(0);
        expect(cmp("123456789012345678901234567890", "123456789012345678901234567891")).toBeLessThan(0);
    });

    it("reads negative numbers as negative", () => {
        expect(parseQuantity("-1").numerator).toBeLessThan(0n);
    });

    it.each(["", " ", "abc", "1x", "1 Gi", "1ki", "1mi", "1e", "1e3.5", "Mi", "..5", "1..2", "NaN", null, undefined, {}, Number.NaN, Infinity])(
        "rejects %j with a message naming the allowed forms",
        (bad) => {
            expect(() => parseQuantity(bad)).toThrow(QuantityError);
            expect(tryParseQuantity(bad)).toBeUndefined();
        },
    );

    it("names the unknown suffix", () => {
        expect(() => parseQuantity("1GB")).toThrow(/unknown suffix "GB"/);
    });
});
