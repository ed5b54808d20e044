import { describe, expect, it } from "vitest";
import { generatePassword, passwordAlphabet } from "../../../infra/platform/credentials/password";
import { passwordProvider } from "../../../infra/platform/credentials/generated-password";
import { credentialsSecretManifest } from "../../../infra/platform/credentials/secret";
import { validate } from "./schema";

describe("generatePassword", () => {
    it("draws the requested number of characters from the alphabet", () => {
        const password = generatePassword(40);
        expect(password).toHaveLength(40);
        for (const c of password) expect(passwordAlphabet).toContain(c);
    });

    it("discards biased bytes instead of folding them onto the alphabet", () => {
        // 248 = 4 * 62 is the first byte at or above the largest multiple of 62: it must be skipped.
        let calls = 0;
        const source = (size: number) => Buffer.alloc(size, calls++ === 0 ? 248 : 1);
        expect(generatePassword(16, source)).toBe(passwordAlphabet[1].repeat(16));
        expect(calls).toBe(2);
    });

    it("differs between draws", () => {
        expect(generatePassword(32)).not.toBe(generatePassword(32));
    });

    it.each([0, 15, 129, 20.5, Number.NaN])("rejects length %s with the allowed range", (length) => {
        expect(() => generatePassword(length)).toThrow(/from 16 to 128/);
    });
});

describe("passwordProvider (the dynamic provider)", () => {
    it("creates a password once and keeps it on later runs", async () => {
        const created = await passwordProvider.create!({ length: 24 });
        expect(created.outs.value).toHaveLength(24);
        const diff = await passwordProvider.diff!(created.id, created.outs, { length: 24 });
        expect(diff.changes).toBe(false);
        const updated = await passwordProvider.update!(created.id, created.outs, { length: 24 });
        expect(updated.outs!.value).toBe(created.outs.value);
    });

    it("replaces the password only when the length changes", async () => {
        const created = await passwordProvider.create!({ length: 24 });
        const diff = await passwordProvider.diff!(created.id, created.outs, { length: 32 });
        expect(diff).toMatchObject({ changes: true, replaces: ["length"] });
    });

    it("reports a bad length as a check failure naming the property", async () => {
        const result = await passwordProvider.check!({}, { length: 4 });
        expect(result.failures).toEqual([{ property: "length", reason: expect.stringMatching(/from 16 to 128/) }]);
    });
});

describe("credentialsSecretManifest", () => {
    it("is an Opaque Secret shell without values", () => {
        const secret = credentialsSecretManifest({ name: "postgres-credentials", namespace: "gourmetgram-platform", component: "postgres" });
        expect(secret.type).toBe("Opaque");
        expect(secret.data).toBeUndefined();
        expect(secret.stringData).toBeUndefined();
        expect(() => validate(secret)).not.toThrow();
    });
});
