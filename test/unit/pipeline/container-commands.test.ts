import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gateImageCommand } from "../../../vocabulary/names";
import { pipelineWorkflowTemplates } from "../../../pipeline/templates";
import { settings } from "./fixtures";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

describe("the command of every pipeline container", () => {
    // Without one, Argo's controller reads the image's entrypoint from the registry, and with the
    // registry's login that needs the pull Secret, which the controller may not read: the step
    // errors before its pod exists.
    it("every container and script step names its command", () => {
        const unnamed = pipelineWorkflowTemplates(settings).flatMap((wt) =>
            (wt.spec.templates ?? [])
                .filter((t) => (t.container && !t.container.command?.length) || (t.script && !t.script.command?.length))
                .map((t) => `${wt.metadata!.name}/${t.name}`),
        );
        expect(unnamed).toEqual([]);
    });

    it("the gate steps' command is the gate image's ENTRYPOINT, in the Dockerfile and in the image built here", () => {
        const dockerfile = fs.readFileSync(path.join(repoRoot, "pipeline/images/gates/Dockerfile"), "utf8");
        const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
        expect(entrypoint, "pipeline/images/gates/Dockerfile has no exec-form ENTRYPOINT").not.toBeNull();
        expect(JSON.parse(entrypoint![1])).toEqual(gateImageCommand);
        const localImage = fs.readFileSync(path.join(repoRoot, "scripts/toolchain/images.d/80-pipeline.sh"), "utf8");
        expect(localImage).toContain(`gates "$gates_tag" 1000:1000 ${gateImageCommand.join(" ")}\n`);
        const gateSteps = pipelineWorkflowTemplates(settings).flatMap((wt) => (wt.spec.templates ?? []).filter((t) => t.container?.image === settings.images.gates));
        expect(gateSteps.length).toBeGreaterThan(0);
        for (const step of gateSteps) expect(step.container!.command, step.name).toEqual(gateImageCommand);
    });
});
