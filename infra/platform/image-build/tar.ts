/**
 * A minimal, deterministic POSIX ustar writer: the same files always give the same bytes
 * (fixed mtime, owner and modes), which is what makes the content-hash tag meaningful.
 * Not node-tar: its portable mode keeps each checkout's file modes, so the bytes (and the tag)
 * would follow the umask (test/unit/platform/tar-writer.test.ts shows both).
 */
export interface TarEntry {
    /** Path inside the archive, forward slashes, no leading "./". Directories end without a slash. */
    path: string;
    type: "file" | "directory";
    /** Executable files keep their x bit; nothing else about the mode is carried over. */
    executable?: boolean;
    content?: Buffer;
}

const blockSize = 512;

function octal(value: number, width: number): string {
    return value.toString(8).padStart(width - 1, "0") + "\0";
}

function splitName(path: string): { name: string; prefix: string } {
    if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
    // ustar: a long path is split at a slash into prefix (<=155 bytes) and name (<=100 bytes).
    for (let i = path.length - 1; i > 0; i--) {
        if (path[i] !== "/") continue;
        const prefix = path.slice(0, i);
        const name = path.slice(i + 1);
        if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
    }
    throw new Error(`path too long for a tar archive (ustar allows 255 bytes split at a slash): ${path}`);
}

function header(entry: TarEntry, size: number): Buffer {
    const block = Buffer.alloc(blockSize, 0);
    const { name, prefix } = splitName(entry.type === "directory" ? `${entry.path}/` : entry.path);
    const mode = entry.type === "directory" || entry.executable ? 0o755 : 0o644;
    block.write(name, 0, 100, "utf8");
    block.write(octal(mode, 8), 100, 8, "ascii");
    block.write(octal(0, 8), 108, 8, "ascii"); // uid
    block.write(octal(0, 8), 116, 8, "ascii"); // gid
    block.write(octal(size, 12), 124, 12, "ascii");
    block.write(octal(0, 12), 136, 12, "ascii"); // mtime: the epoch, so builds are reproducible
    block.write("        ", 148, 8, "ascii"); // checksum placeholder: eight spaces
    block.write(entry.type === "directory" ? "5" : "0", 156, 1, "ascii");
    block.write("ustar\0", 257, 6, "ascii");
    block.write("00", 263, 2, "ascii");
    block.write("root", 265, 32, "ascii");
    block.write("root", 297, 32, "ascii");
    block.write(prefix, 345, 155, "utf8");
    let checksum = 0;
    for (const byte of block) checksum += byte;
    block.write(checksum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
    return block;
}

/** The archive for `entries`, in the order given, ending with the two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
    const parts: Buffer[] = [];
    for (const entry of entries) {
        const content = entry.type === "file" ? (entry.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
        parts.push(header(entry, content.length));
        if (content.length > 0) {
            parts.push(content);
            const padding = (blockSize - (content.length % blockSize)) % blockSize;
            parts.push(Buffer.alloc(padding, 0));
        }
    }
    parts.push(Buffer.alloc(blockSize * 2, 0));
    return Buffer.concat(parts);
}
