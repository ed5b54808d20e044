import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { TarEntry, writeTar } from "./tar";

/** Directories never sent to a build: they are caches or VCS data, never image inputs. */
export const ignoredDirectories = new Set([".git", "node_modules", "__pycache__", ".venv", ".pytest_cache", ".cache"]);

/**
 * A ConfigMap holds at most 1 MiB; base64 in `binaryData` and object metadata must fit too,
 * so the compressed context is capped well below that.
 */
export const maxContextBytes = 700 * 1024;

export interface BuildContext {
    /** gzip-compressed tar of the context directory. */
    archive: Buffer;
    /** sha256 (hex) over the uncompressed archive and the Dockerfile path. */
    digest: string;
    files: string[];
}

function collect(root: string, relative: string, entries: TarEntry[]): void {
    const dir = path.join(root, relative);
    for (const name of fs.readdirSync(dir).sort()) {
        const rel = relative ? `${relative}/${name}` : name;
        const full = path.join(root, rel);
        const stat = fs.lstatSync(full);
        if (stat.isDirectory()) {
            if (ignoredDirectories.has(name)) continue;
            entries.push({ path: rel, type: "directory" });
            collect(root, rel, entries);
        } else if (stat.isFile()) {
            entries.push({ path: rel, type: "file", executable: (stat.mode & 0o111) !== 0, content: fs.readFileSync(full) });
        } else {
            throw new Error(`build context ${root}: ${rel} is neither a file nor a directory (symlinks are not followed)`);
        }
    }
}

/** Adds one included path (a file or a whole directory) and the directories above it. */
function collectIncluded(root: string, included: string, entries: TarEntry[]): void {
    const normalized = path.posix.normalize(included.replace(/\\/g, "/"));
    if (path.posix.isAbsolute(normalized) || normalized.split("/").includes("..") || normalized === ".") {
        throw new Error(`build context ${root}: include "${included}" must be a path inside the context`);
    }
    const full = path.join(root, normalized);
    if (!fs.existsSync(full)) throw new Error(`build context ${root}: included path ${normalized} does not exist`);
    const parts = normalized.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
        entries.push({ path: parts.slice(0, depth).join("/"), type: "directory" });
    }
    if (fs.statSync(full).isDirectory()) {
        entries.push({ path: normalized, type: "directory" });
        collect(root, normalized, entries);
    } else {
        entries.push({ path: normalized, type: "file", executable: (fs.statSync(full).mode & 0o111) !== 0, content: fs.readFileSync(full) });
    }
}

/** Sorted by path, each path once: the same files always make the same archive. */
function canonical(entries: TarEntry[]): TarEntry[] {
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Reads `contextDir` into a reproducible archive and its content digest. With `include`, only
 * those paths (files or directories, relative to the context) are sent, so an image built from
 * a few files of a large directory (the repository root) changes only when they do.
 */
export function buildContext(contextDir: string, dockerfile: string, include?: readonly string[]): BuildContext {
    if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
        throw new Error(`build context ${contextDir} is not a directory`);
    }
    const dockerfilePath = path.join(contextDir, dockerfile);
    if (path.isAbsolute(dockerfile) || dockerfile.split(/[\\/]/).includes("..") || !fs.existsSync(dockerfilePath)) {
        throw new Error(`Dockerfile "${dockerfile}" must be a file inside the build context ${contextDir}`);
    }
    let entries: TarEntry[] = [];
    if (include) {
        for (const included of [dockerfile, ...include]) collectIncluded(contextDir, included, entries);
        entries = canonical(entries);
    } else {
        collect(contextDir, "", entries);
    }
    const tar = writeTar(entries);
    const digest = createHash("sha256").update(tar).update("\0dockerfile=").update(dockerfile).digest("hex");
    const archive = gzipSync(tar, { level: 9 });
    if (archive.length > maxContextBytes) {
        throw new Error(
            `build context ${contextDir} compresses to ${archive.length} bytes; at most ${maxContextBytes} fit in a ConfigMap. ` +
                `Move large files (models, data) out of the context and fetch them during the build.`,
        );
    }
    return { archive, digest, files: entries.filter((e) => e.type === "file").map((e) => e.path) };
}

/** The immutable tag for a context digest: `src-` and the first 24 hex digits. */
export function contentTag(digest: string): string {
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`not a sha256 hex digest: ${digest}`);
    return `src-${digest.slice(0, 24)}`;
}
