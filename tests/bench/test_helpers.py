"""The benchmarks' shared helpers load as the scripts load them: with only bench/ on the path."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
HELPERS = [*sorted(path.stem for path in BENCH.glob("private_*.py")), "results"]


def test_every_helper_imports_from_any_folder_with_only_bench_on_the_path(tmp_path):
    # The scripts put bench/ on sys.path, some nothing else: a helper that needs the
    # portal's own modules must find them itself (permissions.py and load.py broke once).
    code = f"import sys; sys.path[:0] = [{str(BENCH)!r}]; " + "; ".join(f"import {name}" for name in HELPERS)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "private_redis" in HELPERS and "private_postgres" in HELPERS
