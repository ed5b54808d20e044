import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { kubernetesApiPort, registry, registryNodeMirror } from "../../vocabulary/names";
import { pointKubeconfigAt } from "./kubeconfig";
import { k3sReleaseHashes, missingHashesWarning } from "./release-hashes";
import { runScript } from "./remote-script";

export interface K3sNode {
    readonly name: string;
    readonly privateIp: string;
    /** Resource the node's SSH access depends on (the instance), so commands wait for it. */
    readonly dependsOn: pulumi.Resource;
}

export interface K3sClusterArgs {
    /** The first node becomes the server, the others agents. */
    readonly nodes: readonly K3sNode[];
    /** Address users and the provider reach the API on; the only node reachable from outside. */
    readonly publicAddress: pulumi.Input<string>;
    readonly sshUser: string;
    readonly sshPrivateKey: pulumi.Input<string>;
    readonly version: string;
    /** sha256 of the release's install.sh and amd64 binary, when the stack sets them (else vocabulary/versions.ts). */
    readonly sha256?: { readonly installer?: string; readonly binary?: string };
    /** Service CIDR of the cluster. */
    readonly serviceCidr?: string;
    /** Seconds to wait for every node to report Ready. */
    readonly readyTimeoutSeconds?: number;
}

const scriptsDir = path.join(__dirname, "scripts");

/**
 * Hash of everything copied to the nodes (the install scripts and the seccomp profiles below
 * them): a change to any re-runs the install commands.
 */
export function scriptsDigest(dir: string = scriptsDir): string {
    const hash = crypto.createHash("sha256");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
    for (const file of files.sort()) hash.update(file).update(fs.readFileSync(path.join(dir, file)));
    return hash.digest("hex").slice(0, 16);
}

/**
 * K3s over SSH: the server on the first node, agents on the rest (reached through the first
 * node as a jump host), every node's containerd able to pull from the in-cluster registry and
 * its kubelet holding the program's seccomp profiles (seccomp-profiles.ts).
 * Commands are idempotent; a new version upgrades in place; destroy uninstalls.
 */
export class K3sCluster extends pulumi.ComponentResource {
    /** Kubeconfig with the server at the public address. Secret. */
    readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gourmetgram:k3s:Cluster", name, {}, opts);
        const [server, ...agents] = args.nodes;
        if (!server) throw new Error("a K3s cluster needs at least one node");

        const remoteDir = `/home/${args.sshUser}/gourmetgram-k3s`;
        const privateKey = pulumi.secret(args.sshPrivateKey);
        const serverConnection = { host: args.publicAddress, user: args.sshUser, privateKey, dialErrorLimit: 30 };
        const connectionFor = (node: K3sNode) =>
            node === server ? serverConnection : { host: node.privateIp, user: args.sshUser, privateKey, dialErrorLimit: 30, proxy: serverConnection };
        const digest = scriptsDigest();
        const registryMirror = { REGISTRY_HOST: registry.host, REGISTRY_ENDPOINT: registryNodeMirror.endpoint };
        const hashes = k3sReleaseHashes(args.version, args.sha256);
        const missing = missingHashesWarning(args.version, hashes);
        if (missing) pulumi.log.warn(missing, this);
        const release = { K3S_VERSION: args.version, K3S_INSTALLER_SHA256: hashes.installer, K3S_BINARY_SHA256: hashes.binary };

        const copyScripts = (node: K3sNode) =>
            new command.remote.CopyToRemote(`${name}-${node.name}-scripts`, {
                connection: connectionFor(node),
                source: new pulumi.asset.FileArchive(scriptsDir),
                remotePath: remoteDir,
                triggers: [digest],
            }, { parent: this, dependsOn: [node.dependsOn] });

        const uninstall = runScript(remoteDir, "uninstall.sh", {});
        const serverInstallCommand = pulumi.output(args.publicAddress).apply((publicIp) =>
            runScript(remoteDir, "install-server.sh", {
                ...release,
                NODE_IP: server.privateIp,
                PUBLIC_IP: publicIp,
                SERVICE_CIDR: args.serviceCidr ?? "10.43.0.0/16",
                ...registryMirror,
            }),
        );
        const serverInstall = new command.remote.Command(`${name}-${server.name}-server`, {
            connection: serverConnection,
            create: serverInstallCommand,
            update: serverInstallCommand,
            delete: uninstall,
            triggers: [digest],
        }, { parent: this, dependsOn: [copyScripts(server)] });

        const joinToken = new command.remote.Command(`${name}-join-token`, {
            connection: serverConnection,
            create: "sudo cat /var/lib/rancher/k3s/server/node-token",
            logging: "stderr",
        }, { parent: this, dependsOn: [serverInstall], additionalSecretOutputs: ["stdout"] });

        const agentInstalls = agents.map((agent) => {
            const installCommand = runScript(remoteDir, "install-agent.sh", {
                ...release,
                NODE_IP: agent.privateIp,
                SERVER_URL: `https://${server.privateIp}:${kubernetesApiPort}`,
                ...registryMirror,
            });
            return new command.remote.Command(`${name}-${agent.name}-agent`, {
                connection: connectionFor(agent),
                create: installCommand,
                update: installCommand,
                delete: uninstall,
                stdin: pulumi.secret(joinToken.stdout.apply((token) => `${token.trim()}\n`)),
                triggers: [digest],
            }, { parent: this, dependsOn: [copyScripts(agent), serverInstall] });
        });

        const allReady = new command.remote.Command(`${name}-nodes-ready`, {
            connection: serverConnection,
            create: runScript(remoteDir, "wait-ready.sh", {
                EXPECTED_NODES: args.nodes.length,
                TIMEOUT_SECONDS: args.readyTimeoutSeconds ?? 600,
            }),
            triggers: [args.version, args.nodes.length, digest],
        }, { parent: this, dependsOn: [serverInstall, ...agentInstalls] });

        const rawKubeconfig = new command.remote.Command(`${name}-kubeconfig`, {
            connection: serverConnection,
            create: "sudo cat /etc/rancher/k3s/k3s.yaml",
            logging: "stderr",
            triggers: [args.version],
        }, { parent: this, dependsOn: [allReady], additionalSecretOutputs: ["stdout"] });

        this.kubeconfig = pulumi.secret(
            pulumi.all([rawKubeconfig.stdout, args.publicAddress]).apply(([text, host]) => pointKubeconfigAt(text, host)),
        );
        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }
}
