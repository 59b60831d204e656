"""The database settings derived from DATABASE_URL (portal/settings.py)."""

from pathlib import Path

from tests.portal.test_startup import settings_for


def database_options(tmp_path: Path, **env: str) -> dict[str, object]:
    options: dict[str, object] = settings_for(env, tmp_path)["DATABASES"]["default"]["OPTIONS"]
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
