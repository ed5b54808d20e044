"""Evaluation = pytest over a tests directory, judged from pytest's JUnit XML report.

The run passes only when pytest exited 0 and the report holds at least one test and no failure
or error; an empty suite is a failure (nothing was shown about the model). A pytest run that
leaves no report (crash, usage error) is not a decision at all but an InfrastructureError.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gourmetgram_train.constants import MODEL_PATH_ENV, SCENARIO_ENV, SEED_ENV
from gourmetgram_train.errors import InfrastructureError

PYTEST_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class CaseResult:
    name: str
    classname: str
    outcome: str  # "passed" | "failed" | "error" | "skipped"
    seconds: float
    message: str = ""
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    exit_code: int
    cases: tuple[CaseResult, ...]

    def count(self, *outcomes: str) -> int:
        return sum(1 for case in self.cases if case.outcome in outcomes)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed", "error")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def all_passed(self) -> bool:
        return self.exit_code == 0 and self.passed > 0 and self.failed == 0

    def numeric_properties(self) -> dict[str, float]:
        """Properties tests recorded with record_property that are numbers, as `<test>.<name>`."""
        found = {}
        for case in self.cases:
            for key, value in case.properties.items():
                try:
                    found[f"{case.name}.{key}"] = float(value)
                except ValueError:
                    continue
        return found

    def to_json(self) -> dict:
        return {
            "exit_code": self.exit_code,
            "all_passed": self.all_passed,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "total": self.total,
            "cases": [asdict(case) for case in self.cases],
        }


def run_pytest(tests_dir: Path, model_file: Path, scenario: str, seed: int, report: Path,
               code_root: Path) -> Evaluation:
    """Run pytest over tests_dir against model_file and read its JUnit report."""
    env = dict(os.environ)
    env.update({MODEL_PATH_ENV: str(model_file), SCENARIO_ENV: scenario, SEED_ENV: str(seed)})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_root), env.get("PYTHONPATH")]))
    command = [
        sys.executable, "-m", "pytest", str(tests_dir),
        f"--junitxml={report}",
        # xunit1 keeps the values tests record with record_property in the report.
        "-o", "junit_family=xunit1",
        "--rootdir", str(tests_dir),
        # No caches or example databases written next to the tests (the image's code is read-only).
        "-p", "no:cacheprovider",
        "-p", "no:hypothesispytest",
        "-v", "--tb=short",
    ]
    report.unlink(missing_ok=True)
    try:
        completed = subprocess.run(command, cwd=code_root, env=env, timeout=PYTEST_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as error:
        raise InfrastructureError(f"pytest did not finish within {PYTEST_TIMEOUT_SECONDS}s") from error
    if not report.is_file():
        raise InfrastructureError(
            f"pytest exited with status {completed.returncode} and wrote no JUnit report to {report}"
        )
    return Evaluation(completed.returncode, tuple(parse_junit_xml(report)))


def parse_junit_xml(path: Path) -> list[CaseResult]:
    root = ElementTree.parse(path).getroot()
    return [_test_case(element) for element in root.iter("testcase")]


def _test_case(element) -> CaseResult:
    outcome, message = "passed", ""
    # A test that failed and then errored in teardown carries both; the error wins.
    for tag in ("skipped", "failure", "error"):
        child = element.find(tag)
        if child is not None:
            outcome = {"failure": "failed"}.get(tag, tag)
            message = child.get("message", "") or (child.text or "").strip()[:500]
    properties = {
        p.get("name", ""): p.get("value", "")
        for p in element.findall("./properties/property")
    }
    return CaseResult(
        name=element.get("name", ""),
        classname=element.get("classname", ""),
        outcome=outcome,
        seconds=float(element.get("time", "0") or 0),
        message=message,
        properties=properties,
    )
