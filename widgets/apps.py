from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "widgets"

    def ready(self):
        from customers import services as customer_services

        from . import signals  # noqa: F401  (connects the receivers)
        from .catalogue.services import customers_changed

        if customers_changed not in customer_services.RELINKED:
            customer_services.RELINKED.append(customers_changed)
