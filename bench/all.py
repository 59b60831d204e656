"""Every benchmark, on SQLite and on the production engines, in one table (`make bench`).

Runs each script in bench/ as a subprocess, one after the other (they time
things: never two at once), first on SQLite with the in-process job (the
development defaults), then on a private PostgreSQL with a private Redis as
broker or cache and, where a worker runs the job, a real Celery worker. Each
script's own report is shown as it runs; its `RESULT {...}` lines (see
bench/results.py) are collected, and at the end one table is printed:

    bench, engine, measured, floor, ratio, target, PASS/MISS

    .venv/bin/python bench/all.py [--full] [--only export,erasure] [--engines sqlite,postgres]
    make bench BENCH_ARGS=--full

By default the sizes are cut so the whole run takes about 10-15 minutes on two
cores (each figure is still measured beside its floor in the same run, so the
ratio holds; a memory-growth target compares two smaller sizes). `--full` runs
every script at its own documented sizes: the dashboard at 1,000,000 customers,
the export and erasure at 100,000 messages, the audit at 1,000,000 decisions —
that takes an hour or more.

bench/load.py (customers' pages under locust load) runs on PostgreSQL and Redis
only, when the file is there; its figures are read from its report's table.
Exit status: 1 when a script failed to run (its row says FAILED), else 0;
a MISS is a finding, not a failure of the run.
"""

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


@dataclass
class Bench:
    name: str
    kind: str  # "worker": takes --broker; "cache": takes --cache; "database": --database only
    quick: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)
    engines: tuple[str, ...] = ("sqlite", "postgres")


BENCHES = [
    # Its own length (8 s: three rounds of floor, warm and cold): in 4 s the rounds were so short
    # that one busy second moved a ratio by ten points.
    Bench("permissions", "cache", quick=["--seconds", "8"]),
    Bench("dashboard", "database", quick=["--customers", "100000", "--small", "10000"]),
    Bench("staff_lists", "database", quick=["--requests", "100000"]),
    Bench("inventory", "database", quick=["--repeat", "5"]),
    Bench("export", "worker", quick=["--messages", "20000", "--small", "2000"]),
    Bench("erasure", "worker", quick=["--messages", "20000", "--repeat", "1"]),
    Bench("fairness_audit", "worker", quick=["--decisions", "100000", "--small", "10000", "--repeat", "1"]),
    # PostgreSQL and Redis only, by design (it loads the production layout).
    # 45 s with a 3 s pause: time for each customer to walk every page (and the floor between them).
    Bench("load", "none", quick=["--seconds", "45", "--users", "20", "--think", "3"], engines=("postgres",)),
]


def command(bench: Bench, engine: str, full: bool) -> list[str]:
    """On PostgreSQL, Redis too: as the broker, with a real worker ("worker"), or as the cache ("cache")."""
    production = engine == "postgres"
    engine_args = {
        "worker": ["--database", engine, "--broker", "redis" if production else "memory"],
        "cache": ["--database", engine, "--cache", "redis" if production else "file"],
        "database": ["--database", engine],
        "none": [],
    }[bench.kind]
    return [sys.executable, str(BENCH / f"{bench.name}.py"), *(bench.full if full else bench.quick), *engine_args]


# bench/load.py's report: "  <page>  req/s p50 p95 p99 errors  p95 = 2.1x the floor's  PASS".
LOAD_ROW = re.compile(
    r"^\s+(?P<name>\S.*?)\s+(?P<rps>[\d.]+)\s+(?P<p50>\d+)\s+(?P<p95>\d+)\s+(?P<p99>\d+)\s+(?P<errors>\d+)\s"
)
LOAD_TARGET = re.compile(r"p95 = [\d.]+x the floor's\s+(PASS|MISS)")
LOAD_MISSING = re.compile(r"^\s+(?P<name>\S.*?)\s+not requested\s+MISS")
LOAD_ERRORS = re.compile(r"^\s+errors: (\d+) \(target: 0\)\s+(PASS|MISS)")


