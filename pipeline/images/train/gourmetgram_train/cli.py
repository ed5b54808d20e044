"""Command line of the training image (the train-model WorkflowTemplate's pod command).

    python -m gourmetgram_train --scenario normal|bad-architecture|oversized
        [--seed N] [--weights none|imagenet|PATH|URL] [--tests-dir DIR]
        [--version-file PATH] [--experiment NAME] [--app-memory-limit QUANTITY]

Exit status: 0 when the run reached a decision (registered, or evaluation failed and nothing was
registered); 2 for bad input; 3 when something it depends on failed (MLflow unreachable, weights
not fetchable, pytest crashed). The version file is emptied first and only ever receives the
number of a version that was registered with alias development.
"""

import argparse
import logging
import os
from pathlib import Path

from gourmetgram_train.constants import (
    APP_MEMORY_LIMIT,
    DEFAULT_EXPERIMENT,
    DEFAULT_VERSION_FILE,
    SCENARIOS,
    SEED_ENV,
    WEIGHTS_ENV,
)
from gourmetgram_train.errors import InfrastructureError, TrainingError, UsageError
from gourmetgram_train.files import write_atomically

log = logging.getLogger("gourmetgram_train")

CODE_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m gourmetgram_train",
        description="Build the scenario's model, evaluate it with pytest, and register it in "
                    "MLflow (alias development) only when every evaluation test passed.",
    )
    parser.add_argument("--scenario", required=True, help=f"one of: {', '.join(SCENARIOS)}")
    parser.add_argument("--seed", help=f"integer seed for a reproducible run (default: ${SEED_ENV}, else random)")
    parser.add_argument("--weights", default=os.environ.get(WEIGHTS_ENV, "none"),
                        help=f"none | imagenet | path or URL of a MobileNetV2 state_dict (default: ${WEIGHTS_ENV}, else none)")
    parser.add_argument("--tests-dir", type=Path, default=CODE_ROOT / "tests",
                        help="directory of evaluation tests pytest runs (default: the image's tests/)")
    parser.add_argument("--version-file", type=Path, default=Path(DEFAULT_VERSION_FILE),
                        help=f"where the registered version number is written (default: {DEFAULT_VERSION_FILE})")
    parser.add_argument("--experiment", default=os.environ.get("MLFLOW_EXPERIMENT_NAME", DEFAULT_EXPERIMENT),
                        help=f"MLflow experiment (default: $MLFLOW_EXPERIMENT_NAME, else {DEFAULT_EXPERIMENT})")
    parser.add_argument("--app-memory-limit", default=APP_MEMORY_LIMIT,
                        help="memory limit of staging's app container, a Kubernetes quantity; the oversized "
                             f"model is sized from it (default: {APP_MEMORY_LIMIT}; the train-model template "
                             "passes the stack's)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gourmetgram_train %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        # Emptied before anything else: a failed run must never leave an older version behind.
        write_atomically(args.version_file, "")
    except OSError as error:
        log.error("cannot write the version file %s: %s", args.version_file, error)
        return UsageError.exit_code
    try:
        outcome = run(args)
    except TrainingError as error:
        log.error("%s", error)
        return error.exit_code
    if outcome.version is not None:
        write_atomically(args.version_file, outcome.version)
    return 0


def run(args: argparse.Namespace):
    # Validated before anything heavy is imported or MLflow is contacted.
    if args.scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {args.scenario!r}; allowed: {', '.join(SCENARIOS)}")
    from gourmetgram_train.limits import parse_memory_limit
    from gourmetgram_train.seeding import resolve_seed
    from gourmetgram_train.weights import parse_weights_source

    app_memory_limit_bytes = parse_memory_limit(args.app_memory_limit, "--app-memory-limit")
    seed, seed_origin = resolve_seed(args.seed, os.environ.get(SEED_ENV), SEED_ENV)
    weights = parse_weights_source(args.weights)
    tests_dir = args.tests_dir.resolve()
    if not tests_dir.is_dir():
        raise UsageError(f"tests directory {args.tests_dir} does not exist")
    if not args.experiment.strip():
        raise UsageError("the MLflow experiment name is empty")

    from gourmetgram_train import tracking
    from gourmetgram_train.training import Options, train

    tracking_uri = tracking.check_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI"))
    log.info("scenario %s, seed %d (from %s), weights %s", args.scenario, seed, seed_origin, weights.describe())
    try:
        return train(Options(
            scenario=args.scenario,
            seed=seed,
            seed_origin=seed_origin,
            weights=weights,
            tests_dir=tests_dir,
            code_root=CODE_ROOT,
            experiment=args.experiment,
            tracking_uri=tracking_uri,
            app_memory_limit_bytes=app_memory_limit_bytes,
        ))
    except TrainingError:
        raise
    except Exception as error:
        if _is_mlflow_failure(error):
            raise InfrastructureError(f"MLflow request failed: {error}") from error
        raise


def _is_mlflow_failure(error: Exception) -> bool:
    import requests
    from mlflow.exceptions import MlflowException

    return isinstance(error, (MlflowException, requests.exceptions.RequestException))

