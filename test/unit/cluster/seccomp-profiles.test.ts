/**
 * The one-node test cluster's kubelet finds the program's Localhost seccomp profiles where the
 * K3s install puts them on a node: below its root directory's seccomp/, at the profile's name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { installSeccompProfiles } from "../../cluster/harness/node";
import { seccompProfileFile, seccompProfiles } from "../../../infra/k3s/seccomp-profiles";

it("installs every profile below the kubelet's root directory, at its Localhost name", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kubelet-root-"));
    try {
        installSeccompProfiles(root);
        for (const name of Object.values(seccompProfiles)) {
            expect(fs.readFileSync(path.join(root, "seccomp", name)), name).toEqual(fs.readFileSync(seccompProfileFile(name)));
        }
        // Twice is harmless: the cluster harness starts a kubelet in a fresh directory, or in its old one.
        installSeccompProfiles(root);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
});
