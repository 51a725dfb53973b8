from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WidgetsConfig(AppConfig):
    name = "widgets"

    def ready(self):
        from customers import services as customer_services

        from . import signals  # noqa: F401  (connects the receivers)
        from .catalogue.services import customers_changed

        if customers_changed not in customer_services.RELINKED:
            customer_services.RELINKED.append(customers_changed)
        post_migrate.connect(_install_rollup_triggers, sender=self)


def _install_rollup_triggers(using, **kwargs):
    """(Re)create the roll-up triggers after every migrate and flush, and make the
    roll-ups when there are counts and none yet (the first migrate that has them), or
    some lack what a later migration added (balance_gaps).

    After, not in, a migration, as the data version triggers (agencies.apps): SQLite
    drops a table's triggers when Django rebuilds it, and the columns summed are
    widgets.measures' today.
    """
    from django.db import connections

    from . import rollups
    from .models import CountRollup, WidgetCount

    with connections[using].schema_editor() as schema_editor:
        if not rollups.install(schema_editor):
            return
    counts, made = WidgetCount.objects.using(using), CountRollup.objects.using(using)
    # No roll-ups yet, or some from before their balance gaps were kept (blank).
    if counts.exists() and (not made.exists() or made.filter(balance_gaps=None).exists()):
        rollups.rebuild()
