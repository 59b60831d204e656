"""Typed readers for the environment.

Every setting that can change between machines is read here, through one of
these helpers, so that a bad value stops start-up with a message naming the
variable instead of surfacing later as a confusing failure.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from dj_database_url import DBConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EnvError(ImproperlyConfigured):
    """A variable in the environment has a value the portal cannot use."""


def _raw(name: str) -> str | None:
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or (required and value.strip() == ""):
        if required:
            raise EnvError(f"{name} must be set")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    # An empty value (a blank line in a compose file or a template) means
    # "not set", never "off": a blank must not silently disable a safeguard.
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name} must be at least {minimum}, got {number}")
    return number


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise EnvError(f"{name} must be a number, got {value!r}") from None
    if not minimum <= number <= maximum:  # also refuses nan
        raise EnvError(f"{name} must be between {minimum} and {maximum}, got {value!r}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise EnvError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE.

    The *_FILE form lets orchestrators (Docker/Kubernetes secrets, systemd
    credentials) hand secrets over without putting them in the environment.
    """
    file_name = _raw(f"{name}_FILE")
    if file_name:
        if _raw(name):
            raise EnvError(f"set either {name} or {name}_FILE, not both")
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from None
    return env_str(name, default)


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    value = env_str(name, default).strip()
    if not value:
        raise EnvError(f"{name} must not be empty")
    scheme = urlsplit(value).scheme
    if scheme not in schemes or "://" not in value:
        raise EnvError(f"{name} must be a URL starting with one of {', '.join(s + '://' for s in schemes)}")
    return value


def env_database(name: str, default: str) -> DBConfig:
    """Parse a database URL (postgres:// or sqlite://) into Django's form."""
    value = env_url(name, default, schemes=("postgres", "postgresql", "pgsql", "sqlite"))
    try:
        config = dj_database_url.parse(value, conn_max_age=60)
    except Exception as exc:  # dj_database_url raises several types for bad URLs
        raise EnvError(f"{name} is not a valid database URL: {exc}") from None
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise EnvError(f"{name} must name a database (postgres://user@host:port/NAME)")
    return config


def exit_on_bad_environment() -> None:
    """Load the settings now; on a bad variable, print one line and exit.

    Entry points (manage.py, WSGI/ASGI, the Celery app) call this so that an
    operator sees `portal: DATABASE_URL is not a valid ...` instead of a
    traceback from deep inside Django.
    """
    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
    except EnvError as exc:
        sys.stderr.write(f"portal: configuration error: {exc}\n")
        sys.exit(2)
