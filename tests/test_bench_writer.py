"""The writer of the benchmark under writes (bench/writer.py) saves counts through the
app's one write path, as a staff member in the grid, and puts each count back."""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from agencies.models import Role
from widgets.models import WidgetCount, WidgetStatus

from . import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark is PostgreSQL"),
]


@pytest.fixture(scope="module")
def writer():
    path = Path(__file__).resolve().parent.parent / "bench" / "writer.py"
    spec = importlib.util.spec_from_file_location("bench_writer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_writer_moves_the_latest_count_of_widgets_whose_measures_apply(
    writer, agency_a, agency_b, staff_a, manager_a, manager_b
):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 1, 1))
    latest = f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 2, 1))
    elsewhere = f.WidgetCountFactory(
        widget=f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    )
    no_backlog = f.WidgetFactory(
        agency=agency_b, status=WidgetStatus.APPROVED, not_applicable=["backlog"]
    )
    f.WidgetCountFactory(widget=no_backlog, backlog=None)
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    f.WidgetCountFactory(widget=draft)

    mine, others, people = writer.targets(agency_a)

    assert (mine, others) == ([latest.pk], [elsewhere.pk])
    # A staff member saves, as in the grid; an agency without one, its manager.
    assert (people[agency_a.pk], people[agency_b.pk]) == (staff_a, manager_b)


def test_each_save_goes_through_the_write_path_and_the_next_puts_it_back(writer, agency_a, staff_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    count = f.WidgetCountFactory(widget=widget, demand=100, backlog=20)
    people = {agency_a.pk: staff_a}

    seen = []
    for _ in range(3):
        writer.save_one(count.pk, people)
        count.refresh_from_db()
        seen.append((count.demand, count.backlog, count.version, count.source))

    assert seen == [(101, 21, 2, "form"), (100, 20, 3, "form"), (101, 21, 4, "form")]
    history = WidgetCount.history.filter(id=count.pk).order_by("history_date")
    assert [h.history_user for h in history][-3:] == [staff_a] * 3
    assert staff_a.memberships.get().role == Role.STAFF
