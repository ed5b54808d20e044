/**
 * Test helpers in the style of pulumi-policy-aws's createResourceValidationArgs: build the args the
 * policy engine would pass for one resource, run a policy or the whole pack, and assert on violations.
 */
import type { EnforcementLevel, Policies, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import { expect } from "vitest";

export interface ArgsOptions {
    /** This policy's config as the engine would hand it over (getConfig). */
    config?: object;
    name?: string;
}

const emptyOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

class NotApplicable extends Error {}

/** Args for a typed resource class: the type comes from the class, the props are its typed (unwrapped) args. */
export function createResourceValidationArgs<TResource extends Resource, TArgs>(
    resourceClass: { new (name: string, args: TArgs, ...rest: any[]): TResource },
    props: Unwrap<NonNullable<TArgs>>,
    options: ArgsOptions = {},
): ResourceValidationArgs {
    const type = (resourceClass as unknown as { __pulumiType?: unknown }).__pulumiType;
    if (typeof type !== "string") throw new Error(`${resourceClass.name} has no Pulumi type token`);
    return createArgsForType(type, props as Record<string, unknown>, options);
}

/**
 * Args for a `kubernetes:apiextensions.CustomResource`, whose type token is built from apiVersion and kind
 * (`kubernetes:argoproj.io/v1alpha1:WorkflowTemplate`); props are the full object as the program passes it.
 */
export function createCustomResourceValidationArgs(
    object: { apiVersion: string; kind: string } & Record<string, unknown>,
    options: ArgsOptions = {},
): ResourceValidationArgs {
    return createArgsForType(`kubernetes:${object.apiVersion}:${object.kind}`, object, options);
}

export function createArgsForType(type: string, props: Record<string, unknown>, options: ArgsOptions = {}): ResourceValidationArgs {
    const name = options.name ?? "test";
    const isTypeOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === type;
    return {
        type,
        props,
        urn: `urn:pulumi:test::gourmetgram::${type}::${name}`,
        name,
        opts: emptyOptions,
        stackTags: new Map(),
        isType: (cls) => isTypeOf(cls),
        asType: ((cls: unknown) => (isTypeOf(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
}

/** Runs one resource policy; a policy that declares itself not applicable reports nothing. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const messages: string[] = [];
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    for (const validate of validations) {
        try {
            await validate(args, (message) => messages.push(message));
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return messages;
}

/** Pack config as `--policy-pack-config` takes it: policy name -> level, or { enforcementLevel, ...settings }. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** Runs every resource policy of a pack over one resource, honouring enforcement levels as the engine does. */
export async function runPack(
    policies: Policies,
    type: string,
    props: Record<string, unknown>,
    config: PackConfig = {},
    name = "test",
): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        if (!("validateResource" in policy)) continue;
        const entry = config[policy.name];
        const settings = typeof entry === "object" ? entry : {};
        const level = (typeof entry === "string" ? entry : settings.enforcementLevel) ?? policy.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        const { enforcementLevel: _ignored, ...policyConfig } = settings;
        const args = createArgsForType(type, props, { config: policyConfig, name });
        for (const message of await runResourcePolicy(policy, args)) {
            violations.push({ policy: policy.name, enforcementLevel: level, message });
        }
    }
    return violations;
}

export async function expectNoViolations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<void> {
    expect(await runResourcePolicy(policy, args)).toEqual([]);
}

/** Expects at least one violation containing every given fragment (in one message). */
export async function expectViolation(
    policy: ResourceValidationPolicy,
    args: ResourceValidationArgs,
    ...fragments: string[]
): Promise<string[]> {
    const messages = await runResourcePolicy(policy, args);
    const matching = messages.filter((m) => fragments.every((f) => m.includes(f)));
    expect(matching, `no violation containing ${JSON.stringify(fragments)} in ${JSON.stringify(messages, null, 2)}`).not.toEqual([]);
    return messages;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const structPb = require("google-protobuf/google/protobuf/struct_pb");
const { deserializeProperties } = require("@pulumi/policy/deserialize");
const { unknownCheckingProxy } = require("@pulumi/policy/proxy");

/**
 * Registered inputs as the policy server hands them to a rule: serialized to a protobuf Struct,
 * then deserialized by @pulumi/policy itself (secrets unwrapped, unknown values guarded).
 */
export function asPolicyProps(inputs: Record<string, unknown>): Record<string, any> {
    const struct = structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(inputs)));
    return unknownCheckingProxy(deserializeProperties(struct, false));
}
