from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self):
        from . import middleware  # noqa: F401  (connects the sign-in receiver)
