import { describe, expect, it } from "vitest";
import { ingressRules } from "../../../infra/chameleon/security-rules";
import { portsFor, publishedPorts } from "../../../vocabulary/names";
import { placementFor } from "../../../infra/chameleon/sites";
import { hostAddress, isNetworkAddress, isPrivateRange, parseIpv4Cidr } from "../../../infra/config/network";
import { parseCpuMillicores, parseMemoryBytes } from "../../../vocabulary/quantities";

describe("ingressRules", () => {
    const policy = { labAllowedCidr: "198.51.100.0/24", sshAllowedCidr: "198.51.100.7/32", apiAllowedCidr: "203.0.113.10/32" };
    const byPort = () => Object.fromEntries(ingressRules(policy).map((r) => [r.port, r.cidr]));

    it("opens only the app's public ports (Traefik's 80, canary, production) to the world", () => {
        const world = ingressRules(policy).filter((r) => r.cidr === "0.0.0.0/0").map((r) => r.port);
        expect(world.sort((a, b) => a - b)).toEqual([80, 8080, 8082]);
        expect(world.sort()).toEqual(portsFor("public").sort());
    });

    it("opens every UI and staging to the lab's network, SSH to its own, the API to its own", () => {
        expect(byPort()).toEqual({
            22: "198.51.100.7/32",
            6443: "203.0.113.10/32",
            8000: "198.51.100.0/24",
            9001: "198.51.100.0/24",
            2746: "198.51.100.0/24",
            8443: "198.51.100.0/24",
            8081: "198.51.100.0/24",
            8080: "0.0.0.0/0",
            8082: "0.0.0.0/0",
            80: "0.0.0.0/0",
        });
    });

    it("has one rule per published port, described by service and audience", () => {
        expect(ingressRules(policy).map((r) => r.port)).toEqual(publishedPorts.map((p) => p.port));
        expect(ingressRules(policy).find((r) => r.port === 8000)!.description).toBe("MLflow UI and REST API: lab");
    });

    it("refuses to open the same port twice", () => {
        const twice = [publishedPorts[0], { ...publishedPorts[2], name: "again", port: publishedPorts[0].port }];
        expect(() => ingressRules(policy, twice)).toThrow(/port 22 \(again\) is opened twice \(also by ssh\)/);
    });
});

describe("placementFor", () => {
    it("uses the flavor, or the reservation's flavor, on KVM", () => {
        expect(placementFor("KVM@TACC", "m1.large", undefined)).toEqual({ flavorName: "m1.large" });
        expect(placementFor("KVM@TACC", undefined, undefined)).toEqual({ flavorName: "m1.medium" });
        expect(placementFor("KVM@TACC", undefined, "r-1")).toEqual({ flavorName: "reservation:r-1" });
    });

    it("uses the baremetal flavor and a scheduler hint on bare metal", () => {
        expect(placementFor("CHI@UC", undefined, "r-1")).toEqual({ flavorName: "baremetal", reservationHint: "r-1" });
    });
});

describe("IPv4 networks", () => {
    it("parses canonical CIDRs only", () => {
        expect(parseIpv4Cidr("192.168.1.0/24")).toEqual({ address: "192.168.1.0", prefix: 24 });
        for (const bad of ["192.168.1.0", "192.168.1.0/33", "192.168.1/24", "0xc0.168.1.0/24", "192.168.1.0/24/1", "a.b.c.d/8"]) {
            expect(parseIpv4Cidr(bad), bad).toBeUndefined();
        }
    });

    it("knows network addresses and private ranges", () => {
        expect(isNetworkAddress({ address: "192.168.1.0", prefix: 24 })).toBe(true);
        expect(isNetworkAddress({ address: "192.168.1.1", prefix: 24 })).toBe(false);
        expect(isPrivateRange({ address: "10.20.0.0", prefix: 16 })).toBe(true);
        expect(isPrivateRange({ address: "8.8.8.0", prefix: 24 })).toBe(false);
    });

    it("numbers hosts inside the network and refuses to leave it", () => {
        expect(hostAddress({ address: "192.168.1.0", prefix: 24 }, 11)).toBe("192.168.1.11");
        expect(hostAddress({ address: "10.0.0.0", prefix: 8 }, 300)).toBe("10.0.1.44");
        expect(() => hostAddress({ address: "192.168.1.0", prefix: 28 }, 15)).toThrow(RangeError);
    });
});

describe("Kubernetes quantities", () => {
    it.each([
        ["500m", 500],
        ["1", 1000],
        ["0.25", 250],
        ["2", 2000],
        ["250000000n", 250],
        ["1500u", 2],
    ])("CPU %s is %d millicores", (text, millicores) => expect(parseCpuMillicores(text)).toBe(millicores));

    it.each([
        ["256Mi", 268435456],
        ["1Gi", 1073741824],
        ["500M", 500000000],
        ["128974848", 128974848],
        ["129e6", 129000000],
    ])("memory %s is %d bytes", (text, bytes) => expect(parseMemoryBytes(text)).toBe(bytes));

    it.each(["256MB", "1 Gi", "Mi", "-1Gi", "", "0.5"])("%j is not a memory quantity", (text) => expect(parseMemoryBytes(text)).toBeUndefined());
});
