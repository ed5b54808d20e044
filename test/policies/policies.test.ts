import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { policies } from "../../policies/policies";

const packDir = path.resolve(__dirname, "..", "..", "policies");

describe("the policy list", () => {
    it("has unique, kebab-case names the engine accepts", () => {
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) {
            expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(name).not.toBe("all");
        }
    });

    it("makes the product rules and the lab-port rule mandatory, the hygiene checks advisory", () => {
        const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
        expect(levels).toEqual({
            "resource-limits": "mandatory",
            "no-loopback-urls": "mandatory",
            "pinned-images": "mandatory",
            "no-plain-secret-env": "advisory",
            "openstack-lab-ports-open-to-world": "mandatory",
            "openstack-ingress-open-to-world": "advisory",
            "public-traffic-split": "mandatory",
        });
    });

    it("gives every rule a description and remediation a user can act on", () => {
        for (const policy of policies) {
            expect(policy.description.length, policy.name).toBeGreaterThan(60);
            expect(policy.remediationSteps?.length ?? 0, policy.name).toBeGreaterThan(80);
            expect(policy.severity, policy.name).toBeDefined();
        }
    });

    it("declares a default and a description for every config key, never enforcementLevel", () => {
        for (const policy of policies) {
            const properties = policy.configSchema?.properties ?? {};
            expect(properties).not.toHaveProperty("enforcementLevel");
            for (const [key, schema] of Object.entries(properties)) {
                expect(schema.default, `${policy.name}.${key}`).toBeDefined();
                expect(schema.description, `${policy.name}.${key}`).toBeTruthy();
            }
        }
    });

    it("can be imported without starting the pack", () => {
        const tsx = path.resolve(packDir, "..", "node_modules", ".bin", "tsx");
        const out = execFileSync(tsx, ["-e", `const { policies } = require(${JSON.stringify(path.join(packDir, "policies.ts"))}); console.log(policies.length)`], {
            timeout: 20_000,
            encoding: "utf8",
        });
        // A started pack would print its gRPC port and keep the process alive past the timeout.
        expect(out.trim()).toBe(String(policies.length));
    });
});

describe("the pack's project files", () => {
    it("PulumiPolicy.yaml selects the Node.js runtime", () => {
        const project = parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8"));
        expect(project.runtime).toBe("nodejs");
    });

    it("package.json carries the version the SDK requires and no dependencies of its own", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(pkg.dependencies).toBeUndefined();
        expect(fs.existsSync(path.join(packDir, pkg.main))).toBe(true);
    });

    it("example config lists every policy at its level and every setting at its default", () => {
        const example = JSON.parse(fs.readFileSync(path.join(packDir, "config.example.json"), "utf8"));
        expect(Object.keys(example).sort()).toEqual(policies.map((p) => p.name).sort());
        for (const policy of policies) {
            const settings = Object.entries((policy.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>);
            const expected = settings.length === 0
                ? policy.enforcementLevel
                : { enforcementLevel: policy.enforcementLevel, ...Object.fromEntries(settings.map(([key, schema]) => [key, schema.default])) };
            expect(example[policy.name], policy.name).toEqual(expected);
        }
    });
});
