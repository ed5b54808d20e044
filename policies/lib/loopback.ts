/**
 * Finds hosts that resolve to the loopback or unspecified address inside free text: URLs, bare
 * `host:port` pairs, command lines and script sources.
 *
 * Hosts are parsed, never substring-matched: the WHATWG URL parser (built into Node) normalizes
 * every IPv4 notation (`127.1`, `0x7f.0.0.1`, `2130706433`, percent-encoding) and IPv6 forms;
 * ipaddr.js classifies the result. `localhost-proxy.example.com` is therefore not loopback, while
 * `FOO.localhost` is (RFC 6761 reserves the whole `.localhost` domain for loopback).
 */
import * as ipaddr from "ipaddr.js";

export type LoopbackKind = "loopback" | "unspecified";

export interface LoopbackReference {
    /** The text as it appears in the input (a URL, `host:port` or a bare host). */
    readonly text: string;
    readonly kind: LoopbackKind;
}

/**
 * Classifies one host as it would appear in a URL authority: a name, an IPv4 address in any
 * notation, or an IPv6 address (bracketed or bare). Returns undefined for anything else.
 */
export function classifyHost(host: string): LoopbackKind | undefined {
    const trimmed = host.trim();
    if (trimmed === "") return undefined;
    if (trimmed.startsWith("[") && trimmed.endsWith("]")) return classifyIpv6(trimmed.slice(1, -1));
    if (trimmed.includes(":")) return classifyIpv6(trimmed);
    if (/[/?#@\\\s]/.test(trimmed)) return undefined;

    let hostname: string;
    try {
        hostname = new URL(`http://${trimmed}/`).hostname;
    } catch {
        return undefined;
    }
    hostname = hostname.replace(/\.$/, "");
    if (hostname === "localhost" || hostname.endsWith(".localhost")) return "loopback";
    if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) return classifyIpv4(ipaddr.IPv4.parse(hostname));
    return undefined;
}

function classifyIpv4(address: ipaddr.IPv4): LoopbackKind | undefined {
    if (address.range() === "loopback") return "loopback";
    // ipaddr.js calls all of 0.0.0.0/8 "unspecified"; only 0.0.0.0 itself means "any local address".
    if (address.toString() === "0.0.0.0") return "unspecified";
    return undefined;
}

function classifyIpv6(text: string): LoopbackKind | undefined {
    if (!ipaddr.IPv6.isValid(text)) return undefined;
    const address = ipaddr.IPv6.parse(text);
    if (address.isIPv4MappedAddress()) return classifyIpv4(address.toIPv4Address());
    const range = address.range();
    return range === "loopback" || range === "unspecified" ? range : undefined;
}

const urlPattern = /[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>\\]+/gi;
const tokenSeparators = /[\s"'`,;()<>{}|=\\]+/;

/** Every loopback or unspecified host referenced in a piece of text, in order of appearance. */
export function findLoopbackReferences(text: string): LoopbackReference[] {
    const found: LoopbackReference[] = [];
    const rest = text.replace(urlPattern, (url) => {
        const kind = classifyUrlHost(url);
        if (kind) found.push({ text: url, kind });
        return " ";
    });
    for (const token of rest.split(tokenSeparators)) {
        const kind = classifyBareToken(token);
        if (kind) found.push({ text: token, kind });
    }
    return found;
}

/** The host of `scheme://authority/...`, whatever the scheme (postgresql, redis, grpc, ...). */
function classifyUrlHost(url: string): LoopbackKind | undefined {
    const afterScheme = url.slice(url.indexOf("://") + 3);
    try {
        // Parsing as http makes the WHATWG parser treat the host as a network host and
        // normalize it; custom schemes would keep it opaque.
        return classifyHost(new URL(`http://${afterScheme}`).hostname);
    } catch {
        // Templated ports (`:{{inputs.parameters.port}}`, `:$PORT`) make the URL invalid; the
        // host is still readable.
        const authority = afterScheme.split(/[/?#]/, 1)[0];
        const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
        return classifyHost(splitHostPort(hostPort).host);
    }
}

/**
 * A token without a scheme: `localhost`, `localhost:8000`, `[::1]:8080`, `::1`, `127.0.0.1/8`.
 * Short numeric IPv4 forms (`127.1`, `2130706433`) count only with a port or a scheme: bare,
 * they are indistinguishable from ordinary numbers such as a threshold of `127.5`.
 */
function classifyBareToken(raw: string): LoopbackKind | undefined {
    // `host:` as in a YAML-ish `url: localhost:` line; `::` itself is an address.
    const token = /^[^:]+:$/.test(raw) ? raw.slice(0, -1) : raw;
    if (token === "" || token.startsWith("/")) return undefined;
    if (token.startsWith("[")) {
        const end = token.indexOf("]");
        return end > 0 ? classifyHost(token.slice(0, end + 1)) : undefined;
    }
    const hostPort = token.split("/", 1)[0];
    if ((hostPort.match(/:/g) ?? []).length >= 2) return classifyHost(hostPort);

    const { host, port } = splitHostPort(hostPort);
    if (/^\d+$/.test(host)) return undefined;
    const kind = classifyHost(host);
    if (!kind) return undefined;
    if (port !== undefined || isName(host) || looksLikeFullIpv4(host)) return kind;
    return undefined;
}

function splitHostPort(hostPort: string): { host: string; port?: string } {
    if (hostPort.startsWith("[")) {
        const end = hostPort.indexOf("]");
        const port = hostPort.slice(end + 1).replace(/^:/, "");
        return { host: hostPort.slice(0, end + 1), port: port === "" ? undefined : port };
    }
    const colon = hostPort.indexOf(":");
    if (colon < 0) return { host: hostPort };
    const port = hostPort.slice(colon + 1);
    return { host: hostPort.slice(0, colon), port: /^\d{1,5}$/.test(port) ? port : undefined };
}

/** Anything but digits, dots and hex notation is a name (here: `localhost` or `*.localhost`). */
function isName(host: string): boolean {
    return !/^[0-9a-fx.]+$/i.test(host);
}

/** Four dot-separated parts, or any hexadecimal part: clearly an address, not a decimal number. */
function looksLikeFullIpv4(host: string): boolean {
    const parts = host.replace(/\.$/, "").split(".");
    return parts.length === 4 || parts.some((part) => /^0x/i.test(part));
}
