from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data, at the top of the layering: it may use every app."""

    name = "demo"
    verbose_name = "Demo data"
