"""Environment for the test run, set before Django loads its settings.

Loaded as a pytest plugin (`-p tests.environment` in pytest.ini), because
pytest-django reads the settings before any conftest.py is imported.
"""

import os
import re
import tempfile

# Files the portal writes (SQLite, mail, archives, the folder broker) go to a
# throw-away folder, never into the developer's ./var.
data_dir = os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-tests-"))
# Each pytest-xdist worker has its own test database, so also its own files:
# two workers' "export #1" must not share an archive path.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PORTAL_DATA_DIR"] = os.path.join(data_dir, worker)
    os.makedirs(os.environ["PORTAL_DATA_DIR"], exist_ok=True)
    # And its own Redis database: a real worker started by one pytest worker
    # must never take a job queued by the other (their test databases differ).
    for name in ("TEST_REDIS_URL", "CELERY_BROKER_URL"):
        if (url := os.environ.get(name, "")).startswith("redis://"):
            os.environ[name] = re.sub(r"/\d*$", "", url) + f"/{int(worker.removeprefix('gw')) + 1}"
# A real cache (not DummyCache), private to the test process.
os.environ.setdefault("CACHE_URL", "locmem://")
# Browser tests sign in with the next period's code right after activating
# TOTP with the current one; allauth refuses to accept one code twice.
os.environ.setdefault("MFA_TOTP_TOLERANCE", "1")
# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety guard would otherwise refuse the ORM calls made beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.pop("PORTAL_ENV", None)
