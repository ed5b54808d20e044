import { installMocks as installRecordingMocks, isSecretValue, type Registered } from "../../support/mocks";

export { ofType, type Registered, settled } from "../../support/mocks";
export const isSecret = isSecretValue;

/** The value every mocked GeneratedPassword "creates"; tests look for it in plain text. */
export function mockPassword(resourceName: string): string {
    return `MockPw${resourceName.replace(/[^A-Za-z0-9]/g, "")}Q7x`;
}

/** The token every mocked service-account token Secret carries. */
export const mockToken = "eyJhbGciOiJSUzI1NiJ9.mock-service-account-token";

/**
 * Installs Pulumi mocks that record every registration. Generated passwords get a known
 * value so a test can prove it never appears outside a secret.
 */
export function installMocks(options: { preview?: boolean } = {}): Registered[] {
    return installRecordingMocks({
        preview: options.preview,
        state: (type, name, inputs) => {
            if (type.includes("GeneratedPassword")) return { ...inputs, value: mockPassword(name) };
            // The real provider's create: a bcrypt hash of the password (cheap rounds in tests).
            if (type.includes("PasswordHash")) {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const bcrypt = require("bcryptjs") as { hashSync(p: string, r: number): string };
                const password = isSecret(inputs.password) ? (inputs.password as { value: string }).value : inputs.password;
                return { ...inputs, hash: bcrypt.hashSync(String(password), 4), mtime: "2026-01-01T00:00:00.000Z" };
            }
            // The token controller fills a service-account token Secret in; the provider waits for it.
            if (type === "kubernetes:core/v1:Secret" && inputs.type === "kubernetes.io/service-account-token") {
                return { ...inputs, data: { token: Buffer.from(mockToken).toString("base64") } };
            }
            return inputs;
        },
    });
}

/** Every plain (non-secret) string anywhere in a value, with its path. */
export function plainStrings(value: unknown, path = ""): Array<{ path: string; value: string }> {
    if (typeof value === "string") return [{ path, value }];
    if (isSecret(value)) return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => plainStrings(v, path ? `${path}.${k}` : k));
    }
    return [];
}

/** Secret-wrapped subtrees, unwrapped. */
export function secretValues(value: unknown): unknown[] {
    if (isSecret(value)) return [(value as { value: unknown }).value];
    if (Array.isArray(value)) return value.flatMap(secretValues);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(secretValues);
    return [];
}

/** Images of every container and init container in a pod-bearing object's inputs. */
export function containerImages(inputs: Record<string, any>): string[] {
    const podSpec = inputs.spec?.template?.spec ?? inputs.spec;
    const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
    return containers.map((c: { image: string }) => c.image);
}

/** tag and sha256 digest both present, or a content-hash tag from the in-cluster registry. */
export const pinnedImage = /^[^\s@]+:[^\s@:/]+@sha256:[0-9a-f]{64}$/;
export const contentTaggedImage = /^registry\.kube-system\.svc\.cluster\.local:5000\/[a-z0-9./_-]+:src-[0-9a-f]{24}$/;
