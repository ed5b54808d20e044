"""The entry point against a real MLflow tracking server: each scenario, a failing evaluation,
broken evaluation tests, and the model hand-off to the build step (download, load like the app)."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import free_loopback_port, run_python, run_training

from gourmetgram_train.constants import (
    DEVELOPMENT_ALIAS,
    MODEL_FILE_NAME,
    MODEL_NAME,
)
from gourmetgram_train.files import sha256_of
from gourmetgram_train.simulated import ACCURACY_THRESHOLD, simulated_accuracy

EVALUATION_TESTS = 4  # in pipeline/images/train/tests

# The oversized model is sized from the limit the template passes; a small one keeps the test quick.
OVERSIZED_LIMIT = "256Mi"
OVERSIZED_LIMIT_BYTES = 256 * 2**20


def seed_where(passing: bool) -> int:
    return next(s for s in range(1000) if (simulated_accuracy(s) >= ACCURACY_THRESHOLD) == passing)


@dataclass
class Recorded:
    exit_code: int
    output: str
    version: str
    run_id: str
    alias_before: str | None
    alias_after: str | None


def development_version(client) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(MODEL_NAME, DEVELOPMENT_ALIAS).version
    except MlflowException:
        return None


def train(client, tracking_uri, workdir: Path, experiment: str, *args: str, extra_env=None) -> Recorded:
    before = development_version(client)
    result = run_training(workdir, *args, "--experiment", experiment,
                          tracking_uri=tracking_uri, extra_env=extra_env)
    found = client.get_experiment_by_name(experiment)
    runs = client.search_runs([found.experiment_id]) if found else []
    assert len(runs) == 1, f"expected one run in {experiment}, found {len(runs)}:\n{result.output[-4000:]}"
    return Recorded(result.exit_code, result.output, result.version, runs[0].info.run_id,
                    before, development_version(client))


def versions_of_run(client, run_id: str) -> list:
    return [v for v in client.search_model_versions(f"name='{MODEL_NAME}'") if v.run_id == run_id]


def download(tracking_uri: str, uri: str, destination: Path) -> Path:
    """What the build step runs: the pinned MLflow's `mlflow artifacts download`."""
    mlflow_cli = Path(sys.executable).parent / "mlflow"
    completed = subprocess.run(
        [str(mlflow_cli), "artifacts", "download", "--artifact-uri", uri, "--dst-path", str(destination)],
        env={"PATH": "/usr/bin:/bin", "MLFLOW_TRACKING_URI": tracking_uri, "MLFLOW_DISABLE_TELEMETRY": "true"},
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return destination


# Loads a model file the way the GourmetGram app does, in a process that cannot import this
# repo's code, and reports what the app's predict step would make of one 224x224 image.
APP_PREDICT = r"""
import json, sys, torch
model = torch.load(sys.argv[1], weights_only=False, map_location=torch.device("cpu"))
model.eval()
with torch.no_grad():
    output = model(torch.rand(1, 3, 224, 224))
    result = {"shape": list(output.shape)}
    try:
        _, predicted = torch.max(output, 1)
        result["class_index"] = predicted.item()
    except Exception as error:
        result["error"] = f"{type(error).__name__}: {error}"
print(json.dumps(result))
"""

# Loads a model file in a fresh process and reports how much anonymous memory (what a container's
# memory limit cannot reclaim) the load added. With a budget, the process may first allocate at most
# that many bytes of private data beyond what importing torch took (RLIMIT_DATA): the load then
# either fits the budget or fails to allocate.
LOAD_MEMORY = r"""
import json, resource, sys, torch

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

budget = int(sys.argv[2])
anon_before = status("RssAnon")
if budget:
    hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
    resource.setrlimit(resource.RLIMIT_DATA, (status("VmData") + budget, hard))
try:
    model = torch.load(sys.argv[1], weights_only=False, map_location="cpu")
except (MemoryError, RuntimeError) as error:
    print(json.dumps({"loaded": False, "error": f"{type(error).__name__}: {error}"[:300]}))
else:
    tensors = [*model.parameters(), *model.buffers()]
    print(json.dumps({
        "loaded": True,
        "anon_increase": status("RssAnon") - anon_before,
        "tensor_bytes": sum(t.numel() * t.element_size() for t in tensors),
    }))
"""


@pytest.fixture(scope="module")
def normal(client, mlflow_server, tmp_path_factory):
    return train(client, mlflow_server, tmp_path_factory.mktemp("normal"), "t-normal",
                 "--scenario", "normal", "--seed", str(seed_where(passing=True)))


@pytest.fixture(scope="module")
def bad_architecture(client, mlflow_server, tmp_path_factory):
    return train(client, mlflow_server, tmp_path_factory.mktemp("bad"), "t-bad-architecture",
                 "--scenario", "bad-architecture", "--seed", str(seed_where(passing=True)))


@pytest.fixture(scope="module")
def oversized(client, mlflow_server, tmp_path_factory):
    return train(client, mlflow_server, tmp_path_factory.mktemp("oversized"), "t-oversized",
                 "--scenario", "oversized", "--seed", str(seed_where(passing=True)),
                 "--app-memory-limit", OVERSIZED_LIMIT)


@pytest.fixture(scope="module")
def failing(client, mlflow_server, tmp_path_factory):
    # The seed comes from the environment here, as a CronWorkflow would pass it.
    return train(client, mlflow_server, tmp_path_factory.mktemp("failing"), "t-failing",
                 "--scenario", "normal", extra_env={"GOURMETGRAM_SEED": str(seed_where(passing=False))})


def assert_registered(client, recorded: Recorded, scenario: str) -> None:
    assert recorded.exit_code == 0, recorded.output[-4000:]
    assert recorded.version.isdigit(), f"version file holds {recorded.version!r}"
    versions = versions_of_run(client, recorded.run_id)
    assert [v.version for v in versions] == [recorded.version]
    assert recorded.alias_after == recorded.version
    run = client.get_run(recorded.run_id)
    assert run.data.metrics["tests_passed"] == EVALUATION_TESTS
    assert run.data.metrics["tests_failed"] == 0
    assert run.data.metrics["tests_total"] == EVALUATION_TESTS
    assert run.data.metrics["evaluation_passed"] == 1
    assert run.data.params["scenario"] == scenario
    assert run.data.tags["evaluation"] == "passed"
    assert versions[0].tags["scenario"] == scenario


@pytest.mark.parametrize("scenario", ["normal", "bad-architecture", "oversized"])
def test_each_scenario_passes_evaluation_and_is_registered_as_development(
        scenario, client, request):
    recorded = request.getfixturevalue(scenario.replace("-", "_"))
    assert_registered(client, recorded, scenario)


def test_the_run_records_its_evaluation_results(client, normal):
    run = client.get_run(normal.run_id)
    assert run.data.metrics["eval.test_accuracy_meets_threshold.accuracy"] == pytest.approx(0.85)
    assert run.data.params["seed"] == str(seed_where(passing=True))
    evaluation = {a.path for a in client.list_artifacts(normal.run_id, "evaluation")}
    assert evaluation == {"evaluation/junit.xml", "evaluation/results.json"}
    results = client.download_artifacts(normal.run_id, "evaluation/results.json")
    assert '"all_passed": true' in Path(results).read_text()


def test_a_failing_evaluation_registers_nothing(client, failing):
    assert failing.exit_code == 0, failing.output[-4000:]
    assert failing.version == ""
    assert versions_of_run(client, failing.run_id) == []
    assert failing.alias_after == failing.alias_before
    run = client.get_run(failing.run_id)
    assert run.data.metrics["tests_failed"] == 1
    assert run.data.metrics["tests_passed"] == EVALUATION_TESTS - 1
    assert run.data.metrics["tests_total"] == EVALUATION_TESTS
    assert run.data.metrics["evaluation_passed"] == 0
    assert run.data.metrics["eval.test_accuracy_meets_threshold.accuracy"] == pytest.approx(0.75)
    assert run.data.tags["evaluation"] == "failed"
    assert "below the 0.80 threshold" in failing.output


def test_broken_evaluation_tests_fail_closed(client, mlflow_server, tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_fine.py").write_text("def test_fine():\n    assert True\n")
    (tests / "test_broken.py").write_text("import a_module_that_does_not_exist\n")
    recorded = train(client, mlflow_server, tmp_path / "work", "t-broken-tests",
                     "--scenario", "normal", "--seed", "1", "--tests-dir", str(tests))
    assert recorded.exit_code == 0, recorded.output[-4000:]
    assert recorded.version == ""
    assert versions_of_run(client, recorded.run_id) == []
    metrics = client.get_run(recorded.run_id).data.metrics
    assert (metrics["tests_passed"], metrics["tests_failed"], metrics["tests_total"]) == (0, 1, 1)


def test_a_registered_version_downloads_as_the_file_the_app_loads(client, mlflow_server, normal, tmp_path):
    whole = download(mlflow_server, f"models:/{MODEL_NAME}/{normal.version}", tmp_path / "whole")
    single = download(mlflow_server, f"models:/{MODEL_NAME}/{normal.version}/{MODEL_FILE_NAME}", tmp_path / "one")
    version = client.get_model_version(MODEL_NAME, normal.version)
    for model_file in (whole / MODEL_FILE_NAME, single / MODEL_FILE_NAME):
        assert sha256_of(model_file) == version.tags["model_sha256"]
    assert b"gourmetgram_train" not in (whole / MODEL_FILE_NAME).read_bytes()
    result = run_python(APP_PREDICT, str(whole / MODEL_FILE_NAME), cwd=tmp_path)
    assert result["shape"] == [1, 11]
    assert 0 <= result["class_index"] < 11


def test_bad_architecture_breaks_the_apps_predict(mlflow_server, bad_architecture, tmp_path):
    target = download(mlflow_server, f"models:/{MODEL_NAME}/{bad_architecture.version}/{MODEL_FILE_NAME}", tmp_path)
    result = run_python(APP_PREDICT, str(target / MODEL_FILE_NAME), cwd=tmp_path)
    assert result["shape"] == [1, 11, 7, 7]
    assert "class_index" not in result
    # torch 1.13 (this image) and torch 2.x word the failure differently; both refuse a 7x7 grid.
    assert result["error"] in (
        "ValueError: only one element tensors can be converted to Python scalars",
        "RuntimeError: a Tensor with 49 elements cannot be converted to Scalar",
    )


def test_oversized_needs_more_memory_than_the_app_limit_and_normal_fits(client, mlflow_server, normal, oversized, tmp_path):
    limit = OVERSIZED_LIMIT_BYTES
    assert client.get_run(oversized.run_id).data.params["app_memory_limit_bytes"] == str(limit)
    files = {
        name: download(mlflow_server, f"models:/{MODEL_NAME}/{recorded.version}/{MODEL_FILE_NAME}",
                       tmp_path / name) / MODEL_FILE_NAME
        for name, recorded in (("normal", normal), ("oversized", oversized))
    }
    unlimited = {name: run_python(LOAD_MEMORY, str(f), "0", cwd=tmp_path) for name, f in files.items()}
    limited = {name: run_python(LOAD_MEMORY, str(f), str(limit), cwd=tmp_path) for name, f in files.items()}
    print(f"load-time memory (bytes): {unlimited}; within a {limit}-byte budget: {limited}")

    assert unlimited["oversized"]["tensor_bytes"] > 1.4 * limit
    assert unlimited["oversized"]["anon_increase"] > 1.4 * limit
    assert limited["oversized"]["loaded"] is False
    assert "can't allocate memory" in limited["oversized"]["error"]

    # The normal model takes a small fraction of the limit, leaving the rest to the app's runtime.
    assert unlimited["normal"]["anon_increase"] < limit // 4
    assert limited["normal"]["loaded"] is True


def test_weights_come_from_a_configured_url(client, mlflow_server, tmp_path):
    import http.server
    import threading

    import torch
    from gourmetgram_train.models import build_model

    torch.manual_seed(12345)
    published = build_model("normal").state_dict()
    (tmp_path / "served").mkdir()
    torch.save(published, tmp_path / "served" / "food11-weights.pth")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path / "served"), **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/food11-weights.pth"
        recorded = train(client, mlflow_server, tmp_path / "work", "t-weights-url",
                         "--scenario", "normal", "--seed", str(seed_where(passing=True)), "--weights", url)
    finally:
        server.shutdown()
        server.server_close()
    assert_registered(client, recorded, "normal")
    assert client.get_run(recorded.run_id).data.params["weights_source"] == url
    model_file = download(mlflow_server, f"models:/{MODEL_NAME}/{recorded.version}/{MODEL_FILE_NAME}", tmp_path / "dl")
    loaded = torch.load(model_file / MODEL_FILE_NAME, weights_only=False).state_dict()
    assert all(torch.equal(loaded[k], published[k]) for k in published)


def test_unfetchable_weights_stop_the_run_and_register_nothing(client, mlflow_server, tmp_path):
    url = f"http://127.0.0.1:{free_loopback_port()}/missing.pth"
    recorded = train(client, mlflow_server, tmp_path, "t-weights-missing",
                     "--scenario", "normal", "--seed", "1", "--weights", url)
    assert recorded.exit_code == 3
    assert f"could not fetch weights from {url}" in recorded.output
    assert recorded.version == ""
    assert versions_of_run(client, recorded.run_id) == []
    assert client.get_run(recorded.run_id).info.status == "FAILED"


def count_versions(client) -> int:
    return len(client.search_model_versions(f"name='{MODEL_NAME}'"))


@pytest.mark.parametrize(("args", "message"), [
    (["--scenario", "huge"], "unknown scenario 'huge'; allowed: normal, bad-architecture, oversized"),
    (["--scenario", "normal", "--seed", "twelve"], "--seed must be an integer between 0 and 4294967295, got 'twelve'"),
    (["--scenario", "normal", "--seed", "-3"], "--seed must be between 0 and 4294967295, got -3"),
    (["--scenario", "normal", "--tests-dir", "no/such/dir"], "tests directory no/such/dir does not exist"),
    (["--scenario", "normal", "--weights", "ftp://example.invalid/w.pth"], "weights source 'ftp://example.invalid/w.pth' is not understood"),
    (["--scenario", "oversized", "--app-memory-limit", "256MB"],
     "--app-memory-limit = '256MB' is not a memory limit; use a Kubernetes memory quantity such as 1Gi, 768Mi"),
    (["--scenario", "oversized", "--app-memory-limit", "0"], "--app-memory-limit = '0' is not a memory limit"),
])
def test_bad_input_is_refused_before_anything_is_registered(args, message, client, mlflow_server, tmp_path):
    before = count_versions(client)
    version_file = tmp_path / "model_version"
    version_file.write_text("41")
    result = run_training(tmp_path, *args, tracking_uri=mlflow_server, version_file=version_file)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert version_file.read_text() == ""
    assert count_versions(client) == before


def test_a_missing_tracking_uri_is_refused(tmp_path):
    result = run_training(tmp_path, "--scenario", "normal", tracking_uri=None)
    assert result.exit_code == 2
    assert "MLFLOW_TRACKING_URI is not set" in result.output


def test_an_unreachable_tracking_server_is_an_error_and_writes_no_version(tmp_path):
    uri = f"http://127.0.0.1:{free_loopback_port()}"
    version_file = tmp_path / "model_version"
    version_file.write_text("41")
    result = run_training(tmp_path, "--scenario", "normal", tracking_uri=uri, version_file=version_file)
    assert result.exit_code == 3, result.output
    assert f"MLflow tracking server at {uri} (MLFLOW_TRACKING_URI) is unreachable" in result.output
    assert version_file.read_text() == ""

