"""Two writers at once, each with its own database connection (PostgreSQL):
one wins, the other is told, nothing is lost or mixed."""

import datetime as dt

import pytest
from django.db import connection

from widgets import counting
from widgets.catalogue import services
from widgets.catalogue.forms import WidgetForm
from widgets.models import Widget, WidgetCount, WidgetStatus

from . import factories as f
from .races import race as _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
RUNS = 10


def test_two_editors_of_one_widget_one_wins_the_other_is_told(staff_a, manager_a, agency_a):
    for run in range(RUNS):
        widget = f.WidgetFactory(agency=agency_a, name=f"Permit {run}", status=WidgetStatus.DRAFT)
        opened = widget.version

        def edit(user, text, widget=widget, opened=opened):
            fresh = Widget.objects.get(pk=widget.pk)
            data = {
                "program": fresh.program_id,
                "name": fresh.name,
                "kind": fresh.kind,
                "description": text,
                "reporting_frequency": "month",
                "version": opened,
            }
            form = WidgetForm(data, instance=fresh, agency=agency_a)
            assert form.is_valid(), form.errors
            return services.save_widget(form=form, by=user, expected_version=opened)

        results = _race(
            lambda: edit(staff_a, "staff text"), lambda: edit(manager_a, "manager text")
        )
        conflicts = [r for r in results if isinstance(r, services.EditConflict)]
        winners = [r for r in results if isinstance(r, Widget)]
        assert (len(winners), len(conflicts)) == (1, 1), results
        widget.refresh_from_db()
        assert widget.description == winners[0].description
        assert widget.version == opened + 1


def test_two_writers_of_one_count_one_wins(staff_a, manager_a, agency_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    for run in range(RUNS):
        period = dt.date(2020, 1, 1) + dt.timedelta(days=31 * run)
        period = period.replace(day=1)
        count = f.WidgetCountFactory(widget=widget, period_start=period)

        def write(user, demand, count=count):
            change = counting.CountChange(
                widget=widget,
                period_start=count.period_start,
                values={**{n: getattr(count, n) for n in counting.VALUE_FIELDS}, "demand": demand},
                expected_version=count.version,
            )
            return counting.save_counts([change], by=user, source="form")

        results = _race(lambda: write(staff_a, 111), lambda: write(manager_a, 222))
        conflicts = [r for r in results if isinstance(r, counting.CountConflict)]
        assert len(conflicts) == 1, results
        count.refresh_from_db()
        assert count.demand in {111, 222}
        assert count.version == 2


def test_upload_and_grid_on_the_same_period_give_one_or_the_other_whole(staff_a, agency_a):
    widgets = [f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED) for _ in range(20)]
    for run in range(RUNS):
        period = dt.date(2021, 1 + run, 1)

        def save(value, source, period=period):
            changes = [
                counting.CountChange(widget=w, period_start=period, values={"demand": value})
                for w in widgets
            ]
            return counting.save_counts(changes, by=staff_a, source=source)

        results = _race(lambda: save(1, "form"), lambda: save(2, "import"))
        saved = set(WidgetCount.objects.filter(period_start=period).values_list("demand", "source"))
        assert saved in ({(1, "form")}, {(2, "import")}), (saved, results)
        assert WidgetCount.objects.filter(period_start=period).count() == len(widgets)


def test_upload_commit_and_grid_on_the_same_counts_one_wins_whole(staff_a, manager_a, agency_a):
    """The file was previewed; then the grid and the upload's commit save the same
    counts at once: one is saved whole, the other is told (CountConflict)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from widgets.counting.upload import CountFile

    widgets = [f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED) for _ in range(20)]
    for run in range(RUNS):
        period = dt.date(2022, 1 + run, 1)
        counts = [f.WidgetCountFactory(widget=w, period_start=period, demand=0) for w in widgets]
        lines = ["widget_id,period_start,demand"]
        lines += [f"{w.pk},{period:%Y-%m-%d},2" for w in widgets]
        upload_file = SimpleUploadedFile("counts.csv", "\n".join(lines).encode())
        preview = CountFile(agency=agency_a, user=staff_a).preview(upload_file, "counts.csv")
        assert (preview.changed, preview.errors) == (len(widgets), 0)

        def upload(upload_file=upload_file, snapshot=preview.snapshot):
            count_file = CountFile(agency=agency_a, user=staff_a)
            return count_file.commit(upload_file, "counts.csv", snapshot=snapshot)

        def grid(counts=counts, period=period):
            changes = [
                counting.CountChange(
                    widget=c.widget, period_start=period, values={"demand": 1}, expected_version=1
                )
                for c in counts
            ]
            return counting.save_counts(changes, by=manager_a, source="form")

        results = _race(upload, grid)
        conflicts = [r for r in results if isinstance(r, counting.CountConflict)]
        assert len(conflicts) == 1, results
        saved = set(WidgetCount.objects.filter(period_start=period).values_list("demand", "source"))
        assert saved in ({(1, "form")}, {(2, "import")}), (saved, results)
        versions = set(WidgetCount.objects.filter(period_start=period).values_list("version"))
        assert versions == {(2,)}
