import * as pulumi from "@pulumi/pulumi";

interface HashState {
    password: string;
    /** bcrypt of the password (what Argo CD's argocd-secret `admin.password` holds). */
    hash: string;
    /** When the hash was made, RFC 3339 (Argo CD's `admin.passwordMtime`). */
    mtime: string;
}

/** bcryptjs, required where it is used: the provider's serialized closure cannot capture an import. */
function bcrypt(): { hashSync(password: string, rounds: number): string; compareSync(password: string, hash: string): boolean } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("bcryptjs");
}

/**
 * A dynamic provider that hashes a password with bcrypt once and keeps the hash in the state.
 * A salted hash differs every time it is made, so it is made only at create and again only when
 * the password no longer matches it: later `pulumi up` runs see no diff.
 */
export const passwordHashProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: { password?: unknown }) {
        if (typeof news.password !== "string" || news.password.length === 0) {
            return { inputs: news, failures: [{ property: "password", reason: "password must be a non-empty string" }] };
        }
        return { inputs: news };
    },
    async create(inputs: { password: string }) {
        const outs: HashState = { password: inputs.password, hash: bcrypt().hashSync(inputs.password, 10), mtime: new Date().toISOString() };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const id = (require("crypto") as typeof import("crypto")).randomUUID();
        return { id, outs };
    },
    async diff(_id: string, olds: HashState, news: { password: string }) {
        const changed = !bcrypt().compareSync(news.password, olds.hash);
        return { changes: changed, replaces: changed ? ["password"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: HashState) {
        return { outs: olds };
    },
};

export interface PasswordHashArgs {
    /** The password to hash; it stays a secret in the state. */
    password: pulumi.Input<string>;
}

export class PasswordHash extends pulumi.dynamic.Resource {
    /** The bcrypt hash, a Pulumi secret. */
    declare readonly hash: pulumi.Output<string>;
    declare readonly mtime: pulumi.Output<string>;

    constructor(name: string, args: PasswordHashArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            passwordHashProvider,
            name,
            { password: pulumi.secret(args.password), hash: undefined, mtime: undefined },
            // mtime too: it travels inside argocd-secret, and a value seen there must never show in plain text.
            { ...opts, additionalSecretOutputs: ["password", "hash", "mtime"] },
            "gourmetgram",
            "PasswordHash",
        );
    }
}
