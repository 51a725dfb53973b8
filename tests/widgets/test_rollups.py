"""Roll-ups of counts (widgets.rollups): after every kind of write, each roll-up is
exactly a fresh sum of the counts (made in Python, apart from the triggers' SQL),
and no roll-up is missing or left over. A path that forgot them would fail here.

Run on PostgreSQL (statement-level triggers) as CI does, and on SQLite
(row-level triggers) with DATABASE_URL=sqlite:///...: the same tests.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from widgets import flow, rollups_check
from widgets.api.tokens import issue_token
from widgets.models import CountRollup, Grain, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
VALUES = {
    "demand": 100,
    "delivered": 90,
    "within_standard": 80,
    "withdrawn": 5,
    "backlog": 30,
    "rework": 3,
    "cost": Decimal("9000.00"),
}


def assert_exact():
    """Every roll-up equals a fresh sum of the counts, and there is one per period."""
    assert rollups_check.differences(WidgetCount.objects.all(), CountRollup.objects.all()) == []


@pytest.fixture
def daily(agency_a):
    return f.WidgetFactory(
        agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED, reporting_frequency="day"
    )


@pytest.fixture
def monthly(agency_a):
    return f.WidgetFactory(agency=agency_a, name="Boat title", status=WidgetStatus.APPROVED)


@pytest.fixture
def history(daily, monthly):
    """Counts over two fiscal years (July starts one), some of them unknown."""
    for day in (dt.date(2026, 6, 29), dt.date(2026, 6, 30), dt.date(2026, 7, 1)):
        f.WidgetCountFactory(widget=daily, period_start=day, **VALUES)
    f.WidgetCountFactory(widget=daily, period_start=dt.date(2026, 7, 2), **{**VALUES, "cost": None})
    for month in (5, 6, 7, 8):
        f.WidgetCountFactory(widget=monthly, period_start=dt.date(2026, month, 1), **VALUES)
    assert_exact()
    return daily, monthly


def test_roll_ups_sum_each_month_quarter_and_fiscal_year(history):
    daily, _ = history
    july = CountRollup.objects.get(widget=daily, grain=Grain.MONTH, period_start="2026-07-01")
    assert (july.rows, july.total_demand, july.total_cost) == (2, 200, Decimal("9000.00"))
    # Cost per widget sums only the periods where both cost and delivered are known.
    assert (july.cost_per_widget_num, july.cost_per_widget_den) == (Decimal("9000.00"), 90)
    assert (july.closing_backlog, july.last_period) == (30, dt.date(2026, 7, 2))
    fy26 = CountRollup.objects.get(widget=daily, grain=Grain.FISCAL_YEAR, period_start="2025-07-01")
    assert fy26.rows == 2  # 29 and 30 June; 1 July starts FY27
    q1 = CountRollup.objects.get(widget=daily, grain=Grain.QUARTER, period_start="2026-07-01")
    assert q1.rows == 2


def test_exact_after_the_grid(client, agency_a, staff_a, history):
    daily, _ = history
    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?frequency=day&period=2026-07-03"
    response = client.post(url, {f"w{daily.pk}-version": "", f"w{daily.pk}-demand": "140"})
    assert response.status_code == 302
    assert WidgetCount.objects.get(widget=daily, period_start="2026-07-03").demand == 140
    assert_exact()


def test_exact_after_the_edit_page(client, staff_a, history):
    daily, _ = history
    count = WidgetCount.objects.get(widget=daily, period_start="2026-06-30")
    client.force_login(staff_a)
    shown = {n: str(v) for n, v in VALUES.items()}
    response = client.post(
        reverse("widgets:count-edit", args=[count.pk]),
        {**shown, "delivered": "95", "backlog": "", "version": count.version},
    )
    assert response.status_code == 302
    assert_exact()


def test_exact_after_an_upload(client, agency_a, staff_a, history):
    daily, monthly = history
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    text = (
        "widget_id,period_start,demand,delivered,within_standard,backlog,rework\n"
        f"{daily.pk},2026-07-02,7,6,5,clear,\n"
        f"{daily.pk},2026-09-30,8,8,8,31,1\n"
        f"{monthly.pk},2026-08-01,,120,,,\n"
        f"{monthly.pk},2026-10-01,50,40,30,10,0\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("counts.csv", text.encode())})
    assert response.context["can_commit"], response.context["preview"].error_rows
    assert client.post(url, {"token": response.context["token"]}).status_code == 302
    assert WidgetCount.objects.filter(widget=daily).count() == 5
    assert_exact()


def test_exact_after_an_api_batch(client, agency_a, manager_a, history):
    daily, monthly = history
    _, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    rows = [
        {"widget_id": daily.pk, "period_start": "2026-07-01", "delivered": 95, "rework": 1},
        {"widget_id": daily.pk, "period_start": "2026-07-03", "demand": 9},
        {"widget_id": monthly.pk, "period_start": "2026-09-01", "demand": 4, "delivered": 2},
    ]
    response = client.post(
        "/api/v1/counts",
        data=json.dumps(rows),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 200, response.content
    assert_exact()


def test_exact_after_the_admin_saves_and_deletes(client, admin_user, history):
    daily, _ = history
    count = WidgetCount.objects.get(widget=daily, period_start="2026-07-02")
    client.force_login(admin_user)
    url = reverse("admin:widgets_widgetcount_change", args=[count.pk])
    form = client.get(url).context["adminform"].form
    shown = {n: "" if v is None else v for n, v in form.initial.items() if n in VALUES}
    data = {**shown, "balance_note": "", "seen_version": form["seen_version"].initial}
    assert client.post(url, {**data, "withdrawn": 9, "backlog": 12}).status_code == 302
    assert_exact()

    delete = reverse("admin:widgets_widgetcount_delete", args=[count.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not WidgetCount.objects.filter(pk=count.pk).exists()
    assert_exact()


def test_exact_after_deletes_of_one_count_and_of_many(history):
    daily, monthly = history
    WidgetCount.objects.get(widget=daily, period_start="2026-07-01").delete()
    assert_exact()
    WidgetCount.objects.filter(widget=monthly).delete()
    assert not CountRollup.objects.filter(widget=monthly).exists()
    assert_exact()


def test_exact_after_a_history_restore(history):
    """django-simple-history restores a deleted count by saving its last record's
    instance; and a count is set back to an earlier record the same way."""
    daily, _ = history
    pk = WidgetCount.objects.get(widget=daily, period_start="2026-06-30").pk
    WidgetCount.objects.get(pk=pk).delete()
    assert_exact()
    WidgetCount.history.filter(id=pk).latest("history_date").instance.save()
    assert WidgetCount.objects.filter(pk=pk).exists()
    assert_exact()

    WidgetCount.objects.filter(pk=pk).update(demand=1)
    assert_exact()
    WidgetCount.history.filter(id=pk).earliest("history_date").instance.save()
    assert WidgetCount.objects.get(pk=pk).demand == 100
    assert_exact()


def test_exact_after_writes_that_bypass_the_models(history):
    """A queryset update(), a raw SQL write, a bulk create, a widget deleted."""
    daily, monthly = history
    WidgetCount.objects.filter(widget=daily).update(backlog=None, rework=2)
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE widgets_widgetcount SET period_start = %s WHERE widget_id = %s "
            "AND period_start = %s",
            [dt.date(2026, 12, 1), monthly.pk, dt.date(2026, 8, 1)],
        )
    assert_exact()
    WidgetCount.objects.bulk_create(
        [WidgetCount(widget=daily, period_start=dt.date(2027, 1, d), demand=d) for d in (1, 2)]
    )
    assert_exact()
    monthly.delete()
    assert_exact()


def test_rebuild_makes_them_again_and_check_finds_a_wrong_one(history, capsys):
    daily, _ = history
    CountRollup.objects.filter(widget=daily, grain=Grain.MONTH).update(total_demand=1)
    with pytest.raises(Exception, match="differ from the counts"):
        call_command("rebuild_rollups", "--check")
    CountRollup.objects.filter(grain=Grain.QUARTER).delete()

    call_command("rebuild_rollups")

    assert_exact()
    call_command("rebuild_rollups", "--check")
    assert "roll-ups match the counts" in capsys.readouterr().out


# --- balance gaps: how many counts of each period do not balance with the one before ---


def _gaps(widget, grain=Grain.MONTH):
    return {
        r.period_start: r.balance_gaps
        for r in CountRollup.objects.filter(widget=widget, grain=grain).order_by("period_start")
    }


def test_balance_gaps_count_the_balance_failures(history):
    """Each roll-up's balance_gaps is how many of its counts flow.balance_failures
    flags (VALUES do not balance: 30 + 100 - 90 - 5 is 35, not 30)."""
    daily, monthly = history
    for widget in (daily, monthly):
        failures = flow.balance_failures(WidgetCount.objects.filter(widget=widget))
        by_month = {}
        for count in failures:
            month = count.period_start.replace(day=1)
            by_month[month] = by_month.get(month, 0) + 1
        stored = {month: gaps for month, gaps in _gaps(widget).items() if gaps}
        assert stored == by_month
        assert sum(_gaps(widget, Grain.FISCAL_YEAR).values()) == len(failures) > 0
    # 29 June is the first count with a backlog: nothing before it to follow from.
    assert _gaps(daily) == {dt.date(2026, 6, 1): 1, dt.date(2026, 7, 1): 2}


def test_a_write_in_one_month_changes_the_gap_of_the_next_months_first_count(history):
    """1 July follows from 30 June: a write of 30 June (or its delete) is judged again
    in July's roll-ups, which the write itself does not touch."""
    daily, _ = history
    balanced = {"demand": 100, "delivered": 90, "withdrawn": 5}
    WidgetCount.objects.filter(widget=daily, period_start="2026-07-01").update(
        backlog=35, **balanced
    )
    assert _gaps(daily)[dt.date(2026, 7, 1)] == 1  # 2 July still does not balance
    june_30 = WidgetCount.objects.get(widget=daily, period_start="2026-06-30")
    june_30.backlog = 31
    june_30.save()
    assert _gaps(daily)[dt.date(2026, 7, 1)] == 2  # 31 + 100 - 90 - 5 is not 35
    assert_exact()
    june_30.delete()  # 1 July now follows 29 June, two days before: not checked
    assert _gaps(daily)[dt.date(2026, 7, 1)] == 1
    assert_exact()
    WidgetCount.objects.filter(widget=daily, period_start="2026-06-29").update(backlog=None)
    assert_exact()


