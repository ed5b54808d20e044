/**
 * Pulumi mocks that record every resource registration, and helpers to read what was
 * registered: the one harness the program, platform and pipeline tests share.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the mocked engine saw it register. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Provider reference (`urn::id`) when one was given explicitly or inherited. */
    readonly provider?: string;
}

export interface MockOptions {
    readonly stack?: string;
    readonly preview?: boolean;
    /** The state a created resource reports back (its outputs); the inputs by default. */
    readonly state?: (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;
    /** Answers to provider function calls (invokes); the inputs by default. */
    readonly call?: (token: string, inputs: Record<string, any>) => Record<string, any>;
}

/**
 * Installs the mocks; the returned list fills as the program registers resources. setMocks
 * does all its work before it returns its promise, so the mocks are in place on return.
 */
export function installMocks(options: MockOptions = {}): Registered[] {
    const registered: Registered[] = [];
    void pulumi.runtime.setMocks(
        {
            newResource(args) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
                return { id: `${args.name}-id`, state: options.state?.(args.type, args.name, args.inputs) ?? args.inputs };
            },
            call(args) {
                return options.call?.(args.token, args.inputs) ?? args.inputs;
            },
        },
        "gourmetgram",
        options.stack ?? "unit",
        options.preview ?? false,
    );
    return registered;
}

/** Waits until no new registration arrived for a few event-loop turns: the graph is complete. */
export async function settled(registered: readonly unknown[]): Promise<void> {
    let stableTurns = 0;
    let last = -1;
    while (stableTurns < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stableTurns = registered.length === last ? stableTurns + 1 : 0;
        last = registered.length;
    }
}

export function ofType(registered: readonly Registered[], type: string): Registered[] {
    return registered.filter((r) => r.type === type);
}

/** How Pulumi marks a secret value inside registered inputs. */
const secretSignature = "4dabf18193072939515e22adb298388d";
const secretMarker = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSignature] === secretMarker;
}

/** The value inside a secret, or the value itself when it is not one. */
export function reveal(value: unknown): unknown {
    return isSecretValue(value) ? value.value : value;
}

/** The value with every secret replaced by "[secret]": what is left is what Pulumi shows in plain text. */
export function withoutSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutSecrets(inner)]));
    }
    return value;
}
