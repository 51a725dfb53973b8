from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"

    def ready(self):
        from . import middleware, signals  # noqa: F401  (connect the sign-in receivers)
        from .tables import remember_signatures

        remember_signatures()

        post_migrate.connect(_install_version_triggers, sender=self)


def _install_version_triggers(using, **kwargs):
    """(Re)create the data version triggers after every migrate and flush.

    After, not in, a migration: SQLite drops a table's triggers whenever Django
    rebuilds the table to alter it, and the list of tables is the one in
    `agencies.versions.TABLES` today, not a copy frozen in a migration.
    """
    from django.db import connections

    from . import versions

    with connections[using].schema_editor() as schema_editor:
        versions.install(schema_editor)
