"""generate_scale: the data it loads by COPY is complete, deterministic and valid."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Q, Sum

from agencies.models import Agency, Membership
from outcomes.models import Contribution, Measurement, Outcome
from tests.factories import AgencyFactory
from widgets.flow import balance_failures
from widgets.models import SurveyResult, Widget, WidgetCount

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generate_scale loads with PostgreSQL COPY"
)
# VACUUM cannot run inside the transaction a plain `db` test is wrapped in.
pytestmark = pytest.mark.django_db(transaction=True)

END = dt.date(2025, 3, 31)
SMALL = {"agencies": 2, "widgets": 5, "outcomes": 2, "years": 30 / 365.25, "end": END}


def generate(seed=7, **options):
    call_command("generate_scale", seed=seed, stdout=io.StringIO(), **SMALL, **options)


def totals():
    return {
        "counts": WidgetCount.objects.aggregate(
            rows=Sum(1),
            demand=Sum("demand"),
            delivered=Sum("delivered"),
            backlog=Sum("backlog"),
            cost=Sum("cost"),
        ),
        "widgets": list(Widget.objects.order_by("pk").values_list("name", "status")),
        "measurements": Measurement.objects.aggregate(total=Sum("value")),
    }


@on_postgresql
def test_loads_every_table_with_the_numbers_asked_for():
    generate()
    assert Agency.objects.count() == 2
    assert Widget.objects.count() == 5
    assert Outcome.objects.count() == 2
    assert Membership.objects.count() == 4  # one staff, one manager per agency
    days = {"approved": 30, "submitted": 30, "retired": 15}
    expected = sum(
        days.get(status, 0) for status in Widget.objects.values_list("status", flat=True)
    )
    assert WidgetCount.objects.count() == expected > 0
    assert WidgetCount.objects.order_by("-period_start").first().period_start == END
    assert Measurement.objects.count() == 2  # one month (March) per outcome
    assert Contribution.objects.exists()
    assert SurveyResult.objects.count() == 0  # no complete quarter in 30 days
    assert Widget.history.count() == 5  # one "created" record per definition
    assert WidgetCount.history.count() == 0  # none for the bulk rows


@on_postgresql
def test_same_seed_same_data_other_seed_other_data():
    generate(seed=7)
    first = totals()
    generate(seed=7, force=True)
    assert totals() == first
    generate(seed=8, force=True)
    assert totals() != first


@on_postgresql
def test_counts_balance_and_obey_the_rules():
    generate()
    counts = WidgetCount.objects.all()
    assert balance_failures(counts) == []
    assert not counts.filter(
        Q(within_standard__gt=F("delivered")) | Q(rework__gt=F("delivered"))
    ).exists()
    assert not counts.filter(Q(demand__lt=0) | Q(backlog__lt=0) | Q(delivered__lt=0)).exists()
    for widget in Widget.objects.all():
        widget.full_clean()
    for count in counts.select_related("widget")[:40]:
        count.full_clean()


@on_postgresql
def test_refuses_a_database_that_has_agencies_unless_forced():
    AgencyFactory()
    with pytest.raises(CommandError, match="already has agencies"):
        generate()
    generate(force=True)
    assert Agency.objects.count() == 2


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for SQLite")
def test_refuses_sqlite_with_a_clear_message():
    with pytest.raises(CommandError, match="PostgreSQL"):
        generate()


@on_postgresql
def test_every_agency_has_a_data_version_and_the_count_trigger_is_back_on():
    from agencies.models import DataVersion

    generate()
    assert set(DataVersion.objects.values_list("agency_id", flat=True)) == set(
        Agency.objects.values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'widgets_widgetcount_dv_insert'"
        )
        assert cursor.fetchone() == ("O",)  # enabled ("origin")
    before = DataVersion.objects.get(agency_id=Widget.objects.first().agency_id).version
    WidgetCount.objects.filter(widget=Widget.objects.first()).update(rework=0)
    assert DataVersion.objects.get(agency_id=Widget.objects.first().agency_id).version != before
