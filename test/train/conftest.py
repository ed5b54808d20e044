"""Shared fixtures for the training image's tests: the code on sys.path, a real MLflow tracking
server (from the venv, sqlite backend, local artifacts, random loopback port), and a helper that
runs the entry point the way the train-model pod does."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = REPO_ROOT / "pipeline" / "images" / "train"
sys.path.insert(0, str(TRAIN_DIR))

SERVER_START_TIMEOUT_SECONDS = 240
RUN_TIMEOUT_SECONDS = 900

# No usage telemetry leaves this machine from the client or the server.
QUIET_ENV = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """URL of a real `mlflow server`, stopped (its whole process group) when the session ends."""
    root = tmp_path_factory.mktemp("mlflow")
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    mlflow = Path(sys.executable).parent / "mlflow"
    log = open(root / "server.log", "wb")
    process = subprocess.Popen(
        [str(mlflow), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
         "--artifacts-destination", str(root / "artifacts")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, **QUIET_ENV, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"mlflow server exited with {process.returncode}: "
                            f"{(root / 'server.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not healthy within {SERVER_START_TIMEOUT_SECONDS}s")
            time.sleep(0.5)
        yield url
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def client(mlflow_server):
    import mlflow

    os.environ.update(QUIET_ENV)
    mlflow.set_tracking_uri(mlflow_server)
    return mlflow.MlflowClient(tracking_uri=mlflow_server)


@dataclass
class TrainingRun:
    exit_code: int
    output: str
    version_file: Path

    @property
    def version(self) -> str:
        return self.version_file.read_text()


def run_training(workdir: Path, *args: str, tracking_uri: str | None,
                 extra_env: dict[str, str] | None = None, version_file: Path | None = None) -> TrainingRun:
    """Run `python -m gourmetgram_train ARGS` from the image's working directory, as the pod does."""
    workdir.mkdir(parents=True, exist_ok=True)
    version_file = version_file or workdir / "model_version"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "GOURMETGRAM_"))}
    env.update(QUIET_ENV)
    env["TORCH_HOME"] = str(workdir / "torch-home")
    if tracking_uri is not None:
        env["MLFLOW_TRACKING_URI"] = tracking_uri
    env.update(extra_env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "gourmetgram_train", *args, "--version-file", str(version_file)],
        cwd=TRAIN_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=RUN_TIMEOUT_SECONDS,
    )
    return TrainingRun(completed.returncode, completed.stdout, version_file)


def run_python(code: str, *args: str, cwd: Path) -> dict:
    """Run code in a fresh interpreter without this repo's code on its path; it prints one JSON
    object as its last line of output."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    completed = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])
