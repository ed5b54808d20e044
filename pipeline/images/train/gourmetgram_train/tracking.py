"""Everything this image says to MLflow: the reachability check, the run's record, the logged
model and its registration."""

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from gourmetgram_train import flavor
from gourmetgram_train.constants import DEVELOPMENT_ALIAS, LOGGED_MODEL_NAME, MODEL_NAME
from gourmetgram_train.errors import InfrastructureError, UsageError
from gourmetgram_train.evaluation import Evaluation

PROBE_ATTEMPTS = 3
PROBE_TIMEOUT_SECONDS = 5
PROBE_PAUSE_SECONDS = 2


def check_tracking_uri(uri: str | None) -> str:
    """The tracking URI, once the server behind it has answered its /health endpoint."""
    if not uri:
        raise UsageError("MLFLOW_TRACKING_URI is not set; point it at the MLflow tracking server")
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"MLFLOW_TRACKING_URI must be an http(s):// URL of an MLflow server, got {uri!r}")
    health = uri.rstrip("/") + "/health"
    last_error: Exception | None = None
    for attempt in range(PROBE_ATTEMPTS):
        if attempt:
            time.sleep(PROBE_PAUSE_SECONDS)
        try:
            with urllib.request.urlopen(health, timeout=PROBE_TIMEOUT_SECONDS) as response:
                if response.status == 200:
                    return uri
                last_error = RuntimeError(f"HTTP {response.status}")
        except (urllib.error.URLError, OSError) as error:
            last_error = error
    raise InfrastructureError(
        f"MLflow tracking server at {uri} (MLFLOW_TRACKING_URI) is unreachable after "
        f"{PROBE_ATTEMPTS} attempts: {last_error}"
    )


def log_evaluation(mlflow, evaluation: Evaluation, report: Path) -> None:
    mlflow.log_metrics({
        "tests_passed": evaluation.passed,
        "tests_failed": evaluation.failed,
        "tests_skipped": evaluation.skipped,
        "tests_total": evaluation.total,
        "evaluation_passed": int(evaluation.all_passed),
        "pytest_exit_code": evaluation.exit_code,
    })
    # Values tests recorded (e.g. test_accuracy_meets_threshold.accuracy) become metrics too.
    mlflow.log_metrics({f"eval.{k}": v for k, v in evaluation.numeric_properties().items()})
    mlflow.log_artifact(str(report), artifact_path="evaluation")
    mlflow.log_text(json.dumps(evaluation.to_json(), indent=2), "evaluation/results.json")
    mlflow.set_tag("evaluation", "passed" if evaluation.all_passed else "failed")


def log_model(mlflow, model_file: Path, scenario: str, sha256: str, pip_requirements: list[str]):
    """Log model_file as this run's LoggedModel; returns its ModelInfo (model_uri = models:/m-...)."""
    from mlflow.models import Model

    return Model.log(
        artifact_path=None,
        name=LOGGED_MODEL_NAME,
        flavor=flavor,
        model_file=model_file,
        scenario=scenario,
        sha256=sha256,
        pip_requirements=pip_requirements,
    )


def register(mlflow, model_uri: str, tags: dict[str, str]) -> str:
    """Register model_uri under MODEL_NAME and point the development alias at it. If the alias
    cannot be set the new version is deleted again, so no unaliased half-registration is left."""
    client = mlflow.MlflowClient()
    version = mlflow.register_model(model_uri, MODEL_NAME, tags=tags).version
    try:
        client.set_registered_model_alias(MODEL_NAME, DEVELOPMENT_ALIAS, version)
    except Exception:
        with contextlib.suppress(Exception):
            client.delete_model_version(MODEL_NAME, version)
        raise
    return str(version)
