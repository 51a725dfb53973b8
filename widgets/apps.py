from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "widgets"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
