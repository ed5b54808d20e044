"""One training run: build the scenario's model, evaluate it with pytest, record everything in
MLflow, and register the model only when every evaluation test passed."""

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gourmetgram_train import tracking
from gourmetgram_train.constants import MODEL_FILE_NAME, MODEL_SHA256_TAG
from gourmetgram_train.evaluation import Evaluation, run_pytest
from gourmetgram_train.files import sha256_of
from gourmetgram_train.models import build_model, save_for_serving, summarize
from gourmetgram_train.seeding import seed_everything
from gourmetgram_train.weights import WeightsSource, fetch_weights

log = logging.getLogger("gourmetgram_train")


@dataclass(frozen=True)
class Options:
    scenario: str
    seed: int
    seed_origin: str
    weights: WeightsSource
    tests_dir: Path
    code_root: Path
    experiment: str
    tracking_uri: str
    app_memory_limit_bytes: int


@dataclass(frozen=True)
class Outcome:
    run_id: str
    evaluation: Evaluation
    version: str | None


def train(options: Options) -> Outcome:
    import mlflow
    import torch
    import torchvision

    mlflow.set_tracking_uri(options.tracking_uri)
    mlflow.set_experiment(options.experiment)
    with tempfile.TemporaryDirectory(prefix="gourmetgram-train-") as tmp, mlflow.start_run() as run:
        workdir = Path(tmp)
        log.info("MLflow run %s in experiment %r", run.info.run_id, options.experiment)
        mlflow.log_params({
            "scenario": options.scenario,
            "seed": options.seed,
            "seed_origin": options.seed_origin,
            "weights_source": options.weights.describe(),
            "torch_version": torch.__version__,
            "torchvision_version": torchvision.__version__,
            "app_memory_limit_bytes": options.app_memory_limit_bytes,
        })

        seed_everything(options.seed)
        fetched = fetch_weights(options.weights, workdir)
        if fetched is None:
            log.warning(
                "no pretrained weights (weights source 'none'): the model is initialised "
                "deterministically from seed %d, so its predictions carry no meaning", options.seed)
        else:
            log.info("weights from %s (sha256 %s)", options.weights.describe(), fetched.sha256)
            mlflow.log_param("weights_sha256", fetched.sha256)
            if options.scenario == "bad-architecture":
                log.info("bad-architecture is a ResNet-18: MobileNetV2 weights do not apply, it starts from the seed")
        model = build_model(options.scenario, fetched.state_dict if fetched else None,
                            options.app_memory_limit_bytes)
        summary = summarize(options.scenario, model, options.app_memory_limit_bytes)
        model_file = workdir / MODEL_FILE_NAME
        save_for_serving(model, model_file)
        del model
        sha256 = sha256_of(model_file)
        mlflow.log_params({
            "architecture": summary.architecture,
            "parameters": summary.parameters,
            "tensor_bytes": summary.tensor_bytes,
            "model_sha256": sha256,
        })
        log.info("built %s: %d parameters, %.1f MiB of tensors, saved as %s (%.1f MiB)",
                 summary.architecture, summary.parameters, summary.tensor_bytes / 2**20,
                 MODEL_FILE_NAME, model_file.stat().st_size / 2**20)

        report = workdir / "junit.xml"
        log.info("evaluating with pytest over %s (seed %d)", options.tests_dir, options.seed)
        evaluation = run_pytest(options.tests_dir, model_file, options.scenario, options.seed,
                                report, options.code_root)
        tracking.log_evaluation(mlflow, evaluation, report)
        log.info("evaluation: %d passed, %d failed, %d skipped of %d (pytest exit %d)",
                 evaluation.passed, evaluation.failed, evaluation.skipped, evaluation.total,
                 evaluation.exit_code)

        requirements = [f"torch>={_release(torch.__version__)}",
                        f"torchvision>={_release(torchvision.__version__)}"]
        info = tracking.log_model(mlflow, model_file, options.scenario, sha256, requirements)
        log.info("logged model %s", info.model_uri)

        version = None
        if evaluation.all_passed:
            version = tracking.register(mlflow, info.model_uri, {
                "scenario": options.scenario,
                "seed": str(options.seed),
                MODEL_SHA256_TAG: sha256,
            })
            log.info("registered version %s with alias development", version)
        else:
            log.warning("not registered: the evaluation did not pass")
        return Outcome(run.info.run_id, evaluation, version)


def _release(version: str) -> str:
    """'1.13.0a0' -> '1.13.0', '2.5.1+cpu' -> '2.5.1': the release a build stands for."""
    match = re.match(r"\d+(\.\d+)*", version)
    return match.group(0) if match else version
