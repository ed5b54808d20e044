import * as pulumi from "@pulumi/pulumi";

/** One resource as the mocked engine saw it register. */
export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

/** The value every mocked GeneratedPassword "creates"; tests look for it in plain text. */
export function mockPassword(resourceName: string): string {
    return `MockPw${resourceName.replace(/[^A-Za-z0-9]/g, "")}Q7x`;
}

/**
 * Installs Pulumi mocks that record every registration. Generated passwords get a known
 * value so a test can prove it never appears outside a secret.
 */
export function installMocks(options: { preview?: boolean } = {}): Registered[] {
    const registered: Registered[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                const state = { ...args.inputs };
                if (args.type.includes("GeneratedPassword")) state.value = mockPassword(args.name);
                return { id: `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        "gourmetgram",
        "unit",
        options.preview ?? false,
    );
    return registered;
}

/** Waits until no new resource registered for a few event-loop turns. */
export async function settled(registered: Registered[]): Promise<void> {
    let stableTurns = 0;
    let last = -1;
    while (stableTurns < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stableTurns = registered.length === last ? stableTurns + 1 : 0;
        last = registered.length;
    }
}

export function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[sigKey] === secretSig;
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

export function ofType(registered: Registered[], type: string): Registered[] {
    return registered.filter((r) => r.type === type);
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
