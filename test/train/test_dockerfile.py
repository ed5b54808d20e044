"""Static checks of the training image's Dockerfile and pins (no Docker engine runs here; the
image is built in the cluster): pinned base, pinned packages that match what CI tests, COPY
sources that exist, a non-root user, the entry point the train-model template runs."""

import json
import re
import shlex
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from conftest import TRAIN_DIR

REPO = TRAIN_DIR.parents[2]


def instructions() -> list[tuple[str, str]]:
    text = (TRAIN_DIR / "Dockerfile").read_text()
    logical = re.sub(r"\\\n", " ", text)
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def of(keyword: str) -> list[str]:
    return [rest for k, rest in instructions() if k == keyword]


def pins(path, separator: str) -> dict[str, str]:
    result = {}
    for line in (TRAIN_DIR / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, found, version = line.partition(separator)
            assert found and version, f"{path}: {line!r} is not pinned with {separator}"
            result[name.lower()] = version
    return result


def test_the_base_image_is_pinned_by_tag_and_digest():
    assert len(of("FROM")) == 1
    assert re.fullmatch(r"debian:bookworm-\d{8}@sha256:[0-9a-f]{64}", of("FROM")[0])


def test_every_copy_source_exists_in_the_build_context():
    for rest in of("COPY"):
        *sources, _ = shlex.split(rest)
        for source in sources:
            assert (TRAIN_DIR / source).exists(), f"COPY source {source} is missing"


def test_the_code_and_the_evaluation_tests_land_in_the_working_directory():
    assert of("WORKDIR") == ["/app"]
    copied = {tuple(shlex.split(rest)) for rest in of("COPY")}
    assert ("gourmetgram_train/", "/app/gourmetgram_train/") in copied
    assert ("tests/", "/app/tests/") in copied


def test_the_image_runs_as_a_non_root_user():
    user = of("USER")[-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) > 0
    keywords = [k for k, _ in instructions()]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert "RUN" not in keywords[last_user:], "a RUN after USER would need root"


def test_the_default_command_is_the_training_entry_point():
    assert json.loads(of("CMD")[0])[:3] == ["python", "-m", "gourmetgram_train"]


def locked_pins(path: Path) -> dict[str, str]:
    """name==version of every requirement in a hashed lock file; each must carry a sha256."""
    result: dict[str, str] = {}
    hashed: set[str] = set()
    name = None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith("-r "):
            continue
        if line.startswith("--hash="):
            assert name, f"{path.name}: a hash before any requirement"
            assert re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", line), f"{path.name}: {line!r} is not a sha256"
            hashed.add(name)
            continue
        name, found, version = line.partition("==")
        assert found and version, f"{path.name}: {line!r} is not pinned with =="
        name = name.lower()
        result[name] = version
    missing = sorted(set(result) - hashed)
    assert not missing, f"{path.name}: no sha256 for {', '.join(missing)}"
    return result


def test_installs_come_from_the_pinned_lists():
    runs = " ".join(of("RUN"))
    assert "debian-packages.txt" in runs and "--no-install-recommends" in runs
    assert "pip install --require-hashes --no-deps -r /opt/train/requirements.lock.txt" in runs
    assert "pip install" in runs and "--index-url" not in runs


def test_mlflow_telemetry_is_off_in_the_image():
    env = " ".join(of("ENV"))
    assert "MLFLOW_DISABLE_TELEMETRY=true" in env


def test_every_pypi_requirement_is_pinned_and_locked_at_the_same_version_with_its_sha256():
    required = pins("requirements.txt", "==")
    locked = locked_pins(TRAIN_DIR / "requirements.lock.txt")
    for name, version in required.items():
        assert locked.get(name) == version, f"{name}: requirements.txt {version}, requirements.lock.txt {locked.get(name)}"


def test_the_test_venv_lock_adds_to_the_image_lock_and_covers_test_requirements():
    lock = REPO / "test" / "requirements.lock.txt"
    assert "-r ../pipeline/images/train/requirements.lock.txt" in lock.read_text().splitlines()
    locked = {**locked_pins(TRAIN_DIR / "requirements.lock.txt"), **locked_pins(lock)}
    for raw in (REPO / "test" / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            name, _, version = line.partition("==")
            assert locked.get(name.lower()) == version, f"test/requirements.txt {line}: the locks say {locked.get(name.lower())}"


def test_a_lock_line_without_a_hash_is_refused(tmp_path):
    unhashed = tmp_path / "requirements.lock.txt"
    unhashed.write_text("mlflow==3.17.2 \\\n    --hash=sha256:" + "0" * 64 + "\npytest==9.2.0\n")
    try:
        locked_pins(unhashed)
    except AssertionError as error:
        assert "no sha256 for pytest" in str(error)
    else:
        raise AssertionError("an unhashed requirement passed")


def test_ci_runs_the_locked_pypi_packages():
    for name, version in locked_pins(TRAIN_DIR / "requirements.lock.txt").items():
        assert metadata.version(name) == version, f"{name} in CI's venv differs from requirements.lock.txt"


def test_ci_runs_the_debian_packages_the_image_installs():
    for name, version in pins("debian-packages.txt", "=").items():
        installed = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name],
                                   capture_output=True, text=True).stdout
        assert installed == version, f"{name}: the image pins {version}, CI has {installed or 'nothing'}"


@pytest.mark.parametrize("module", ["torch", "torchvision"])
def test_torch_is_the_cpu_build_from_debian(module):
    imported = __import__(module)
    assert imported.__file__.startswith("/usr/lib/python3/dist-packages/")
