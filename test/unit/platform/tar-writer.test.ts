/**
 * Why the image builds keep their own tar writer (infra/platform/image-build/tar.ts) instead of
 * node-tar: the content tag is a hash of the archive, so the same files must give the same
 * bytes on every checkout. node-tar's portable mode drops owners and times but keeps the file
 * modes a checkout happens to have (0600, 0640, 0700); ours writes 0644, or 0755 for an
 * executable. node-tar reads ours as a well-formed archive.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tar from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { buildContext } from "../../../infra/platform/image-build/context";
import { writeTar } from "../../../infra/platform/image-build/tar";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tar-writer-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const files = { "Dockerfile": "FROM scratch\n", "app/main.py": "print(1)\n", "app/run.sh": "#!/bin/sh\nexec python3 main.py\n" };

/** The same files as another checkout may leave them: other modes, another mtime. */
function checkout(name: string, modes: { file: number; script: number; dir: number }, mtime: Date): string {
    const root = path.join(scratch, name);
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
    }
    for (const file of Object.keys(files)) {
        fs.chmodSync(path.join(root, file), file.endsWith(".sh") ? modes.script : modes.file);
        fs.utimesSync(path.join(root, file), mtime, mtime);
    }
    fs.chmodSync(path.join(root, "app"), modes.dir);
    return root;
}

const usual = checkout("usual", { file: 0o644, script: 0o755, dir: 0o755 }, new Date("2024-01-01T00:00:00Z"));
const restrictive = checkout("restrictive", { file: 0o600, script: 0o700, dir: 0o700 }, new Date("2025-06-30T12:34:56Z"));

function nodeTar(root: string): Buffer {
    const out = path.join(scratch, `${path.basename(root)}.tar`);
    tar.create({ sync: true, file: out, cwd: root, portable: true, mtime: new Date(0), noDirRecurse: true }, ["Dockerfile", "app", "app/main.py", "app/run.sh"]);
    return fs.readFileSync(out);
}

describe("the image build's tar writer", () => {
    it("gives the same bytes for the same files, whatever modes and times a checkout left", () => {
        const a = buildContext(usual, "Dockerfile");
        const b = buildContext(restrictive, "Dockerfile");
        expect(a.digest).toBe(b.digest);
        expect(a.archive.equals(b.archive)).toBe(true);
    });

    it("where node-tar's portable archives of the same files differ", () => {
        expect(nodeTar(usual).equals(nodeTar(restrictive))).toBe(false);
    });

    it("writes an archive node-tar reads back with the normalised modes and the contents", () => {
        const archive = path.join(scratch, "ours.tar");
        fs.writeFileSync(archive, writeTar([
            { path: "app", type: "directory" },
            { path: "app/main.py", type: "file", content: Buffer.from(files["app/main.py"]) },
            { path: "app/run.sh", type: "file", executable: true, content: Buffer.from(files["app/run.sh"]) },
            { path: `deep/${"d".repeat(120)}/file.txt`, type: "file", content: Buffer.from("long path\n") },
        ]));
        const seen: { path: string; mode?: number; size?: number }[] = [];
        tar.list({ sync: true, file: archive, strict: true, onReadEntry: (entry) => seen.push({ path: entry.path, mode: entry.mode, size: entry.size }) });
        expect(seen).toEqual([
            { path: "app/", mode: 0o755, size: 0 },
            { path: "app/main.py", mode: 0o644, size: Buffer.byteLength(files["app/main.py"]) },
            { path: "app/run.sh", mode: 0o755, size: Buffer.byteLength(files["app/run.sh"]) },
            { path: `deep/${"d".repeat(120)}/file.txt`, mode: 0o644, size: 10 },
        ]);
    });
});
