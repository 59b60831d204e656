"""Start-up as an operator meets it: real processes with a given environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "q8Jv2-Lw9zR!tY4mN0pXc7Hs5Ke3Ub6Ga1Df8Qz2Wn4Vr7Tj9Ly",
    "ALLOWED_HOSTS": "privacy.example.com",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_HOST": "smtp.example.com",
    "PORTAL_URL": "https://privacy.example.com",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Only PATH and a private data folder from the outside: what a fresh
    # machine with exactly these variables would see.
    clean_env = {"PATH": os.environ["PATH"], "PORTAL_DATA_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


def test_with_no_environment_the_portal_uses_sqlite_and_the_folder_broker(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        env={},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost/"]
    assert (tmp_path / "var" / "celery" / "queue").is_dir()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("CELERY_BROKER_URL", "amqp://elsewhere"),
        ("DEBUG", "perhaps"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("SECRET_KEY", ""),
        ("CACHE_URL", "dummy://"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_the_variable(tmp_path, variable, value):
    result = run_manage("check", env={variable: value}, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0] and lines[0].startswith("portal: configuration error:")


def test_production_refuses_an_empty_broker_url(tmp_path):
    result = run_manage("check", env={**PRODUCTION_ENV, "CELERY_BROKER_URL": ""}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "CELERY_BROKER_URL" in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key(tmp_path):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-development-only-key-never-use-in-production"}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checks_at_warning_level(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_migrations_match_the_models(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_celery_worker_with_a_bad_value_stops_with_one_line(tmp_path):
    clean_env = {"PATH": os.environ["PATH"], "PORTAL_DATA_DIR": str(tmp_path), "DATABASE_URL": "nonsense"}
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "portal", "inspect", "ping", "--timeout", "1"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "portal: configuration error: DATABASE_URL" in result.stderr


def test_production_refuses_a_key_of_few_distinct_characters(tmp_path):
    result = run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "ab" * 30}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"CACHE_URL": "file:///tmp/cache"}, "CACHE_URL"),
        ({"STAFF_REQUIRE_MFA": "false"}, "STAFF_REQUIRE_MFA"),
        ({"EMAIL_USE_SSL": "true", "EMAIL_USE_TLS": "true"}, "EMAIL_USE_SSL"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"PORTAL_URL": "http://privacy.example.com"}, "PORTAL_URL"),
    ],
)
def test_production_refuses_unsafe_combinations(tmp_path, overrides, variable):
    result = run_manage("check", env={**PRODUCTION_ENV, **overrides}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert variable in result.stderr


def test_by_default_rate_limits_live_in_a_cache_shared_by_the_machines_processes(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])",
        env={},
        tmp_path=tmp_path,
    )
    assert result.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_folder_broker_keeps_all_its_files_in_the_data_folder(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(*sorted(v for v in s.CELERY_BROKER_TRANSPORT_OPTIONS.values() if isinstance(v, str)))",
        env={},
        tmp_path=tmp_path,
    )
    folders = result.stdout.split()
    assert len(folders) == 4, result.stderr  # in, out, processed, control
    for folder in folders:
        assert folder.startswith(str(tmp_path / "var")), folder
