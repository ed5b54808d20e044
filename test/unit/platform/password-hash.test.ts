/** The bcrypt dynamic provider behind Argo CD's admin password, run directly (no engine). */
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { passwordHashProvider } from "../../../infra/platform/credentials/password-hash";

describe("PasswordHash provider", () => {
    it("hashes at create with bcrypt, as Argo CD's admin.password expects, and records when", async () => {
        const { outs } = await passwordHashProvider.create!({ password: "Correct-Horse-Battery-1" });
        expect(outs.hash).toMatch(/^\$2[aby]\$10\$/);
        expect(bcrypt.compareSync("Correct-Horse-Battery-1", outs.hash)).toBe(true);
        expect(new Date(outs.mtime).toISOString()).toBe(outs.mtime);
    });

    it("sees no change while the password matches the hash, and replaces it when the password changes", async () => {
        const { outs } = await passwordHashProvider.create!({ password: "first-password-xyz" });
        expect(await passwordHashProvider.diff!("id", outs, { password: "first-password-xyz" })).toMatchObject({ changes: false, replaces: [] });
        expect(await passwordHashProvider.diff!("id", outs, { password: "second-password-xyz" })).toMatchObject({ changes: true, replaces: ["password"] });
    });

    it("refuses an empty or missing password", async () => {
        for (const password of ["", undefined, 42]) {
            const result = await passwordHashProvider.check!({}, { password });
            expect(result.failures, String(password)).toEqual([{ property: "password", reason: "password must be a non-empty string" }]);
        }
        expect((await passwordHashProvider.check!({}, { password: "ok" })).failures).toBeUndefined();
    });
});
