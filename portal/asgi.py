import os

from django.core.asgi import get_asgi_application

from portal.env import exit_on_bad_environment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
exit_on_bad_environment()
application = get_asgi_application()
