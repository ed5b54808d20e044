import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { upstreamManifests } from "../../../infra/platform/argo";
import { ManifestError, maxManifestBytes, readManifest, type ManifestSource } from "../../../infra/platform/argo/manifest-source";
import { installManifestSha256 } from "../../../vocabulary/versions";

const text = fs.readFileSync(path.join(__dirname, "fixtures", "argo-cd-install.yaml"), "utf8");
const sha256 = crypto.createHash("sha256").update(text).digest("hex");
const url = "https://downloads.example.test/argo-cd/install.yaml";
const source: ManifestSource = { kind: "url", url, sha256 };

/**
 * Stands in for the network (GitHub is not reachable here): answers with real Response objects,
 * `url` being where fetch ended up after following redirects, as the Fetch standard defines it.
 */
function serving(body: ConstructorParameters<typeof Response>[0], init: ResponseInit & { finalUrl?: string } = {}): { fetch: typeof fetch; calls: string[] } {
    const calls: string[] = [];
    const fake = (async (input: string | URL | Request) => {
        calls.push(String(input));
        const response = new Response(body, init);
        Object.defineProperty(response, "url", { value: init.finalUrl ?? String(input) });
        return response;
    }) as typeof fetch;
    return { fetch: fake, calls };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected the manifest to be refused");
}

describe("install manifest downloads", () => {
    it("pin a sha256 for every upstream manifest, each a plain https URL of the pinned version", () => {
        for (const [name, pinned] of Object.entries(upstreamManifests)) {
            expect(pinned.url, name).toMatch(/^https:\/\//);
            expect(pinned.sha256, name).toBe(installManifestSha256[name as keyof typeof installManifestSha256]);
            expect(pinned.sha256, name).toMatch(/^[0-9a-f]{64}$/);
        }
        // Argo Workflows keeps no install.yaml in its tree: the release asset is the file.
        expect(upstreamManifests.argoWorkflows.url).toMatch(/^https:\/\/github\.com\/argoproj\/argo-workflows\/releases\/download\/v[\d.]+\/install\.yaml$/);
    });

    it("return the text when the bytes match the pinned sha256", async () => {
        const net = serving(text);
        expect(await readManifest(source, 1000, net.fetch)).toBe(text);
        expect(net.calls).toEqual([url]);
    });

    it("refuse a download whose sha256 differs, naming the URL, the expected and the actual hash", async () => {
        const tampered = text.replace("argocd-server", "argocd-serverx");
        const error = await failure(readManifest(source, 1000, serving(tampered).fetch));
        const actual = crypto.createHash("sha256").update(tampered).digest("hex");
        expect(error.message).toContain(`install manifest ${url} does not match its pinned sha256: expected ${sha256}, got ${actual}`);
        // A RunError: Pulumi prints the message without a stack trace.
        expect(pulumi.RunError.isInstance(error)).toBe(true);
    });

    it("refuse http:// before any request is made", async () => {
        const net = serving(text);
        const error = await failure(readManifest({ ...source, url: url.replace("https:", "http:") }, 1000, net.fetch));
        expect(error.message).toMatch(/install manifest URL http:\/\/downloads\.example\.test\/argo-cd\/install\.yaml is not https: only https:\/\/ downloads are allowed/);
        expect(net.calls).toEqual([]);
    });

    it("refuse a redirect that leaves https", async () => {
        const error = await failure(readManifest(source, 1000, serving(text, { finalUrl: "http://objects.example.test/install.yaml" }).fetch));
        expect(error.message).toMatch(/install manifest https:\S+ redirected to http:\/\/objects\.example\.test\/install\.yaml is not https/);
    });

    it("refuse a reply larger than any install manifest, declared or streamed", async () => {
        const declared = await failure(readManifest(source, 1000, serving(text, { headers: { "content-length": String(maxManifestBytes + 1) } }).fetch));
        expect(declared.message).toMatch(new RegExp(`is ${maxManifestBytes + 1} bytes, more than the ${maxManifestBytes} allowed`));
        const chunk = new Uint8Array(1024 * 1024);
        let sent = 0;
        const endless = new ReadableStream<Uint8Array>({
            pull(controller) {
                sent += chunk.byteLength;
                controller.enqueue(chunk);
            },
        });
        const streamed = await failure(readManifest(source, 1000, serving(endless).fetch));
        expect(streamed.message).toMatch(new RegExp(`more than the ${maxManifestBytes} bytes allowed`));
        expect(sent).toBeLessThanOrEqual(maxManifestBytes + 2 * chunk.byteLength);
    });

    it("report an HTTP error status and an unreachable network with what to do", async () => {
        expect((await failure(readManifest(source, 1000, serving("Not Found", { status: 404 }).fetch))).message).toBe(`cannot download install manifest ${url}: HTTP 404`);
        const offline = (async () => {
            throw new TypeError("fetch failed");
        }) as typeof fetch;
        const error = await failure(readManifest(source, 1000, offline));
        expect(error.message).toMatch(/cannot download install manifest \S+: fetch failed\. Offline\? Set the stack's install manifest key to a local file instead\./);
        expect(error).toBeInstanceOf(ManifestError);
    });

    it("refuse a malformed pin instead of comparing against it", async () => {
        const error = await failure(readManifest({ ...source, sha256: "TODO" }, 1000, serving(text).fetch));
        expect(error.message).toMatch(/no valid sha256 is pinned for \S+ \(got "TODO"\)/);
    });
});
