from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        # The home page (widgets) lists the outcome kinds of the attention list
        # through the provider this registers (widgets.attention).
        from . import attention  # noqa: F401

        # Every agency, program and team gets its huddle board when it is made.
        from .huddles import boards

        boards.connect()
