"""The database settings derived from DATABASE_URL (portal/settings.py)."""

import json
import subprocess
import sys
from pathlib import Path


def database_options(tmp_path: Path, **env: str) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DATA_DIR": str(tmp_path), "PATH": "/usr/bin", **env},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    options: dict[str, object] = json.loads(out.stdout)
    return options


def test_postgresql_prepares_server_bound_queries_after_five_runs_by_default(tmp_path):
    options = database_options(tmp_path, DATABASE_URL="postgres://portal@db.example:5432/portal")
    assert options == {"prepare_threshold": 5}


def test_a_threshold_of_zero_turns_preparing_off_for_a_pooler(tmp_path):
    options = database_options(
        tmp_path, DATABASE_URL="postgres://portal@db.example:5432/portal", DATABASE_PREPARE_THRESHOLD="0"
    )
    assert options == {"prepare_threshold": None}


def test_sqlite_has_no_prepare_threshold(tmp_path):
    assert "prepare_threshold" not in database_options(tmp_path)
