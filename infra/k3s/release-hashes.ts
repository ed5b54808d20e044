import { k3sReleaseSha256 } from "../../vocabulary/versions";

/** The sha256 values a node checks the K3s installer and binary against; empty when none is known. */
export interface K3sReleaseHashes {
    readonly installer: string;
    readonly binary: string;
}

/** Stack config first, then the pins in vocabulary/versions.ts for that release. */
export function k3sReleaseHashes(version: string, configured: { installer?: string; binary?: string } = {}): K3sReleaseHashes {
    const pinned = k3sReleaseSha256[version];
    return { installer: configured.installer ?? pinned?.installer ?? "", binary: configured.binary ?? pinned?.binaryAmd64 ?? "" };
}

/** What a reviewer reads in the preview when `pulumi up` would stop at the K3s install. */
export function missingHashesWarning(version: string, hashes: K3sReleaseHashes): string | undefined {
    const missing = [
        ...(hashes.installer ? [] : ["gourmetgram:k3sInstallerSha256 (install.sh at the release tag)"]),
        ...(hashes.binary ? [] : ["gourmetgram:k3sBinarySha256 (the 'k3s' line of the release's sha256sum-amd64.txt)"]),
    ];
    if (missing.length === 0) return undefined;
    return (
        `no sha256 is pinned for K3s ${version}'s installer and binary: \`pulumi up\` will stop on each node before installing anything. ` +
        `Set ${missing.join(" and ")} in the stack config.`
    );
}
