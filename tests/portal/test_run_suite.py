"""`make test`'s runner: whatever part fails, the end of its output says which, and the exit status says so."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A stand-in interpreter: it answers each part of the suite by its marker
# selection, failing the parts named in $FAIL_PARTS as pytest would.
STAND_IN = r"""#!/bin/sh
case "$*" in
  *"not e2e and not integration"*) part=unit ;;
  *"e2e and not integration"*) part=e2e ;;
  *"-m integration"*) part=integration ;;
  *test_audit_trail*) part=audit ;;
  *) part=other ;;
esac
case " $FAIL_PARTS " in
  *" $part "*) echo "FAILED tests/$part/test_thing.py::test_it_breaks - assert 1 == 2"; echo "1 failed"; exit 1 ;;
esac
echo "3 passed ($part)"
echo "args ($part): $*"
"""


def run_suite(tmp_path: Path, fail_parts: str) -> subprocess.CompletedProcess[str]:
    python = tmp_path / "python"
    python.write_text(STAND_IN)
    python.chmod(0o755)
    env = os.environ | {"FAIL_PARTS": fail_parts, "LINT": "true"}
    return subprocess.run(
        ["bash", "tests/run_suite.sh", str(python), "2", "--durations=5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def summary_of(output: str) -> str:
    return output[output.index("=== make test: summary") :]


def test_a_failed_unit_test_is_named_in_the_summary_and_the_browser_tests_are_not_run(tmp_path):
    result = run_suite(tmp_path, fail_parts="unit")
    summary = summary_of(result.stdout)
    assert result.returncode == 1
    assert "unit: exit 1" in summary
    assert "e2e: not run" in summary
    assert "integration: exit 0" in summary and "audit: exit 0" in summary
    assert "FAILED tests/unit/test_thing.py::test_it_breaks" in summary


def test_a_failed_worker_test_fails_the_run_even_when_every_other_part_passes(tmp_path):
    result = run_suite(tmp_path, fail_parts="integration")
    summary = summary_of(result.stdout)
    assert result.returncode == 1
    assert "integration: exit 1" in summary
    assert "unit: exit 0" in summary and "e2e: exit 0" in summary
    assert "FAILED tests/integration/test_thing.py::test_it_breaks" in summary
    # The worker tests' own output is shown too, after the others'.
    assert result.stdout.index("3 passed (e2e)") < result.stdout.index("FAILED tests/integration/")


def test_a_run_where_every_part_passes_exits_0_and_names_no_failure(tmp_path):
    result = run_suite(tmp_path, fail_parts="")
    summary = summary_of(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    for part in ("lint", "unit", "e2e", "integration", "audit"):
        assert f"{part}: exit 0" in summary
    assert "Failed" not in summary
    # Each unit test file on one worker: a module's expensive fixture (the seeded demo) is built once.
    unit_args = next(line for line in result.stdout.splitlines() if line.startswith("args (unit):"))
    assert "--dist loadfile" in unit_args and "-n 2" in unit_args