def results_of_load(lines: list[str]) -> list[dict]:
    """bench/load.py prints no RESULT line (yet): read its table, each page's p95 beside the floor's."""
    rows, floor = [], None
    for line in lines:
        if errors := LOAD_ERRORS.match(line):
            rows.append(
                {
                    "figure": "errors",
                    "measured": int(errors[1]),
                    "floor": None,
                    "unit": "",
                    "ratio": None,
                    "target": "0",
                    "ok": errors[2] == "PASS",
                }
            )
            continue
        if missing := LOAD_MISSING.match(line):
            rows.append(
                {
                    "figure": f"{missing['name']} p95 (not requested)",
                    "measured": None,
                    "floor": floor,
                    "unit": "ms",
                    "ratio": None,
                    "target": "<= 5x",
                    "ok": False,
                }
            )
            continue
        row = LOAD_ROW.match(line)
        if row is None:
            continue
        if row["name"].startswith("floor"):
            floor = int(row["p95"])
            continue
        verdict = LOAD_TARGET.search(line)
        if verdict is None:
            continue
        p95 = int(row["p95"])
        rows.append(
            {
                "figure": f"{row['name']} p95 ({float(row['rps']):.1f} req/s)",
                "measured": p95,
                "floor": floor,
                "unit": "ms",
                "ratio": p95 / floor if floor else None,
                "target": "<= 5x",
                "ok": verdict[1] == "PASS",
            }
        )
    return rows


def run(bench: Bench, engine: str, full: bool) -> tuple[list[dict], float, bool]:
    argv = command(bench, engine, full)
    print(f"\n=== {bench.name} on {engine}: {' '.join(Path(a).name if a.endswith('.py') else a for a in argv[1:])}")
    started = time.monotonic()
    lines, results = [], []
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("RESULT "):
                results.append(json.loads(line.removeprefix("RESULT ")))
                continue
            lines.append(line)
            print(line, end="", flush=True)
    seconds = time.monotonic() - started
    if bench.name == "load" and not results:
        results = results_of_load(lines)
    ok = process.returncode == 0 and bool(results)
    for result in results:
        result.setdefault("engine", engine)
        result["bench"] = bench.name
    return results, seconds, ok


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit in ("req/s", "ms", "MB"):
        return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
    return f"{value:g} {unit}".strip()


def table(rows: list[dict], failed: list[tuple[str, str, float]], timings: list[tuple[str, str, float]]) -> None:
    header = ["bench", "engine", "measured", "floor", "ratio", "target", "result"]
    body = [
        [
            f"{row['bench']}: {row['figure']}",
            row["engine"],
            number(row["measured"], row["unit"]),
            number(row["floor"], row["unit"]),
            "-"
            if row["ratio"] is None
            else (f"{row['ratio']:.0%}" if row["unit"] == "req/s" else f"{row['ratio']:.2f}x"),
            row["target"],
            "PASS" if row["ok"] else "MISS",
        ]
        for row in rows
    ]
    body += [[name, engine, "-", "-", "-", "-", "FAILED"] for name, engine, _ in failed]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *body, strict=False)]
    aligns = ["<", "<", ">", ">", ">", "<", "<"]

    def show(cells: list[str]) -> str:
        return "  ".join(
            f"{cell:{align}{width}}" for cell, align, width in zip(cells, aligns, widths, strict=True)
        ).rstrip()

    print("\n" + show(header))
    print("  ".join("-" * width for width in widths))
    for cells in body:
        print(show(cells))
    passed = sum(row["ok"] for row in rows)
    total_seconds = sum(seconds for *_, seconds in timings)
    print(
        f"\n{passed} PASS, {len(rows) - passed} MISS, {len(failed)} FAILED; "
        f"{total_seconds / 60:.1f} min ("
        + ", ".join(f"{name}/{engine} {seconds:.0f}s" for name, engine, seconds in timings)
        + ")"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="every script at its own (production-scale) sizes")
    parser.add_argument("--only", default="", help="comma-separated script names, e.g. export,erasure")
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    engines = [engine for engine in args.engines.split(",") if engine]
    unknown = only - {bench.name for bench in BENCHES} | set(engines) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    rows, failed, timings = [], [], []
    for engine in engines:
        for bench in BENCHES:
            if (only and bench.name not in only) or engine not in bench.engines:
                continue
            if not (BENCH / f"{bench.name}.py").exists():
                print(f"\n=== {bench.name}: bench/{bench.name}.py is not there; skipped")
                continue
            results, seconds, ok = run(bench, engine, args.full)
            rows += results
            timings.append((bench.name, engine, seconds))
            if not ok:
                failed.append((bench.name, engine, seconds))
    table(rows, failed, timings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
