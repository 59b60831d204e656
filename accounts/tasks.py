from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task
def clear_expired_sessions() -> None:
    """Drop expired sessions: they hold nothing a signed-out customer needs."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
