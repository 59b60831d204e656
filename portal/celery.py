"""The Celery app: configured from Django settings (CELERY_* names)."""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task IDs in the logs and task timings in the metrics, for every task.
from portal import task_signals  # noqa: E402, F401 - connects the signal receivers


@app.on_configure.connect
def _stop_on_bad_environment(sender: Celery, **kwargs: Any) -> None:
    # Runs when the worker or beat first reads its configuration: a bad
    # variable stops it with one line naming the variable, like manage.py.
    from portal.env import exit_on_bad_environment

    exit_on_bad_environment()
