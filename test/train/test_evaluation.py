"""Reading pytest's JUnit report, and when an evaluation counts as passed."""

import textwrap

import pytest

from gourmetgram_train.errors import InfrastructureError
from gourmetgram_train.evaluation import Evaluation, CaseResult, parse_junit_xml, run_pytest

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
  <testcase classname="tests.test_a" name="test_ok" time="0.5">
    <properties><property name="accuracy" value="0.85"/><property name="note" value="fine"/></properties>
  </testcase>
  <testcase classname="tests.test_a" name="test_low" time="0.1">
    <failure message="AssertionError: accuracy 0.75 is below">trace</failure>
  </testcase>
  <testcase classname="tests.test_a" name="test_teardown" time="0.1">
    <failure message="first">x</failure><error message="teardown broke">y</error>
  </testcase>
  <testcase classname="tests.test_a" name="test_later" time="0">
    <skipped type="pytest.skip" message="not today"/>
  </testcase>
  <testcase classname="" name="tests.test_b" time="0"><error message="collection failure"/></testcase>
</testsuite></testsuites>
"""


def test_each_outcome_is_read_from_the_report(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(REPORT)
    cases = parse_junit_xml(report)
    assert [(c.name, c.outcome) for c in cases] == [
        ("test_ok", "passed"), ("test_low", "failed"), ("test_teardown", "error"),
        ("test_later", "skipped"), ("tests.test_b", "error")]
    assert cases[0].properties == {"accuracy": "0.85", "note": "fine"}
    assert cases[1].message == "AssertionError: accuracy 0.75 is below"
    evaluation = Evaluation(1, tuple(cases))
    assert (evaluation.passed, evaluation.failed, evaluation.skipped, evaluation.total) == (1, 3, 1, 5)
    assert evaluation.numeric_properties() == {"test_ok.accuracy": 0.85}
    assert not evaluation.all_passed


def case(outcome: str) -> CaseResult:
    return CaseResult(name="t", classname="c", outcome=outcome, seconds=0.0)


@pytest.mark.parametrize(("exit_code", "outcomes", "passed"), [
    (0, ["passed", "passed"], True),
    (0, ["passed", "skipped"], True),
    (0, [], False),                      # nothing was shown about the model
    (0, ["skipped"], False),
    (1, ["passed", "failed"], False),
    (1, ["passed"], False),              # a non-zero exit is never a pass, whatever the report says
    (0, ["passed", "error"], False),
])
def test_only_a_clean_non_empty_run_passes(exit_code, outcomes, passed):
    assert Evaluation(exit_code, tuple(case(o) for o in outcomes)).all_passed is passed


def test_an_empty_tests_directory_is_a_failed_evaluation(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    model = tmp_path / "food11.pth"
    model.write_bytes(b"")
    evaluation = run_pytest(tests, model, "normal", 1, tmp_path / "junit.xml", tmp_path)
    assert evaluation.exit_code == 5
    assert evaluation.total == 0
    assert not evaluation.all_passed


def test_a_pytest_run_without_a_report_is_an_infrastructure_error(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    # A conftest that cannot be imported stops pytest before it writes any report.
    (tests / "conftest.py").write_text("import a_module_that_does_not_exist\n")
    (tests / "test_x.py").write_text("def test_x():\n    pass\n")
    with pytest.raises(InfrastructureError, match="wrote no JUnit report"):
        run_pytest(tests, tmp_path / "food11.pth", "normal", 1, tmp_path / "junit.xml", tmp_path)


def test_the_model_path_scenario_and_seed_reach_the_tests(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_env.py").write_text(textwrap.dedent("""
        import os
        def test_env(record_property):
            record_property("seed", os.environ["GOURMETGRAM_SEED"])
            assert os.environ["GOURMETGRAM_MODEL_PATH"].endswith("food11.pth")
            assert os.environ["GOURMETGRAM_SCENARIO"] == "oversized"
    """))
    evaluation = run_pytest(tests, tmp_path / "food11.pth", "oversized", 77, tmp_path / "junit.xml", tmp_path)
    assert evaluation.all_passed
    assert evaluation.numeric_properties() == {"test_env.seed": 77.0}
