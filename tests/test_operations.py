"""make backup / make restore-check on PostgreSQL: a backup restores to the same rows."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from . import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL"),
]


def test_backup_restores_to_identical_row_counts_and_a_difference_is_caught(tmp_path):
    f.WidgetCountFactory()
    dump = tmp_path / "widgets.dump"
    call_command("backup", output=str(dump), stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore_check", str(dump), stdout=out)
    assert out.getvalue().startswith("OK: ")
    f.WidgetCountFactory()  # the live database moves on: the old backup no longer matches
    with pytest.raises(CommandError, match="tables differ"):
        call_command("restore_check", str(dump), stdout=io.StringIO(), stderr=io.StringIO())
