/**
 * Seeds whose simulated evaluation passes and fails, found by the training image's own rule
 * (gourmetgram_train.simulated, run with CI's Python), so a run's verdict is chosen, not drawn.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../../e2e/harness/render";

export interface EvaluationSeeds {
    passing: number;
    failing: number;
}

export function evaluationSeeds(): EvaluationSeeds {
    const script = [
        "import json",
        "from gourmetgram_train.simulated import ACCURACY_THRESHOLD, simulated_accuracy",
        "seeds = range(1, 200)",
        "print(json.dumps({'passing': next(s for s in seeds if simulated_accuracy(s) >= ACCURACY_THRESHOLD),",
        "                  'failing': next(s for s in seeds if simulated_accuracy(s) < ACCURACY_THRESHOLD)}))",
    ].join("\n");
    const out = execFileSync(path.join(repoRoot, ".venv", "bin", "python"), ["-c", script], {
        env: { ...process.env, PYTHONPATH: path.join(repoRoot, "pipeline", "images", "train") },
        encoding: "utf8",
    });
    return JSON.parse(out) as EvaluationSeeds;
}
