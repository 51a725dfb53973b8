from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self):
        from . import middleware, signals  # noqa: F401  (connect the sign-in receivers)
