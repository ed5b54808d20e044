/**
 * The Chameleon sites this program can build on, and what each one requires. KVM@TACC runs
 * virtual machines: a flavor, or a reservation made through a lease (which Chameleon turns into
 * a flavor named `reservation:<id>`). The CHI sites are bare metal: every instance needs a
 * reservation and the `baremetal` flavor.
 */
export const sites = {
    "KVM@TACC": { kind: "kvm", authUrl: "https://kvm.tacc.chameleoncloud.org:5000/v3", defaultFlavor: "m1.medium" },
    "CHI@TACC": { kind: "baremetal", authUrl: "https://chi.tacc.chameleoncloud.org:5000/v3", defaultFlavor: "baremetal" },
    "CHI@UC": { kind: "baremetal", authUrl: "https://chi.uc.chameleoncloud.org:5000/v3", defaultFlavor: "baremetal" },
} as const;

export type Site = keyof typeof sites;
export const siteNames = Object.keys(sites) as Site[];

/** Ubuntu images the K3s scripts support. GPU (CUDA) images only make sense on bare metal. */
export const supportedImages = ["CC-Ubuntu24.04", "CC-Ubuntu22.04", "CC-Ubuntu24.04-CUDA", "CC-Ubuntu22.04-CUDA"] as const;
export type NodeImage = (typeof supportedImages)[number];

export function isGpuImage(image: NodeImage): boolean {
    return image.endsWith("-CUDA");
}

/** How an instance is sized and scheduled at a site. */
export interface Placement {
    /** Flavor name to launch with. */
    readonly flavorName: string;
    /** Blazar reservation to schedule into (bare metal only; KVM carries it in the flavor). */
    readonly reservationHint?: string;
}

export function placementFor(site: Site, flavor: string | undefined, reservation: string | undefined): Placement {
    if (sites[site].kind === "kvm") {
        return { flavorName: reservation ? `reservation:${reservation}` : (flavor ?? sites[site].defaultFlavor) };
    }
    return { flavorName: sites[site].defaultFlavor, reservationHint: reservation };
}
