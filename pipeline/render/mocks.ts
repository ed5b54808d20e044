/**
 * Pulumi's mocks for running the whole program with no cluster, no cloud and no Pulumi CLI:
 * every registration is recorded as it arrives, and the few answers only a cloud could give
 * (a floating IP, the output of the remote K3s commands) come from stand-ins. The render CLI
 * runs the program this way, and so do the unit tests.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { PROJECT } from "../../vocabulary/names";

/** One resource as the mocked engine saw it register. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** Provider reference (`urn::id`) when one was given explicitly or inherited. */
    readonly provider?: string;
}

export interface MockOptions {
    readonly stack: string;
    readonly project?: string;
    readonly preview?: boolean;
    /** The state a created resource reports back (its outputs); the inputs by default. */
    readonly state?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
    /** Answers to provider function calls (invokes); the inputs by default. */
    readonly call?: (token: string, inputs: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Installs the mocks; the returned list fills as the program registers resources. setMocks
 * does all its work before it returns its promise, so the mocks are in place on return.
 */
export function installMocks(options: MockOptions): RecordedResource[] {
    const recorded: RecordedResource[] = [];
    void pulumi.runtime.setMocks(
        {
            newResource(args) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
                return { id: `${args.name}-id`, state: options.state?.(args.type, args.name, args.inputs) ?? args.inputs };
            },
            call(args) {
                return options.call?.(args.token, args.inputs) ?? args.inputs;
            },
        },
        options.project ?? PROJECT,
        options.stack,
        options.preview ?? false,
    );
    return recorded;
}

/** Waits until no new registration arrived for a few event-loop turns: the graph is complete. */
export async function settled(recorded: readonly unknown[]): Promise<void> {
    let stableTurns = 0;
    let last = -1;
    while (stableTurns < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stableTurns = recorded.length === last ? stableTurns + 1 : 0;
        last = recorded.length;
    }
}

/** The stack file's config as Pulumi hands it to a program: every value a string. */
export function stackConfig(stackFile: string): Record<string, string> {
    const document = parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null;
    return Object.fromEntries(
        Object.entries(document?.config ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** What the cloud would answer: the values a run under mocks sees where OpenStack or a K3s node would reply. */
export interface CloudStandIns {
    readonly floatingIp: string;
    /** What `cat k3s.yaml` prints on the server node. */
    readonly kubeconfig: string;
    /** What `cat node-token` prints on the server node. */
    readonly joinToken: string;
}

/**
 * What the program's own dynamic providers make at create (infra/platform/credentials): a
 * generated password and its bcrypt hash. Render redacts secrets, so these never show; they
 * only have to pass the checks that a real password and hash pass.
 */
export const credentialStandIns = {
    password: "render-placeholder-password",
    // A well-formed bcrypt hash (cost 4) of the placeholder above.
    hash: "$2b$04$eOvoNX06AA4mcYBL8PMCD.pZsMEGsRvWYOjGJdVY89qSkbdWcqpZm",
} as const;

/** The state of a resource only a cloud could fill in, from the stand-ins; every other resource reports its inputs. */
export function cloudState(standIns: CloudStandIns): (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> {
    return (type, _name, inputs) => {
        if (type.endsWith(":GeneratedPassword")) return { ...inputs, value: credentialStandIns.password };
        if (type.endsWith(":PasswordHash")) return { ...inputs, hash: credentialStandIns.hash, mtime: "2026-01-01T00:00:00.000Z" };
        if (type === "openstack:networking/floatingIp:FloatingIp") return { ...inputs, address: standIns.floatingIp };
        if (type !== "command:remote:Command") return inputs;
        const create = String(inputs.create ?? "");
        if (create.includes("node-token")) return { ...inputs, stdout: `${standIns.joinToken}\n`, stderr: "" };
        if (create.includes("k3s.yaml")) return { ...inputs, stdout: standIns.kubeconfig, stderr: "" };
        return { ...inputs, stdout: "", stderr: "" };
    };
}

/** Provider function calls: an OpenStack network lookup finds the network it was asked for. */
export function cloudCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    return token === "openstack:networking/getNetwork:getNetwork" ? { id: `${String(inputs.name)}-id`, name: inputs.name } : inputs;
}
