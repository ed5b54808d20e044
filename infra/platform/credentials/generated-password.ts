import * as pulumi from "@pulumi/pulumi";
import { checkPasswordLength, generatePassword } from "./password";

interface PasswordState {
    length: number;
    value: string;
}

/**
 * A dynamic provider that draws a password once, at create, and keeps it in the stack state.
 * Later `pulumi up` runs see no diff and reuse it, so credentials stay stable without a
 * random-provider plugin binary. Only a length change replaces the password.
 */
export const passwordProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: { length?: unknown }) {
        try {
            checkPasswordLength(news.length);
            return { inputs: news };
        } catch (error) {
            return { inputs: news, failures: [{ property: "length", reason: (error as Error).message }] };
        }
    },
    async create(inputs: { length: number }) {
        const outs: PasswordState = { length: inputs.length, value: generatePassword(inputs.length) };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const id = (require("crypto") as typeof import("crypto")).randomUUID();
        return { id, outs };
    },
    async diff(_id: string, olds: PasswordState, news: { length: number }) {
        const changed = olds.length !== news.length;
        return { changes: changed, replaces: changed ? ["length"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: PasswordState) {
        return { outs: olds };
    },
};

export interface GeneratedPasswordArgs {
    /** Number of characters; 16 to 128. */
    length: number;
}

export class GeneratedPassword extends pulumi.dynamic.Resource {
    /** The password, a Pulumi secret (in memory and in the state file). */
    declare readonly value: pulumi.Output<string>;

    constructor(name: string, args: GeneratedPasswordArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            passwordProvider,
            name,
            { length: args.length, value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] },
            "gourmetgram",
            "GeneratedPassword",
        );
    }
}

/** The password as a secret Output, whatever the engine did with additionalSecretOutputs. */
export function secretPassword(name: string, args: GeneratedPasswordArgs, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
    return pulumi.secret(new GeneratedPassword(name, args, opts).value);
}
