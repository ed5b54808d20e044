/** The registry login's forms (infra/platform/registry/login.ts): htpasswd, docker config, the Secret, pull secrets. */
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { namespaces, registry, registryCredentials } from "../../../vocabulary/names";
import { platformImages } from "../../../vocabulary/versions";
import {
    checkRegistryLogin,
    dockerConfigJson,
    dockerConfigJsonKey,
    htpasswdFile,
    loginSecretData,
    loginSecretManifest,
    registryPullSecrets,
} from "../../../infra/platform/registry/login";
import type { ISecret } from "../../../infra/platform/common/manifest";
import { validate } from "./schema";

const login = { username: registryCredentials.username, password: "Zq8sW2rT5yU1iO4pA7sD0fG3hJ6kL9x" };

describe("the registry login", () => {
    it("is an htpasswd line with the bcrypt hash, never the password", () => {
        const hash = bcrypt.hashSync(login.password, 4);
        const file = htpasswdFile(login.username, hash);
        expect(file).toBe(`${login.username}:${hash}\n`);
        expect(file).not.toContain(login.password);
        expect(() => htpasswdFile("a:b", hash)).toThrow(/registry username "a:b" must be letters, digits/);
    });

    it("is a docker config with one login for the host, as kubelets and buildctl read it", () => {
        const config = JSON.parse(dockerConfigJson(registry.host, login));
        expect(Object.keys(config.auths)).toEqual([registry.host]);
        const entry = config.auths[registry.host];
        expect(entry).toMatchObject(login);
        expect(Buffer.from(entry.auth, "base64").toString("utf8")).toBe(`${login.username}:${login.password}`);
    });

    it("is one Secret of type dockerconfigjson that also holds its parts for the release CLI", () => {
        const shell = loginSecretManifest(namespaces.staging);
        expect(shell.metadata).toMatchObject({ name: registryCredentials.secretName, namespace: namespaces.staging });
        expect(shell.type).toBe("kubernetes.io/dockerconfigjson");
        const data = loginSecretData(login);
        expect(Object.keys(data).sort()).toEqual([dockerConfigJsonKey, registryCredentials.passwordKey, registryCredentials.usernameKey].sort());
        expect(JSON.parse(data[dockerConfigJsonKey]).auths[registry.host].password).toBe(login.password);
        const secret: ISecret = { ...shell, stringData: data };
        expect(() => validate(secret)).not.toThrow();
    });

    it.each([
        [{ username: "", password: "x" }, /registry username "" must be/],
        [{ username: "user:name", password: "x" }, /registry username "user:name" must be/],
        [{ username: "user", password: "" }, /one non-empty line/],
        [{ username: "user", password: "hunter2\nsecret" }, /one non-empty line/],
    ])("refuses %j without showing the password", (bad, message) => {
        expect(() => checkRegistryLogin(bad)).toThrow(message);
        expect(() => dockerConfigJson(registry.host, bad)).toThrow(message);
        try {
            checkRegistryLogin(bad);
        } catch (error) {
            expect((error as Error).message).not.toContain("hunter2");
        }
    });
});

describe("registryPullSecrets", () => {
    it("names the login for a pod that runs an image of the registry, and nothing for other images", () => {
        expect(registryPullSecrets([platformImages.postgres, `${registry.host}/mlflow-server:src-0123`])).toEqual({
            imagePullSecrets: [{ name: registryCredentials.secretName }],
        });
        expect(registryPullSecrets([platformImages.postgres])).toEqual({});
        // A host that merely starts like the registry's is another registry.
        expect(registryPullSecrets([`${registry.host}0/x:1`])).toEqual({});
    });
});
