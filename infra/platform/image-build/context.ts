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

/** Reads `contextDir` into a reproducible archive and its content digest. */
export function buildContext(contextDir: string, dockerfile: string): BuildContext {
    if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
        throw new Error(`build context ${contextDir} is not a directory`);
    }
    const dockerfilePath = path.join(contextDir, dockerfile);
    if (path.isAbsolute(dockerfile) || dockerfile.split(/[\\/]/).includes("..") || !fs.existsSync(dockerfilePath)) {
        throw new Error(`Dockerfile "${dockerfile}" must be a file inside the build context ${contextDir}`);
    }
    const entries: TarEntry[] = [];
    collect(contextDir, "", entries);
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