def test_a_widgets_frequency_or_withdrawn_not_applicable_judges_its_gaps_again(history):
    daily, monthly = history
    WidgetCount.objects.filter(widget=monthly).update(withdrawn=None, backlog=40)
    assert sum(_gaps(monthly).values()) == 0  # withdrawn unknown: not checked
    monthly.not_applicable = ["withdrawn"]  # none can be withdrawn: 40 + 100 - 90 - 0 = 50
    monthly.save()
    assert sum(_gaps(monthly).values()) == 3
    assert_exact()
    # Weekly now: only 30 June (a Tuesday) has its period before (the week of the day
    # before, Monday 29 June) as its nearest earlier count; 1 and 2 July do not.
    daily.reporting_frequency = "week"
    daily.save()
    assert _gaps(daily) == {dt.date(2026, 6, 1): 1, dt.date(2026, 7, 1): 0}
    assert_exact()


# --- the check itself: a check that cannot fail would make every test above pass ---


def test_differences_reports_a_wrong_sum_a_missing_and_a_left_over_roll_up(history):
    """rollups_check.differences names each roll-up that differs from the counts:
    a wrong value (stored and fresh), a value where the counts have none, a roll-up
    missing and one left over (as column "rows"), in the order of their keys."""
    daily, monthly = history
    blank = dict.fromkeys(VALUES)
    f.WidgetCountFactory(widget=monthly, period_start=dt.date(2026, 9, 1), **blank)
    assert_exact()
    july = (daily.pk, Grain.MONTH.value, dt.date(2026, 7, 1))
    september = (monthly.pk, Grain.MONTH.value, dt.date(2026, 9, 1))
    quarter = (daily.pk, Grain.QUARTER.value, dt.date(2026, 7, 1))
    extra = (monthly.pk, Grain.MONTH.value, dt.date(2027, 1, 1))
    CountRollup.objects.filter(widget=daily, grain=Grain.MONTH, period_start=july[2]).update(
        total_demand=1
    )
    CountRollup.objects.filter(widget=monthly, grain=Grain.MONTH, period_start=september[2]).update(
        total_cost=Decimal("5.00")
    )
    CountRollup.objects.filter(widget=daily, grain=Grain.QUARTER, period_start=quarter[2]).delete()
    CountRollup.objects.create(
        widget=monthly,
        grain=Grain.MONTH,
        period_start=extra[2],
        rows=1,
        last_period=extra[2],
        balance_gaps=0,
    )
    found = rollups_check.differences(WidgetCount.objects.all(), CountRollup.objects.all())
    expected = [
        (july, "total_demand", 1, 200),
        (september, "total_cost", Decimal("5.00"), None),
        (quarter, "rows", None, 2),
        (extra, "rows", 1, None),
    ]
    assert found == sorted(expected)


