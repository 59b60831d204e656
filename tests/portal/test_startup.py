"""Start-up as an operator meets it: real processes with a given environment.

What settings a given environment makes, and nothing about starting, is read in this process
(settings_for), which costs milliseconds instead of a new Django's seconds.
"""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils.module_loading import import_string

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
    "MFA_ENCRYPTION_KEY": "sI1bm0kN0cQ8J2vYV6m5wq3o3b7Qd2kGm1x9u2h6Z0E=",
    "AUDIT_KEY": "Zt7-pQ2wLx9!Rk4vNc8Hs1Ju6Gy3Fb5Dm0Ea",
    "METRICS_TOKEN": "Vh3-kP9wQx2!Lm7rNc4Ts8Jy1Bf6Dg0Za",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Only PATH and a private data folder from the outside: what a fresh
    # machine with exactly these variables would see.
    clean_env = {"PATH": os.environ["PATH"], "PORTAL_DATA_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


def settings_for(env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """The settings portal/settings.py makes of exactly this environment, as run_manage would give it.

    Run in this process: the settings read the environment as they are executed, so the module is
    executed afresh (runpy, never imported: this test run's own settings stay as they are) with the
    environment emptied but for these variables, then restored. Milliseconds, where a new process
    spends seconds starting Django; run_manage remains for what only a real process shows (that
    manage.py starts, its exit code and its one line on a bad value).
    """
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({"PATH": saved["PATH"], "PORTAL_DATA_DIR": str(tmp_path / "var"), **env})
    try:
        return runpy.run_path(str(ROOT / "portal" / "settings.py"), run_name="portal_settings_under_test")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_settings_for_sees_only_the_environment_it_is_given(tmp_path, monkeypatch):
    # The run's own environment (a test DATABASE_URL, CACHE_URL=locmem://) must not leak in, nor stay changed.
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere@db.example:5432/other")
    monkeypatch.setenv("CACHE_URL", "locmem://")
    s = settings_for({"PORTAL_NAME": "Probe"}, tmp_path)
    assert (s["PORTAL_NAME"], s["DATABASES"]["default"]["ENGINE"]) == ("Probe", "django.db.backends.sqlite3")
    assert s["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert s["DATA_DIR"] == (tmp_path / "var").resolve()
    assert os.environ["DATABASE_URL"] == "postgres://elsewhere@db.example:5432/other"
    assert "PORTAL_NAME" not in os.environ


# Everything the tests of a machine with no environment at all read from the settings, read by one
# real manage.py (a fresh machine's start-up is what they are about), shared by those tests.
NO_ENVIRONMENT_READS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'engine': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL, "
    "'audit_key_length': len(s.PORTAL_AUDIT_KEY), 'audit_key_is_its_own': s.PORTAL_AUDIT_KEY != s.SECRET_KEY, "
    "'checkpoints': s.STORAGES['audit_checkpoints']['OPTIONS']['location'], "
    "'cache': s.CACHES['default']['BACKEND'], "
    "'broker_folders': sorted(v for v in s.CELERY_BROKER_TRANSPORT_OPTIONS.values() if isinstance(v, str))}))"
)


@pytest.fixture(scope="module")
def no_environment(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    """The data folder's parent and what manage.py, started with no environment, says of its settings."""
    tmp_path = tmp_path_factory.mktemp("no-environment")
    result = run_manage("shell", "--no-imports", "-c", NO_ENVIRONMENT_READS, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path, json.loads(result.stdout)


def test_with_no_environment_the_portal_uses_sqlite_and_the_folder_broker(no_environment):
    tmp_path, seen = no_environment
    assert [seen["engine"], seen["broker"]] == ["django.db.backends.sqlite3", "filesystem://localhost/"]
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


@pytest.mark.parametrize(
    "audit_key",
    [None, "too-short-a-key", PRODUCTION_ENV["SECRET_KEY"]],
    ids=["missing", "short", "the-secret-key"],
)
def test_production_refuses_to_start_without_an_audit_key_of_its_own(tmp_path, audit_key):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "AUDIT_KEY"}
    if audit_key is not None:
        env["AUDIT_KEY"] = audit_key
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portal: configuration error: AUDIT_KEY"), result.stderr


def test_production_reads_the_audit_key_from_a_file(tmp_path):
    key_file = tmp_path / "audit-key"
    key_file.write_text(PRODUCTION_ENV["AUDIT_KEY"] + "\n")
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "AUDIT_KEY"}
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.PORTAL_AUDIT_KEY)",
        env={**env, "AUDIT_KEY_FILE": str(key_file)},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == PRODUCTION_ENV["AUDIT_KEY"]


def test_development_derives_an_audit_key_and_keeps_checkpoints_in_the_data_folder(no_environment):
    tmp_path, seen = no_environment
    assert [seen["audit_key_length"], seen["audit_key_is_its_own"], seen["checkpoints"]] == [
        64,
        True,
        str(tmp_path / "var" / "audit-checkpoints"),
    ]


def test_audit_checkpoints_can_go_to_a_bucket_that_is_never_overwritten(tmp_path):
    env = {"AUDIT_CHECKPOINTS_S3_BUCKET": "portal-audit", "AUDIT_CHECKPOINTS_S3_REGION": "eu-west-1"}
    checkpoints = settings_for(env, tmp_path)["STORAGES"]["audit_checkpoints"]
    options = checkpoints["OPTIONS"]
    assert [checkpoints["BACKEND"], options["bucket_name"], options["file_overwrite"]] == [
        "storages.backends.s3.S3Storage",
        "portal-audit",
        False,
    ]
    # The backend takes these options as they are (no bucket is reached until something is written).
    storage = import_string(checkpoints["BACKEND"])(**options)
    assert (storage.bucket_name, storage.region_name, storage.file_overwrite) == ("portal-audit", "eu-west-1", False)


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


def test_by_default_rate_limits_live_in_a_cache_shared_by_the_machines_processes(no_environment):
    _, seen = no_environment
    assert seen["cache"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_folder_broker_keeps_all_its_files_in_the_data_folder(no_environment):
    tmp_path, seen = no_environment
    folders = seen["broker_folders"]
    assert len(folders) == 4, folders  # in, out, processed, control
    for folder in folders:
        assert folder.startswith(str(tmp_path / "var")), folder


def test_production_refuses_a_wildcard_host(tmp_path):
    # Links in e-mails and the Host header checks both rely on a real list.
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "privacy.example.com,*"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "0"),
        ({"TRUST_X_FORWARDED_PROTO": "true"}, "1"),
        ({"TRUST_X_FORWARDED_PROTO": "true", "TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_the_proxy_switch_also_makes_sign_in_limits_count_the_real_client_address(tmp_path, env, expected):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from allauth import app_settings as a; print(a.TRUSTED_PROXY_COUNT)",
        env=env,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def _other_settings(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "other_settings.py").write_text("from portal.settings import *  # noqa\nPORTAL_NAME = 'Other portal'\n")
    return {"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_manage_py_honours_another_settings_module(tmp_path, how):
    env = _other_settings(tmp_path)
    args = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.PORTAL_NAME)"]
    if how == "flag":
        args.append("--settings=other_settings")
    else:
        env["DJANGO_SETTINGS_MODULE"] = "other_settings"
    result = run_manage(*args, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Other portal"


def test_a_bad_value_under_another_settings_module_still_stops_with_one_line(tmp_path):
    env = {**_other_settings(tmp_path), "DEBUG": "perhaps"}
    result = run_manage("check", "--settings=other_settings", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize("value", ["", "not-a-fernet-key"])
def test_production_refuses_to_start_without_a_real_mfa_encryption_key(tmp_path, value):
    result = run_manage("check", env={**PRODUCTION_ENV, "MFA_ENCRYPTION_KEY": value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "MFA_ENCRYPTION_KEY" in result.stderr
