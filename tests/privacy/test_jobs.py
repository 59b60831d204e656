"""Services publish tasks by name: every name must be a registered task, and a broker outage loses nothing."""

import pytest
from celery import current_app

from fairness.services.audits import RUN_FAIRNESS_AUDIT
from privacy.jobs import Job, publish


@pytest.mark.parametrize("name", [*Job, RUN_FAIRNESS_AUDIT])
def test_every_job_a_service_publishes_is_a_registered_task(name, monkeypatch):
    published: list[int] = []
    current_app.loader.import_default_modules()
    monkeypatch.setattr(current_app.tasks[name], "delay", published.append)
    publish(name, 7)
    assert published == [7]


def test_a_web_process_that_never_imported_the_tasks_still_publishes_them(tmp_path):
    """Celery discovers tasks lazily; the web side must not depend on someone having imported them."""
    import subprocess
    import sys

    from tests.workers import ROOT

    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from privacy.jobs import Job, publish\n"
        "assert Job.BUILD_EXPORT not in current_app.tasks\n"
        "current_app.conf.task_always_eager = True\n"
        "publish(Job.SEND_EMAIL, 0)\n"  # an e-mail row that does not exist: the task finds nothing to do
        "print('published')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CACHE_URL": "locmem://",
        "LOG_LEVEL": "warning",
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "published" in out.stdout


def test_an_unknown_task_name_is_an_error_not_a_silent_miss(db):
    with pytest.raises(KeyError):
        publish("privacy.tasks.no_such_task", 1)


def test_a_broker_outage_is_logged_and_leaves_the_row_to_the_sweeper(monkeypatch, caplog):
    task = current_app.tasks[Job.BUILD_EXPORT]

    def unreachable(*args):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(task, "delay", unreachable)
    publish(Job.BUILD_EXPORT, 42)
    assert "could not publish privacy.tasks.build_export for id=42 (ConnectionRefusedError)" in caplog.text
