import { describe, expect, it } from "vitest";
import { boolean, oneOf } from "../../../infra/config/fields";
import { loadStackConfig } from "../../../infra/config/load";
import { defineSection } from "../../../infra/config/section";

const a = defineSection({ feature: boolean({ default: false }) }, (v) => v);
const b = defineSection({ backend: oneOf(["none", "events"] as const, { default: "none" }) }, (v) => v);
const featureNeedsEvents = (s: { a: { feature: boolean }; b: { backend: string } }, report: (key: string, message: string) => void) => {
    if (s.a.feature && s.b.backend !== "events") report("feature", 'needs backend "events"');
};

describe("checks across sections", () => {
    it("pass when the sections agree", () => {
        expect(loadStackConfig("p", { "p:feature": "true", "p:backend": "events" }, { a, b }, [featureNeedsEvents]).a.feature).toBe(true);
    });

    it("report the key and value of the setting that needs another", () => {
        expect(() => loadStackConfig("p", { "p:feature": "true" }, { a, b }, [featureNeedsEvents])).toThrow(/p:feature = "true": needs backend "events"/);
    });

    it("do not run while a section has not parsed (no judgement on half-read settings)", () => {
        let ran = false;
        expect(() => loadStackConfig("p", { "p:backend": "kafka" }, { a, b }, [() => (ran = true)])).toThrow(/p:backend = "kafka": expected one of/);
        expect(ran).toBe(false);
    });
});
