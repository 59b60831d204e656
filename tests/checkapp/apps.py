from django.apps import AppConfig


class CheckappConfig(AppConfig):
    name = "tests.checkapp"
    label = "checkapp"
