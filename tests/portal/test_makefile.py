"""`make run` as a person starts it: the links it e-mails point where it serves."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def portal_url_seen_by_make_run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    # A stand-in interpreter: it records the PORTAL_URL `make run` gives its first
    # command (migrate) and fails, so nothing else is started.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    seen = tmp_path / "seen"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nprintf %s "$PORTAL_URL" > {seen}\nexit 1\n')
    python.chmod(0o755)
    for marker in (".python-ok", ".installed-run"):
        (venv / marker).touch()
    environment = {key: value for key, value in os.environ.items() if key != "PORTAL_URL"} | (env or {})
    subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        check=False,
    )
    return seen.read_text()


def test_make_run_on_another_port_links_e_mails_to_that_port(tmp_path):
    assert portal_url_seen_by_make_run(tmp_path, "PORT=8102") == "http://localhost:8102"


def test_make_run_keeps_a_portal_url_set_in_the_environment(tmp_path):
    seen = portal_url_seen_by_make_run(tmp_path, "PORT=8102", env={"PORTAL_URL": "https://privacy.example.com"})
    assert seen == "https://privacy.example.com"
