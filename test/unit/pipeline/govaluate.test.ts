import { describe, expect, it } from "vitest";
import { ExpressionError, evaluateWhen, parse } from "../../support/workflow-check/govaluate";

describe("the govaluate subset", () => {
    it.each([
        ["Succeeded == Succeeded", true],
        ["Failed == Succeeded", false],
        ["Failed != Succeeded && Skipped != Succeeded", true],
        ["Succeeded == Succeeded && Failed == Succeeded || true", true],
        ["!(Succeeded == Succeeded)", false],
        ["'12' =~ '^[0-9]+$'", true],
        ["'' =~ '^[0-9]+$'", false],
        ["'abc' !~ '^[0-9]+$'", true],
        ["3 >= 2", true],
        ['"a b" == "a b"', true],
    ] as const)("%s is %s", (text, expected) => {
        expect(evaluateWhen(text)).toBe(expected);
    });

    it("gives && precedence over ||, like govaluate", () => {
        expect(evaluateWhen("true || false && false")).toBe(true);
        expect(evaluateWhen("(true || false) && false")).toBe(false);
    });

    it.each([
        ["== Succeeded", /unexpected ==/],
        ["Succeeded ==", /unexpected end/],
        ["'open", /unclosed string/],
        ["1.0.7 == x", /malformed number/],
        ["a - b", /unsupported character/],
        ["(true", /missing \)/],
        ["true false", /trailing input/],
        ["", /empty expression/],
    ])("rejects %j", (text, message) => {
        expect(() => parse(text)).toThrow(ExpressionError);
        expect(() => parse(text)).toThrow(message);
    });

    it("rejects results and operands of the wrong type", () => {
        expect(() => evaluateWhen("Succeeded")).toThrow(/must be true or false/);
        expect(() => evaluateWhen("a && true")).toThrow(/needs booleans/);
        expect(() => evaluateWhen("a > 1")).toThrow(/needs numbers/);
    });
});
