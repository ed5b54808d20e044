import * as ipaddr from "ipaddr.js";

export interface Ipv4Cidr {
    readonly address: string;
    readonly prefix: number;
}

/** Parses `a.b.c.d/n` in canonical dotted-quad form; anything else is undefined. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
    const [address, prefixText, ...rest] = text.split("/");
    if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
    if (!ipaddr.IPv4.isValidFourPartDecimal(address)) return undefined;
    const prefix = Number(prefixText);
    return prefix <= 32 ? { address, prefix } : undefined;
}

/** True when no host bits are set: `192.168.1.0/24` yes, `192.168.1.7/24` no. */
export function isNetworkAddress(cidr: Ipv4Cidr): boolean {
    const network = ipaddr.IPv4.networkAddressFromCIDR(`${cidr.address}/${cidr.prefix}`).toString();
    return network === cidr.address;
}

/** True for RFC 1918 space, where a lab's private network belongs. */
export function isPrivateRange(cidr: Ipv4Cidr): boolean {
    return ipaddr.IPv4.parse(cidr.address).range() === "private";
}

/** The address `offset` hosts into the network: (`192.168.1.0/24`, 11) → `192.168.1.11`. */
export function hostAddress(cidr: Ipv4Cidr, offset: number): string {
    const base = ipaddr.IPv4.parse(cidr.address).toByteArray().reduce((n, byte) => n * 256 + byte, 0);
    const size = 2 ** (32 - cidr.prefix);
    if (offset <= 0 || offset >= size - 1) {
        throw new RangeError(`host offset ${offset} is outside ${cidr.address}/${cidr.prefix}`);
    }
    const value = base + offset;
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Networks wider than this many leading bits are treated as the whole internet. */
export const widestLabPrefix = 8;

/** `0.0.0.0/0`, or any network wider than a /8: as good as open to the world. */
export function isWorldOpen(text: string): boolean {
    const parsed = parseIpv4Cidr(text);
    return parsed !== undefined && parsed.prefix < widestLabPrefix;
}
