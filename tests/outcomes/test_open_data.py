"""The public page's open data (outcomes.open_data, outcomes.public_views): exactly what
the page shows (approved widgets and outcomes of an agency that publishes), with
columns that match the data dictionary, safe to open in a spreadsheet, cacheable by
anyone; and each published measure's chart with its words and table."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes import open_data
from outcomes.periods import add_months
from tests import factories as f
from widgets import measures
from widgets.models import WidgetCount, WidgetStatus
from widgets.periods import Frequency, period_start

from .conftest import months_back

pytestmark = pytest.mark.django_db

NAMES = ["data", "widgets-csv", "outcomes-csv", "data-json", "dictionary-csv"]


@pytest.fixture
def published(world, agency_a, agency_b):
    """Agency A publishes; beside its two approved widgets, a draft and a submitted one,
    both with counts. Agency B (not publishing) has an approved widget with counts and
    an outcome with a measurement."""
    agency_a.publishes = True
    agency_a.save()
    for status, name in ((WidgetStatus.DRAFT, "Secret draft"), (WidgetStatus.SUBMITTED, "Pending")):
        hidden = f.WidgetFactory(agency=agency_a, name=name, status=status)
        f.WidgetCountFactory(widget=hidden, period_start=months_back(0))
    other = f.WidgetFactory(
        agency=agency_b, name="Other agency's permit", status=WidgetStatus.APPROVED
    )
    f.WidgetCountFactory(widget=other, period_start=months_back(0))
    other_outcome = f.OutcomeFactory(agency=agency_b, name="Other agency's result")
    f.MeasurementFactory(outcome=other_outcome, date=months_back(1), value=Decimal(3))
    return agency_a


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_exports_hold_exactly_the_published_widgets_and_outcomes(client, published, world):
    widgets = _csv(client.get(reverse("public:widgets-csv", args=[published.slug])))
    assert {r["widget"] for r in widgets} == {"Air permit", "Water permit"}
    assert len(widgets) == 6  # three months each
    outcomes = _csv(client.get(reverse("public:outcomes-csv", args=[published.slug])))
    assert {r["outcome"] for r in outcomes} == {"Cleaner air"}
    assert len(outcomes) == 8
    document = client.get(reverse("public:data-json", args=[published.slug])).json()
    rows = document["datasets"]["widgets"]["rows"]
    assert {r["widget"] for r in rows} == {"Air permit", "Water permit"}
    assert {r["outcome"] for r in document["datasets"]["outcomes"]["rows"]} == {"Cleaner air"}
    text = str(document) + str(widgets) + str(outcomes)
    for secret in ("Secret draft", "Pending", "Other agency", "cost", "backlog"):
        assert secret not in text


def test_the_figures_are_the_counts_and_unknown_stays_blank(client, published, world):
    f.WidgetCountFactory(
        widget=world["good"], period_start=months_back(4), delivered=40, within_standard=None
    )
    rows = _csv(client.get(reverse("public:widgets-csv", args=[published.slug])))
    air = [r for r in rows if r["widget"] == "Air permit"]
    newest = air[-1]
    assert newest["period_start"] == months_back(0).isoformat()
    assert (newest["delivered"], newest["within_standard"], newest["on_time_share"]) == (
        "100",
        "95",
        "95.0",
    )
    assert (newest["standard_days"], newest["standard_share"]) == ("30", "90")
    unknown = air[0]
    assert unknown["period_start"] == months_back(4).isoformat()
    assert (unknown["delivered"], unknown["within_standard"], unknown["on_time_share"]) == (
        "40",
        "",
        "",
    )
    document = client.get(reverse("public:data-json", args=[published.slug])).json()
    first = document["datasets"]["widgets"]["rows"][0]
    assert (first["within_standard"], first["on_time_share"]) == (None, None)
    measured = document["datasets"]["outcomes"]["rows"]
    assert [r["value"] for r in measured] == list(range(38, 46))
    assert measured[0]["date"] == months_back(7).isoformat()


def _from_the_counts(agency, start, end):
    """The widgets dataset's figures worked out from the count rows, as it defines
    them: per widget and the month each count's period starts in, delivered summed,
    within standard and delivered summed over the counts where both are known."""
    found = {}
    counts = WidgetCount.objects.filter(
        widget__agency=agency,
        widget__status=WidgetStatus.APPROVED,
        period_start__gte=start,
        period_start__lt=end,
    )
    for c in counts:
        row = found.setdefault((c.widget_id, c.period_start.replace(day=1)), [None, None, None])
        if c.delivered is not None:
            row[0] = (row[0] or 0) + c.delivered
        if c.delivered is not None and c.within_standard is not None:
            row[1] = (row[1] or 0) + c.within_standard
            row[2] = (row[2] or 0) + c.delivered
    return {
        key: (delivered, within, measures.ratio(within, known))
        for key, (delivered, within, known) in found.items()
    }


def test_the_widget_rows_are_the_sums_of_the_counts_at_every_frequency(published, world):
    """Read from the month roll-ups, each row is what the counts say: a week that starts
    in one month and ends in the next is the first month's; a quarter keeps its period;
    unknown parts leave the on-time share to the periods where both are known."""
    first = months_back(2)
    by_frequency = {}
    for frequency in (Frequency.DAY, Frequency.WEEK, Frequency.QUARTER):
        by_frequency[frequency] = f.WidgetFactory(
            agency=published,
            name=f"Counted {frequency}",
            status=WidgetStatus.APPROVED,
            reporting_frequency=frequency,
        )
    day = by_frequency[Frequency.DAY]
    for n, (delivered, within) in enumerate([(10, 9), (5, None), (None, 2), (7, 7)]):
        f.WidgetCountFactory(
            widget=day,
            period_start=first + dt.timedelta(days=n * 20),
            delivered=delivered,
            within_standard=within,
        )
    # A week that ends in the next month: in a month that does not end on a Sunday.
    last_day = next(
        d
        for d in (add_months(months_back(n), 1) - dt.timedelta(days=1) for n in (2, 3, 4))
        if d.weekday() != 6
    )
    week_start = last_day - dt.timedelta(days=last_day.weekday())
    f.WidgetCountFactory(
        widget=by_frequency[Frequency.WEEK], period_start=week_start, delivered=3, within_standard=1
    )
    quarter = period_start(first, Frequency.QUARTER)
    f.WidgetCountFactory(
        widget=by_frequency[Frequency.QUARTER],
        period_start=quarter,
        delivered=30,
        within_standard=24,
    )
    start, end = open_data.months_shown()
    rows = open_data.widget_rows(published, start=start, end=end)
    shown = {
        (r["widget_id"], r["period_start"]): (
            r["delivered"],
            r["within_standard"],
            r["on_time_share"],
        )
        for r in rows
    }
    expected = {
        key: (delivered, within, None if share is None else round(share * 100, 1))
        for key, (delivered, within, share) in _from_the_counts(published, start, end).items()
    }
    assert shown == expected
    week = (by_frequency[Frequency.WEEK].pk, week_start.replace(day=1))
    assert shown[week] == (3, 1, Decimal("33.3"))
    assert [r["period"] for r in rows if r["widget_id"] == by_frequency[Frequency.QUARTER].pk] == [
        open_data.describe_period(quarter, Frequency.QUARTER)
    ]


def test_the_widget_rows_read_the_month_roll_ups_not_the_counts(client, published):
    """Whatever the number of counts, the dataset sums at most twelve months per
    widget (the public page, its CSV and its JSON)."""
    for name in ("widgets-csv", "data-json", "agency"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(f"public:{name}", args=[published.slug])).status_code == 200
        assert [q["sql"] for q in captured if "widgets_widgetcount" in q["sql"]] == []


def test_columns_match_the_data_dictionary(client, published):
    for name, url in (("widgets", "public:widgets-csv"), ("outcomes", "public:outcomes-csv")):
        response = client.get(reverse(url, args=[published.slug]))
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header == [c.name for c in open_data.DATASETS[name]]
    document = client.get(reverse("public:data-json", args=[published.slug])).json()
    for name, dataset in document["datasets"].items():
        columns = [c["column"] for c in dataset["dictionary"]]
        assert columns == [c.name for c in open_data.DATASETS[name]]
        assert all(list(row) == columns for row in dataset["rows"])
        assert all(c["meaning"] and c["unit"] for c in dataset["dictionary"])
    dictionary = _csv(client.get(reverse("public:dictionary-csv", args=[published.slug])))
    assert [(r["dataset"], r["column"]) for r in dictionary] == [
        (name, c.name) for name, columns in open_data.DATASETS.items() for c in columns
    ]
    page = client.get(reverse("public:data", args=[published.slug])).text
    for columns in open_data.DATASETS.values():
        for c in columns:
            assert f"<code>{c.name}</code>" in page


def test_the_public_page_links_its_open_data(client, published):
    html = client.get(reverse("public:agency", args=[published.slug])).text
    for name in NAMES:
        assert f'href="{reverse(f"public:{name}", args=[published.slug])}"' in html


def test_downloads_say_what_they_are_and_may_be_cached_by_anyone(client, published):
    for name, content_type in (
        ("widgets-csv", "text/csv; charset=utf-8"),
        ("outcomes-csv", "text/csv; charset=utf-8"),
        ("dictionary-csv", "text/csv; charset=utf-8"),
        ("data-json", "application/json"),
    ):
        response = client.get(reverse(f"public:{name}", args=[published.slug]))
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"] == "public, max-age=3600"


def test_a_signed_in_visitors_copy_is_not_stored(client, published, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("public:widgets-csv", args=[published.slug]))
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_name_a_spreadsheet_would_run_is_neutralised(client, published, world):
    world["good"].name = '=HYPERLINK("http://evil.example","x")'
    world["good"].save()
    rows = _csv(client.get(reverse("public:widgets-csv", args=[published.slug])))
    assert {r["widget"] for r in rows} == {"'" + world["good"].name, "Water permit"}


@pytest.mark.parametrize("name", NAMES)
def test_an_agency_that_does_not_publish_has_no_open_data(client, world, agency_a, name):
    assert client.get(reverse(f"public:{name}", args=[agency_a.slug])).status_code == 404


def test_each_published_measure_has_a_chart_with_words_and_its_table(client, published, world):
    response = client.get(reverse("public:agency", args=[published.slug]))
    widgets = {w.name: w for w in response.context["widgets"]}
    air = widgets["Air permit"].public_chart
    assert air.summary.startswith(f"{months_back(0):%B %Y}: 95.0% delivered on time")
    assert air.table.rows[-1] == [f"{months_back(0):%B %Y}", "100", "95", "95.0%"]
    assert [d["On time"] for d in air.spec["data"]["values"]] == [95.0, 95.0, 95.0]
    assert {d["Standard"] for d in air.spec["data"]["values"]} == {90.0}
    [outcome] = response.context["outcomes"]
    chart = outcome.public_chart
    assert len(chart.table.rows) == 8 and chart.table.rows[-1][1] == "45"
    assert [d["Measured"] for d in chart.spec["data"]["values"]] == list(range(38, 46))
    html = response.text
    assert html.count('class="chart__table"') == 3
    assert html.count("data-vega-spec=") == 3


def test_the_outcome_rows_are_each_measurement_with_its_outcome_in_name_order(published, world):
    """Each row: its outcome's own fields, its measurement, and the trajectory on its
    date; outcomes by name (then id), measurements by date."""
    from outcomes.status import trajectory_value

    later = f.OutcomeFactory(
        agency=published,
        name="Apprentices placed",
        direction="up",
        unit="people",
        baseline_value=Decimal("10.5"),
        target_value=Decimal(30),
        baseline_date=months_back(10),
        target_date=add_months(months_back(0), 12),
    )
    for n in (3, 1, 2):
        f.MeasurementFactory(outcome=later, date=months_back(n), value=Decimal(12 + n))
    rows = open_data.outcome_rows(published)
    air = world["outcome"]
    assert [(r["outcome"], r["date"]) for r in rows] == [
        *[("Apprentices placed", months_back(n)) for n in (3, 2, 1)],
        *[("Cleaner air", months_back(7 - n)) for n in range(8)],
    ]
    for row in rows:
        o = later if row["outcome_id"] == later.pk else air
        assert {k: row[k] for k in ("agency", "outcome", "measure", "unit", "direction")} == {
            "agency": published.name,
            "outcome": o.name,
            "measure": o.measure,
            "unit": o.unit,
            "direction": o.direction,
        }
        assert (row["baseline_value"], row["target_value"]) == (
            open_data.number(o.baseline_value),
            open_data.number(o.target_value),
        )
        assert (row["baseline_date"], row["target_date"]) == (o.baseline_date, o.target_date)
        expected = trajectory_value(
            baseline_value=o.baseline_value,
            baseline_date=o.baseline_date,
            target_value=o.target_value,
            target_date=o.target_date,
            on=row["date"],
        )
        assert row["target_trajectory"] == open_data.number(round(expected, 4))
