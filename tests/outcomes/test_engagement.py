"""Who keeps their numbers alive (outcomes.engagement): each owner's share of periods
entered on time over the last 12, their last update, the owners who never updated,
and the agency's engagement score on a worked example."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outcomes.engagement import engagement
from outcomes.models import Measurement
from tests import factories as f
from widgets.flow import due_periods
from widgets.models import Widget, WidgetCount, WidgetStatus
from widgets.periods import period_end

pytestmark = pytest.mark.django_db

# October 2026's counts were due 10 November: the last 12 periods due are November
# 2025 to October 2026.
TODAY = dt.date(2026, 11, 26)
MONTHS = [dt.date(2025, 11, 1)] + [dt.date(2026, m, 1) for m in range(1, 11)]
MONTHS = sorted({*MONTHS, dt.date(2025, 12, 1)})
LONG_AGO = dt.date(2024, 1, 1)


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _defined(obj, day=LONG_AGO):
    type(obj).objects.filter(pk=obj.pk).update(created_at=_at(day))


def _widget(agency, owner, name):
    widget = f.WidgetFactory(agency=agency, owner=owner, name=name, status=WidgetStatus.APPROVED)
    _defined(widget)
    return widget


def _counted(widget, month, *, days_after_end):
    count = f.WidgetCountFactory(widget=widget, period_start=month)
    saved = _at(period_end(month, "month") + dt.timedelta(days=days_after_end))
    WidgetCount.objects.filter(pk=count.pk).update(created_at=saved, updated_at=saved)


@pytest.fixture
def owners(agency_a, settings):
    settings.COUNTS_DUE_DAYS = 10
    ana = f.UserFactory(username="ana", first_name="Ana", last_name="Alvarez")
    ben = f.UserFactory(username="ben", first_name="Ben", last_name="Brooks")
    cy = f.UserFactory(username="cy", first_name="Cy", last_name="Chen")
    dee = f.UserFactory(username="dee", first_name="Dee", last_name="Diaz")
    assert len(MONTHS) == 12
    # Ana: every count of her widget saved 5 days after its month ended: all on time.
    always = _widget(agency_a, ana, "Air permit")
    for month in MONTHS:
        _counted(always, month, days_after_end=5)
    # Ben: a widget on time half the year (saved on the due date itself, 10 days
    # after), late the other half (11 days after); and an outcome measured late
    # every month. 6 of 24 periods on time.
    half = _widget(agency_a, ben, "Water permit")
    for n, month in enumerate(MONTHS):
        _counted(half, month, days_after_end=10 if n % 2 else 11)
    outcome = f.OutcomeFactory(agency=agency_a, owner=ben, name="Cleaner water")
    _defined(outcome)
    for month in MONTHS:
        m = f.MeasurementFactory(outcome=outcome, date=month, value=Decimal(3))
        Measurement.objects.filter(pk=m.pk).update(
            created_at=_at(period_end(month, "month") + dt.timedelta(days=25))
        )
    # Cy: a widget never counted.
    _widget(agency_a, cy, "Waste permit")
    # Dee: a widget defined yesterday: nothing due yet.
    new = f.WidgetFactory(agency=agency_a, owner=dee, name="New permit", status="approved")
    _defined(new, TODAY - dt.timedelta(days=1))
    # Nobody's: a widget without an owner, and a draft (not counted) of Ana's.
    f.WidgetFactory(agency=agency_a, owner=None, name="Orphan", status=WidgetStatus.APPROVED)
    f.WidgetFactory(agency=agency_a, owner=ana, name="Draft", status=WidgetStatus.DRAFT)
    return {"ana": ana, "ben": ben, "cy": cy, "dee": dee}


def test_each_owners_share_on_time_over_the_last_12_periods(owners, agency_a):
    found = {o.user.username: o for o in engagement(agency_a, today=TODAY).owners}
    assert (found["ana"].on_time, found["ana"].due) == (12, 12)
    # Saved on the due date is on time; the day after is not.
    assert (found["ben"].on_time, found["ben"].due) == (6, 24)
    assert found["ben"].share == Decimal("0.25")
    assert [m.measure.name for m in found["ben"].measures] == ["Water permit", "Cleaner water"]
    assert (found["cy"].on_time, found["cy"].due, found["cy"].share) == (0, 12, 0)
    assert (found["dee"].due, found["dee"].share) == (0, None)
    # Their last update: the newest save of any of their numbers.
    assert found["ana"].last_update.date() == dt.date(2026, 11, 5)
    assert found["cy"].last_update is None


def test_the_engagement_score_on_a_worked_example(owners, agency_a):
    """(100% + 25% + 0%) / 3 owners with something due = 41.7 out of 100; Dee has
    nothing due yet and is left out."""
    found = engagement(agency_a, today=TODAY)
    assert [o.user.username for o in found.counted] == ["cy", "ben", "ana"]
    assert round(found.score, 4) == Decimal("41.6667")
    assert [o.user.username for o in found.never_updated] == ["cy", "dee"]
    assert found.unowned == 1


def test_the_page_states_the_formula_with_its_numbers(client, agency_a, staff_b, settings):
    """Today's page: Ana saves every count on time, Cy never: (0% + 100%) / 2 = 50."""
    settings.COUNTS_DUE_DAYS = 10
    ana = f.UserFactory(username="ana", first_name="Ana", last_name="Alvarez")
    cy = f.UserFactory(username="cy", first_name="Cy", last_name="Chen")
    always = _widget(agency_a, ana, "Air permit")
    for month in due_periods("month", 12):
        _counted(always, month, days_after_end=5)
    _widget(agency_a, cy, "Waste permit")
    f.WidgetFactory(agency=agency_a, owner=None, name="Orphan", status=WidgetStatus.APPROVED)
    client.force_login(staff_b)  # every member reads every agency's page
    text = client.get(reverse("outcomes:engagement", args=[agency_a.slug])).text
    assert 'Engagement score: <span class="engagement-score">50</span> out of 100' in text
    assert "(0.0% + 100.0%) ÷ 2 owners = 50 out of 100" in text
    assert "Engagement score = the average of each owner\u2019s share of periods on time" in text
    assert "Cy Chen: Waste permit (widget)" in text
    assert "100.0% (12 of 12 periods)" in text
    assert "1 measure has no owner" in text


def test_the_page_reads_the_same_queries_for_few_owners_or_many(owners, agency_a):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            engagement(agency_a, today=TODAY)
        return len(captured)

    few = queries()
    for n in range(6):
        widget = _widget(agency_a, f.UserFactory(), f"More {n}")
        _counted(widget, MONTHS[-1], days_after_end=3)
        outcome = f.OutcomeFactory(agency=agency_a, owner=f.UserFactory())
        f.MeasurementFactory(outcome=outcome, date=MONTHS[-1])
    assert queries() == few
    assert Widget.objects.filter(agency=agency_a).count() > 10
