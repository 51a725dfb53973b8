"""Entering counts: the rules, the grid, one period's edit, history and overdue pages."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from widgets import counting
from widgets.models import WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
PERIOD = dt.date(2026, 9, 1)
PREVIOUS = dt.date(2026, 8, 1)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("demand", "", None),
        ("demand", "  ", None),
        ("demand", None, None),
        ("demand", "0", 0),
        ("demand", "12", 12),
        ("demand", 12.0, 12),
        ("cost", "15400.5", Decimal("15400.50")),
        ("cost", "$20", Decimal("20.00")),
    ],
)
def test_values_parse_and_blank_stays_unknown(name, raw, expected):
    assert counting.parse_value(name, raw) == expected


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("demand", "-1", "Cannot be negative."),
        ("demand", "1.5", "Enter a whole number."),
        ("demand", "1,234", "thousands separators"),
        ("demand", "twelve", "Enter a number."),
        ("demand", "NaN", "Enter a number."),
        ("demand", float("inf"), "Enter a number."),
        ("demand", "1e30", "larger than any count"),
        ("demand", True, "Enter a number."),
        ("cost", "1.234", "two decimal places"),
    ],
)
def test_bad_values_are_explained(name, raw, message):
    with pytest.raises(ValueError, match=message):
        counting.parse_value(name, raw)


def test_within_standard_and_rework_may_not_exceed_delivered():
    errors = counting.check_rules({"delivered": 5, "within_standard": 6, "rework": 7})
    assert errors == {
        "within_standard": ["Within standard (6) cannot be more than delivered (5)."],
        "rework": ["Rework (7) cannot be more than delivered (5)."],
    }


@pytest.fixture
def grid_setup(agency_a, staff_a):
    # One named program: the grid sorts by program, then widget, and the factory's
    # generated program names ("Program 9", "Program 10") do not sort as they are made.
    program = f.ProgramFactory(agency=agency_a, name="Licensing")
    permit = f.WidgetFactory(
        agency=agency_a, program=program, name="Air permit", status=WidgetStatus.APPROVED
    )
    title = f.WidgetFactory(
        agency=agency_a, program=program, name="Boat title", status=WidgetStatus.APPROVED
    )
    f.WidgetFactory(agency=agency_a, program=program, name="Draft one", status=WidgetStatus.DRAFT)
    f.WidgetCountFactory(widget=permit, period_start=PREVIOUS, backlog=20)
    return {
        "permit": permit,
        "title": title,
        "url": reverse("widgets:count-entry", args=[agency_a.slug]),
    }


def _row(widget, version="", **values):
    """A row as the page posts it: its cells and the version it showed ("" for none)."""
    return {f"w{widget.pk}-version": str(version)} | {
        f"w{widget.pk}-{k}": v for k, v in values.items()
    }


def _balanced(**overrides):
    # 20 + 100 - 90 - 5 = 25
    values = {
        "demand": "100",
        "delivered": "90",
        "within_standard": "80",
        "withdrawn": "5",
        "backlog": "25",
        "rework": "2",
        "cost": "900",
    }
    return {**values, **overrides}


def test_grid_lists_counted_widgets_with_the_previous_period(client, staff_a, grid_setup):
    client.force_login(staff_a)
    response = client.get(grid_setup["url"], {"frequency": "month", "period": "2026-09-01"})
    names = [r.widget.name for r in response.context["grid"].rows]
    assert names == ["Air permit", "Boat title"]
    assert "Last: 20" in response.content.decode()


def test_grid_saves_many_widgets_in_one_transaction(client, staff_a, grid_setup):
    client.force_login(staff_a)
    data = {
        **_row(grid_setup["permit"], **_balanced()),
        **_row(grid_setup["title"], demand="7", delivered=""),
    }
    response = client.post(grid_setup["url"] + "?period=2026-09-01", data)
    assert response.status_code == 302
    permit = WidgetCount.objects.get(widget=grid_setup["permit"], period_start=PERIOD)
    title = WidgetCount.objects.get(widget=grid_setup["title"], period_start=PERIOD)
    assert (permit.delivered, permit.cost, permit.source, permit.entered_by) == (
        90,
        Decimal("900.00"),
        "form",
        staff_a,
    )
    assert (title.demand, title.delivered) == (7, None)  # blank stays unknown, not 0


def test_grid_cell_error_keeps_every_other_value_and_saves_nothing(client, staff_a, grid_setup):
    client.force_login(staff_a)
    data = {
        **_row(grid_setup["permit"], **_balanced(within_standard="95")),
        **_row(grid_setup["title"], demand="7", delivered="6"),
    }
    response = client.post(grid_setup["url"] + "?period=2026-09-01", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Within standard (95) cannot be more than delivered (90)." in body
    assert f'name="w{grid_setup["title"].pk}-demand" value="7"' in body
    assert f'name="w{grid_setup["permit"].pk}-cost" value="900"' in body
    assert not WidgetCount.objects.filter(period_start=PERIOD).exists()


@pytest.mark.parametrize("version", ["abc", "-1", str(2**31), str(2**64), "9" * 40])
def test_a_version_no_page_could_give_is_refused_on_its_row_and_nothing_saved(
    client, staff_a, grid_setup, version
):
    """A row's version outside what a count's version can be (a tampered or broken
    form) is refused next to the row, on every database: SQLite cannot even compare
    an integer above 2**63 (it answered 500 before)."""
    count = WidgetCount.objects.get(widget=grid_setup["permit"], period_start=PREVIOUS)
    client.force_login(staff_a)
    data = {
        **_row(grid_setup["permit"], version=version, demand="1"),
        **_row(grid_setup["title"], demand="7"),
    }
    response = client.post(grid_setup["url"] + "?period=2026-08-01", data)
    assert response.status_code == 200
    assert "This row&#x27;s version is not one the page gave: reload the page." in (
        response.content.decode()
    )
    assert WidgetCount.objects.get(pk=count.pk).version == count.version
    assert not WidgetCount.objects.filter(widget=grid_setup["title"]).exists()


def test_grid_cells_escape_what_was_typed_and_the_widgets_name(client, staff_a, grid_setup):
    """The cells are written in Python (widgets/templatetags/count_grid.py): what the
    person typed, the errors and the widget's name are escaped as the template did,
    and a measure that does not apply is n/a with its reason for screen readers."""
    permit = grid_setup["permit"]
    permit.name = 'Fish & <Game> "permit"'
    permit.not_applicable = ["cost"]
    permit.save()
    client.force_login(staff_a)
    typed = '"><script>alert(1)</script>'
    data = _row(permit, **{**_balanced(demand=typed), "cost": ""})
    response = client.post(grid_setup["url"] + "?period=2026-09-01", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    cell = f'id="w{permit.pk}-demand" name="w{permit.pk}-demand" value="{html.escape(typed)}"'
    assert cell in body
    assert f'<span class="usa-error-message" id="w{permit.pk}-demand-error">Enter a number.' in body
    escaped = "Fish &amp; &lt;Game&gt; &quot;permit&quot;"
    assert f"Demand, {escaped}</label>" in body
    assert f'<span class="usa-sr-only">Cost does not apply to {escaped}</span>' in body
    assert f'name="w{permit.pk}-cost"' not in body
    assert not WidgetCount.objects.filter(period_start=PERIOD).exists()


def test_balance_warning_is_confirmed_with_a_reason(client, staff_a, grid_setup):
    client.force_login(staff_a)
    url = grid_setup["url"] + "?period=2026-09-01"
    unbalanced = _row(grid_setup["permit"], **_balanced(backlog="40"))
    response = client.post(url, unbalanced)
    # 20 + 100 - 90 - 5 = 25, and the backlog is 40.
    assert "The backlog is 15 higher than last period" in response.content.decode()
    assert not WidgetCount.objects.filter(period_start=PERIOD).exists()
    # ticking the box without a reason is not enough
    response = client.post(url, {**unbalanced, f"w{grid_setup['permit'].pk}-confirm": "on"})
    assert "Say why the backlog does not balance" in response.content.decode()
    response = client.post(
        url,
        {
            **unbalanced,
            f"w{grid_setup['permit'].pk}-confirm": "on",
            f"w{grid_setup['permit'].pk}-note": "15 files moved from another office",
        },
    )
    assert response.status_code == 302
    saved = WidgetCount.objects.get(widget=grid_setup["permit"], period_start=PERIOD)
    assert (saved.backlog, saved.balance_note) == (40, "15 files moved from another office")


def test_blank_and_zero_round_trip(client, staff_a, grid_setup):
    client.force_login(staff_a)
    url = grid_setup["url"] + "?period=2026-09-01"
    client.post(url, _row(grid_setup["title"], demand="0", delivered=""))
    count = WidgetCount.objects.get(widget=grid_setup["title"], period_start=PERIOD)
    assert (count.demand, count.delivered) == (0, None)
    body = client.get(url).content.decode()
    assert f'name="w{grid_setup["title"].pk}-demand" value="0"' in body
    assert f'name="w{grid_setup["title"].pk}-delivered" value=""' in body


def test_grid_refuses_a_future_period_and_other_agencies(client, staff_b, staff_a, grid_setup):
    client.force_login(staff_b)
    assert client.get(grid_setup["url"]).status_code == 403
    client.force_login(staff_a)
    response = client.get(grid_setup["url"], {"period": "2099-01-01"})
    assert response.context["grid"].period_start < dt.date(2099, 1, 1)


def test_grid_query_count_does_not_grow_with_widgets(
    client, staff_a, agency_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-09-01"
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(30):
        w = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
        f.WidgetCountFactory(widget=w, period_start=PREVIOUS)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


def _edit_data(count, **changes):
    data = {
        n: "" if getattr(count, n) is None else str(getattr(count, n))
        for n in counting.VALUE_FIELDS
    }
    data.update(balance_note="", version=count.version)
    data.update(changes)
    return data


def test_edit_of_one_period_with_optimistic_locking(client, staff_a, manager_a, agency_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    count = f.WidgetCountFactory(widget=widget, period_start=PERIOD, backlog=20)
    url = reverse("widgets:count-edit", args=[count.pk])
    opened = _edit_data(count)
    client.force_login(staff_a)
    assert client.post(url, {**opened, "demand": "101", "backlog": "21"}).status_code == 302
    client.force_login(manager_a)
    response = client.post(url, {**opened, "demand": "555", "backlog": "475"})
    assert response.status_code == 200
    assert "Someone else saved these counts" in response.content.decode()
    count.refresh_from_db()
    assert (count.demand, count.version) == (101, 2)
    assert count.history.count() == 2


def test_edit_by_another_agency_is_refused(client, staff_b, agency_a):
    count = f.WidgetCountFactory(
        widget=f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    )
    client.force_login(staff_b)
    response = client.post(
        reverse("widgets:count-edit", args=[count.pk]), _edit_data(count, demand="1")
    )
    assert response.status_code == 403


def test_history_page_shows_derived_figures(client, staff_a, agency_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=widget, period_start=PREVIOUS, backlog=20)
    f.WidgetCountFactory(
        widget=widget,
        period_start=PERIOD,
        demand=100,
        delivered=90,
        within_standard=45,
        withdrawn=5,
        backlog=99,
        rework=9,
        cost=Decimal("900"),
    )
    client.force_login(staff_a)
    response = client.get(reverse("widgets:count-history", args=[widget.pk]))
    body = html.unescape(response.content.decode())
    row = response.context["rows"][0]
    assert row["measures"]["on_time_share"] == Decimal("0.5")
    assert row["measures"]["cost_per_widget"] == Decimal("10")
    assert row["measures"]["rework_rate"] == Decimal("0.1")
    assert row["balance"].difference == 74
    # Shares as percentages, on this page as everywhere (widgets.measures' formats).
    assert "50.0%" in body
    assert "10.0%" in body
    assert "$10.00" in body
    # 20 + 100 - 90 - 5 = 25, and the backlog is 99: in words, not as a signed number.
    sentence = (
        "The backlog is 74 higher than last period's backlog + demand - delivered - withdrawn "
        "(20 + 100 - 90 - 5 = 25; the backlog is 99). No reason given."
    )
    assert sentence.replace(" - ", " \u2212 ") in body
    assert "-74" not in body


def test_the_history_is_paged_and_a_pages_last_row_balances_with_the_next_page(
    client, monkeypatch, staff_a, agency_a
):
    """Five years of daily counts were 1,826 rows (1 MB) in one page. A page's oldest
    row is still judged against the period before it, on the next page; the download
    has every period."""
    from widgets.counting import views

    monkeypatch.setattr(views, "HISTORY_PER_PAGE", 2)
    widget = f.WidgetFactory(agency=agency_a, reporting_frequency="month")
    months = [dt.date(2026, m, 1) for m in range(1, 6)]
    for month in months:
        f.WidgetCountFactory(
            widget=widget,
            period_start=month,
            demand=10,
            delivered=10,
            within_standard=8,
            withdrawn=0,
            backlog=5,
            rework=0,
        )
    # April's backlog does not follow from March's (5 + 10 - 10 - 0 = 5).
    WidgetCount.objects.filter(widget=widget, period_start=months[3]).update(backlog=50)
    client.force_login(staff_a)
    url = reverse("widgets:count-history", args=[widget.pk])
    first = client.get(url)
    assert [r["count"].period_start for r in first.context["rows"]] == [months[4], months[3]]
    assert first.context["rows"][1]["balance"].difference == 45  # against March, on page 2
    assert "5 periods, newest first: 1 to 2 shown, page 1 of 3." in first.text
    assert 'href="?page=2"' in first.text
    last = client.get(url + "?page=3")
    assert [r["count"].period_start for r in last.context["rows"]] == [months[0]]
    assert client.get(url + "?page=99").context["page"].number == 3
    export = client.get(url + "?export=csv")
    assert len(export.content.decode().strip().splitlines()) == 1 + 5  # the header, every period


def test_overdue_page_lists_missing_counts(client, staff_a, agency_a, settings):
    widget = f.WidgetFactory(agency=agency_a, name="Late permit", status=WidgetStatus.APPROVED)
    client.force_login(staff_a)
    response = client.get(reverse("widgets:overdue", args=[agency_a.slug]))
    assert [w for w, _ in response.context["late"]] == [widget]


# --- the grid from the page cache ----------------------------------------------------------


def test_the_grid_is_built_once_per_data_version_and_shows_every_change(
    client, staff_a, manager_a, grid_setup
):
    """A GET is the same for every member who may enter the agency's counts: the
    second reader gets the built grid, and any write to the agency's data (here one
    outside the app) gives the next reader a grid built again, with the new value
    and the row's new version."""
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    url, permit = grid_setup["url"], grid_setup["permit"]
    count = f.WidgetCountFactory(widget=permit, period_start=PERIOD, demand=41)
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as built:
        first = client.get(url, {"frequency": "month", "period": "2026-09-01"}).content.decode()
    client.force_login(manager_a)
    with CaptureQueriesContext(connection) as served:
        again = client.get(url, {"frequency": "month", "period": "2026-09-01"}).content.decode()
    assert len(served) < len(built)  # no widget or count read for the grid
    assert f'name="w{permit.pk}-demand" value="41"' in first and again.count('value="41"') == 1

    WidgetCount.objects.filter(pk=count.pk).update(demand=42, version=F("version") + 1)
    after = client.get(url, {"frequency": "month", "period": "2026-09-01"}).content.decode()
    assert f'name="w{permit.pk}-demand" value="42"' in after
    assert f'name="w{permit.pk}-version" value="{count.version + 1}"' in after