def test_the_fresh_sum_refuses_counts_out_of_period_order(history):
    """fresh() follows each widget's counts in period order (the closing backlog is
    the last one read, a balance gap follows from the count before): out of order,
    it says so instead of summing wrong."""
    daily, _ = history
    counts = list(WidgetCount.objects.filter(widget=daily).order_by("-period_start"))
    with pytest.raises(ValueError, match=r"^fresh\(\) reads counts in \(widget, period\) order\.$"):
        rollups_check.fresh(counts)
    assert rollups_check.fresh(counts[::-1])  # in order, it sums


def test_a_gap_is_judged_with_nothing_withdrawn_where_withdrawn_does_not_apply(history):
    """Where withdrawn does not apply, a blank withdrawn is 0, not unknown: 40 + 100 -
    90 - 0 is 50, which balances; and a count with a blank demand is not judged."""
    _, monthly = history
    monthly.not_applicable = ["withdrawn"]
    monthly.save()
    for month, backlog in ((5, 40), (6, 50), (7, 60), (8, 70)):
        WidgetCount.objects.filter(widget=monthly, period_start=dt.date(2026, month, 1)).update(
            withdrawn=None, demand=100, delivered=90, backlog=backlog
        )
    assert sum(_gaps(monthly).values()) == 0
    assert_exact()
    WidgetCount.objects.filter(widget=monthly, period_start=dt.date(2026, 7, 1)).update(
        demand=None, backlog=99
    )  # July not judged (demand unknown); August does not follow from 99
    assert _gaps(monthly) == {dt.date(2026, month, 1): month == 8 for month in (5, 6, 7, 8)}
    assert_exact()
