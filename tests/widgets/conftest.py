import pytest
from django.db import connection


@pytest.fixture
def without_share_constraints(db):
    """Rows stored before the rule that a share may not exceed its whole (within
    standard and rework above delivered), as an older database may hold them. On
    PostgreSQL the check constraints are dropped inside the test's transaction (its
    DDL is transactional: they are back after the test); SQLite is told to ignore
    check constraints until the test ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in ("within_standard", "rework"):
                cursor.execute(
                    "ALTER TABLE widgets_widgetcount DROP CONSTRAINT "
                    f"widgets_widgetcount_{name}_lte_delivered"
                )
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
    yield
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