def test_each_reader_of_a_cached_grid_gets_their_own_csrf_token(staff_a, manager_a, grid_setup):
    """The form's token is outside the cached grid: a second reader's page (the grid
    from the cache) carries a token that their own save is accepted with."""
    import re

    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    url = f"{grid_setup['url']}?frequency=month&period=2026-09-01"
    pages = []
    for user in (staff_a, manager_a):  # both open the page; the second from the cache
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        page = browser.get(url).content.decode()
        form = page[page.index('class="count-grid-form"') :]  # not the header's sign-out form
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        pages.append((browser, token))
    saved = []
    for (browser, token), widget, demand in zip(
        pages, (grid_setup["title"], grid_setup["permit"]), (10, 11), strict=True
    ):
        response = browser.post(
            url, {"csrfmiddlewaretoken": token, **_row(widget, "", demand=str(demand))}
        )
        stored = WidgetCount.objects.get(widget=widget, period_start=PERIOD)
        saved.append((response.status_code, stored.demand))
    assert saved == [(302, 10), (302, 11)]


@pytest.mark.parametrize(
    ("frequency", "words"),
    [
        ("day", "every daily widget"),
        ("week", "every weekly widget"),
        ("month", "every monthly widget"),
        ("quarter", "every quarterly widget"),
        ("year", "every yearly (fiscal year) widget"),
    ],
)
def test_the_grid_names_its_widgets_frequency_in_words(client, agency_a, staff_a, frequency, words):
    """Not "every dayly widget" nor "every yearly widget" from the value plus "ly"."""
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency=frequency)
    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + f"?frequency={frequency}"
    assert words in client.get(url).text
