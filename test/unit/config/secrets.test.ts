/**
 * What configuration messages may show: never a secret's value (by Pulumi's secret flag, by the
 * key's name, or because the key is unknown), never credentials inside a URL; and URLs with
 * credentials in them are refused outright.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, describeProblem } from "../../../infra/config/errors";
import { url } from "../../../infra/config/fields";
import { loadStackConfig, secretConfigKeys } from "../../../infra/config/load";
import { defineSection } from "../../../infra/config/section";
import { hasUrlCredentials, looksSecret, maskUrlCredentials } from "../../../infra/config/secrets";
import { boolean, text } from "../../../infra/config/fields";
import { pipelineConfig } from "../../../pipeline/config";

const section = defineSection(
    {
        repoUrl: url({ default: "https://example.test/r.git" }),
        apiToken: text("a token", { pattern: /^tok_[a-z0-9]{8}$/ }),
        flag: boolean({ default: false }),
    },
    (v) => v,
);

function failure(raw: Record<string, string>, secretKeys: string[] = []): ConfigError {
    try {
        loadStackConfig("gg", raw, { s: section }, [], { secretKeys });
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
}

describe("which keys look secret", () => {
    it.each(["githubWebhookSecret", "gourmetgram:mlflowPassword", "api_token", "apiKey", "awsAccessKey", "registryCredentials", "privateKey"])(
        "%s does",
        (key) => expect(looksSecret(key)).toBe(true),
    );
    it.each(["keyPairName", "sshPublicKey", "sshPrivateKeyPath", "suffix", "appGitUrl", "monkeyBusiness", "tokenFile"])("%s does not", (key) =>
        expect(looksSecret(key)).toBe(false),
    );
});

describe("config messages", () => {
    it("hide the value of a key Pulumi marks secret, even when its name looks harmless", () => {
        const error = failure({ "gg:apiToken": "tok_x", "gg:flag": "maybe-SENSITIVE" }, ["gg:flag"]);
        expect(error.message).toContain('gg:flag = [secret]: expected true or false');
        expect(error.message).not.toContain("maybe-SENSITIVE");
    });

    it("hide the value of a key whose name looks secret, when it is not marked", () => {
        const error = failure({ "gg:apiToken": "tok_WRONG-VALUE" });
        expect(error.message).toContain("gg:apiToken = [secret]: expected a token");
        expect(error.message).not.toContain("WRONG-VALUE");
    });

    it("hide the value of a misspelt key: it may be a misspelt secret", () => {
        const error = failure({ "gg:apiToken": "tok_abcdefgh", "gg:githubWebhookSecre": "hunter2-hunter2" });
        expect(error.message).toContain("gg:githubWebhookSecre = [secret]: is not a setting of this project");
        expect(error.message).not.toContain("hunter2");
    });

    it("show the value of an ordinary key, so the user sees what is wrong", () => {
        const error = failure({ "gg:apiToken": "tok_abcdefgh", "gg:flag": "yes" });
        expect(error.message).toContain('gg:flag = "yes": expected true or false');
    });

    it("mask credentials in a URL shown anywhere in a message", () => {
        expect(describeProblem({ key: "k", value: "x", message: "fetching https://alice:ghp_abc123@git.example.test/r.git failed" })).toBe(
            'k = "x": fetching https://***@git.example.test/r.git failed',
        );
    });

    it("carry no stack trace: ConfigError is a Pulumi RunError, printed as its message alone", () => {
        const error = failure({ "gg:apiToken": "nope" });
        expect((error as unknown as { __pulumiRunError?: boolean }).__pulumiRunError).toBe(true);
    });

    it("take secret keys from the runtime's isConfigSecret when it exists, none otherwise", () => {
        const raw = { "gg:a": "1", "gg:b": "2" };
        expect(secretConfigKeys(raw, { isConfigSecret: (k: string) => k === "gg:b" })).toEqual(["gg:b"]);
        expect(secretConfigKeys(raw, {})).toEqual([]);
    });
});

describe("URLs with credentials", () => {
    it.each([
        "https://ghp_abc123@github.com/me/repo.git",
        "https://alice:s3cret@git.example.test/r.git",
        "http://oauth2:glpat-xyz@gitlab.example.test/r.git",
    ])("%s is refused, and the message masks the credentials", (value) => {
        const error = failure({ "gg:apiToken": "tok_abcdefgh", "gg:repoUrl": value });
        expect(error.problems).toHaveLength(1);
        expect(error.message).toMatch(/gg:repoUrl = "https:\/\/\*\*\*@|gg:repoUrl = "http:\/\/\*\*\*@/);
        expect(error.message).toContain("with no user name, password or token in it");
        expect(error.message).not.toMatch(/ghp_abc123|s3cret|glpat-xyz/);
    });

    it.each(["https://github.com/me/repo.git", "http://git.example.test:8080/r.git", "https://example.test/path@v1"])("%s is accepted", (value) => {
        expect(() => loadStackConfig("gg", { "gg:apiToken": "tok_abcdefgh", "gg:repoUrl": value }, { s: section })).not.toThrow();
    });

    it("are refused in the pipeline's appGitUrl too", () => {
        expect(() => loadStackConfig("gourmetgram", { "gourmetgram:appGitUrl": "https://x:tok@github.com/a/b.git" }, { p: pipelineConfig })).toThrow(
            /appGitUrl = "https:\/\/\*\*\*@github.com\/a\/b.git": expected an absolute/,
        );
    });

    it("are recognised and masked", () => {
        expect(hasUrlCredentials("see https://u:p@h/x")).toBe(true);
        expect(hasUrlCredentials("https://h/x?q=a@b")).toBe(false);
        expect(maskUrlCredentials("git+ssh://git@host/x and https://h/")).toBe("git+ssh://***@host/x and https://h/");
    });
});
