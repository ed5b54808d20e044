/**
 * The program's Pulumi mocks (the render CLI's, pipeline/render/mocks.ts) as the program,
 * platform and pipeline tests install them, and helpers to read what was registered.
 */
import { installMocks as installProgramMocks, type MockOptions as ProgramMockOptions, type RecordedResource } from "../../pipeline/render/mocks";

export { settled } from "../../pipeline/render/mocks";

/** One resource as the mocked engine saw it register; tests read into its inputs freely. */
export type Registered = RecordedResource & { readonly inputs: Record<string, any> };

export type MockOptions = Partial<ProgramMockOptions>;

/** The program's own mocks, on a stack named `unit` unless the test names one. */
export function installMocks(options: MockOptions = {}): Registered[] {
    return installProgramMocks({ stack: "unit", ...options }) as Registered[];
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
