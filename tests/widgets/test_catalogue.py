"""The catalogue list: filters, search, sort, export, and a flat query count."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agencies.people import display_name, name_in_sql, name_of
from widgets.models import WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("widgets:list")


def _names(response):
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def catalogue(agency_a, agency_b):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    permit = f.WidgetFactory(
        agency=agency_a, name="Air quality permit", status=WidgetStatus.APPROVED
    )
    permit.customer_segments.add(segment)
    f.WidgetFactory(
        agency=agency_a,
        name="Processing applications",
        description="We process forms.",
        definition_of_done="",
        status=WidgetStatus.DRAFT,
    )
    title = f.WidgetFactory(
        agency=agency_b,
        name="Vehicle title",
        kind="record",
        description="Proof of ownership of a car.",
        status=WidgetStatus.APPROVED,
    )
    title.customer_segments.add(f.CustomerSegmentFactory(agency=agency_b, name="Car owners"))
    f.WidgetFactory(agency=agency_b, name="Secret draft", status=WidgetStatus.DRAFT)
    return {"segment": segment, "permit": permit}


def test_list_opens_on_the_users_own_agency(client, staff_a, catalogue):
    client.force_login(staff_a)
    assert sorted(_names(client.get(URL))) == ["Air quality permit", "Processing applications"]


def test_all_agencies_shows_others_approved_widgets_but_not_their_drafts(
    client, staff_a, catalogue
):
    client.force_login(staff_a)
    names = _names(client.get(URL, {"agency": ""}))
    assert "Vehicle title" in names
    assert "Secret draft" not in names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ownership"}, ["Vehicle title"]),
        ({"q": "air permit"}, ["Air quality permit"]),
        ({"kind": "record"}, ["Vehicle title"]),
        ({"status": "draft"}, ["Processing applications"]),
        ({"has_problems": "yes"}, ["Processing applications"]),
        ({"segment": "SEGMENT"}, ["Air quality permit"]),
    ],
)
def test_filters_and_search(client, staff_a, catalogue, query, expected):
    client.force_login(staff_a)
    if query.get("segment") == "SEGMENT":
        query = {"segment": catalogue["segment"].pk}
    assert _names(client.get(URL, {"agency": "", **query})) == expected


def test_sort_by_quality_puts_problems_first(client, staff_a, catalogue):
    client.force_login(staff_a)
    names = _names(client.get(URL, {"agency": "", "sort": "quality_score"}))
    assert names[0] == "Processing applications"
    assert _names(client.get(URL, {"agency": "", "sort": "-name"}))[0] == "Vehicle title"


def test_export_csv_holds_the_filtered_rows_with_formulas_neutralised(client, staff_a, agency_a):
    f.WidgetFactory(agency=agency_a, name='=HYPERLINK("http://x")', description="+1 call")
    f.WidgetFactory(agency=agency_a, name="Birth certificate")
    client.force_login(staff_a)
    response = client.get(URL, {"agency": agency_a.pk, "export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="widgets.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["name"] for r in rows} == {'\'=HYPERLINK("http://x")', "Birth certificate"}
    assert next(r for r in rows if r["name"].startswith("'"))["description"] == "'+1 call"


def test_export_xlsx_holds_the_filtered_rows(client, staff_a, agency_a):
    f.WidgetFactory(agency=agency_a, name="@SUM(A1)")
    f.WidgetFactory(agency=agency_a, name="Fishing license")
    client.force_login(staff_a)
    response = client.get(URL, {"agency": agency_a.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    names = sorted(
        row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert names == ["'@SUM(A1)", "Fishing license"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(client, staff_a, agency_a):
    client.force_login(staff_a)
    widget = f.WidgetFactory(agency=agency_a)
    f.WidgetCountFactory(widget=widget)
    one = _queries(client, URL)
    for n in range(99):
        w = f.WidgetFactory(agency=agency_a, owner=staff_a)
        w.customer_segments.add(f.CustomerSegmentFactory(agency=agency_a))
        if n % 3 == 0:
            f.WidgetCountFactory(widget=w)
    assert _queries(client, URL) == one


def test_sparkline_skips_unknown_periods(client, staff_a, agency_a):
    import datetime as dt

    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    for month, delivered in [(1, 10), (2, None), (3, 30)]:
        f.WidgetCountFactory(
            widget=widget,
            period_start=dt.date(2026, month, 1),
            delivered=delivered,
            within_standard=None,
            rework=None,
        )
    client.force_login(staff_a)
    body = client.get(URL).content.decode()
    assert 'aria-label="Delivered: January 2026: 10, March 2026: 30"' in body


def test_each_sparkline_shows_its_own_widgets_last_12_periods_at_its_frequency(
    client, staff_a, agency_a
):
    """A daily and a monthly widget on one page: each line is its own widget's 12 newest
    periods (not the newest rows of the page, not another widget's), oldest first."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    daily = f.WidgetFactory(
        agency=agency_a, name="Daily permit", reporting_frequency="day", status="approved"
    )
    monthly = f.WidgetFactory(
        agency=agency_a, name="Monthly permit", reporting_frequency="month", status="approved"
    )
    days = [today - dt.timedelta(days=n) for n in range(1, 15)]  # 14 days back
    for n, day in enumerate(days):
        f.WidgetCountFactory(
            widget=daily, period_start=day, delivered=n, within_standard=None, rework=None
        )
    month = today.replace(day=1)
    months = []
    for n in range(14):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
        f.WidgetCountFactory(
            widget=monthly, period_start=month, delivered=100 + n, within_standard=None
        )
    client.force_login(staff_a)
    response = client.get(URL, {"agency": agency_a.pk})
    lines = {
        row.record.name: row.record.recent_counts
        for row in response.context["table"].page.object_list
    }
    assert [c.period_start for c in lines["Daily permit"]] == days[:12]
    assert [c.period_start for c in lines["Monthly permit"]] == months[:12]
    body = response.content.decode()
    # Each point is named as its period: a day, or a month.
    assert (
        "Delivered: "
        + ", ".join(f"{d:%-d %b %Y}: {n}" for n, d in reversed(list(enumerate(days[:12]))))
        in body
    )
    assert (
        "Delivered: "
        + ", ".join(f"{m:%B %Y}: {100 + n:,}" for n, m in reversed(list(enumerate(months[:12]))))
        in body
    )


def test_the_sparkline_window_covers_every_frequency():
    from widgets.catalogue.selectors import SPARKLINE_REACH
    from widgets.periods import Frequency

    assert set(SPARKLINE_REACH) == set(Frequency.values)


def test_filter_offers_only_readable_agencies_and_the_chosen_agencys_programs(
    client, staff_a, outsider, agency_a, agency_b
):
    f.ProgramFactory(agency=agency_a, name="Air")
    f.ProgramFactory(agency=agency_b, name="Roads")
    client.force_login(outsider)
    form = client.get(URL).context["filter"].form
    assert list(form.fields["agency"].queryset) == []
    client.force_login(staff_a)
    form = client.get(URL, {"agency": agency_a.pk}).context["filter"].form
    assert [p.name for p in form.fields["program"].queryset] == ["Air"]
    form = client.get(URL, {"agency": ""}).context["filter"].form
    assert {p.name for p in form.fields["program"].queryset} >= {"Air", "Roads"}


def test_list_is_served_from_the_cache_until_the_data_changes(client, staff_a, agency_a):
    client.force_login(staff_a)
    widget = f.WidgetFactory(agency=agency_a, name="Air quality permit")
    with CaptureQueriesContext(connection) as first:
        assert "Air quality permit" in client.get(URL).text
    with CaptureQueriesContext(connection) as second:
        assert "Air quality permit" in client.get(URL).text
    assert len(second.captured_queries) < len(first.captured_queries)
    assert not [q for q in second.captured_queries if "widgets_widget" in q["sql"]]
    # A write by any path (here a queryset update, no signals) shows at once.
    type(widget).objects.filter(pk=widget.pk).update(name="Air permit renewal")
    page = client.get(URL).text
    assert "Air permit renewal" in page
    assert "Air quality permit" not in page


def _widgets_read(captured):
    return [q for q in captured.captured_queries if "widgets_widget" in q["sql"]]


def test_a_count_saved_for_a_widget_not_listed_keeps_the_cached_list(
    client, staff_a, agency_a, agency_b
):
    """A state saves counts all day: the list is kept under the definitions' (base)
    versions and the counts versions of the widgets it shows, so a count of another
    widget, here of another agency, does not build it again."""
    client.force_login(staff_a)
    f.WidgetFactory(agency=agency_a, name="Air quality permit")
    elsewhere = f.WidgetFactory(agency=agency_b, name="Road permit")
    client.get(URL)  # the user's own agency's widgets: not the road permit
    f.WidgetCountFactory(widget=elsewhere, period_start=dt.date.today().replace(day=1))
    with CaptureQueriesContext(connection) as captured:
        assert "Air quality permit" in client.get(URL).text
    assert _widgets_read(captured) == []


def test_a_count_saved_for_a_listed_widget_shows_in_its_sparkline_at_once(
    client, staff_a, agency_a
):
    client.force_login(staff_a)
    widget = f.WidgetFactory(
        agency=agency_a, name="Air quality permit", reporting_frequency="month"
    )
    this_month = dt.date.today().replace(day=1)
    f.WidgetCountFactory(widget=widget, period_start=this_month, delivered=400)
    assert "Not enough counts yet" in client.get(URL).text
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    f.WidgetCountFactory(widget=widget, period_start=last_month, delivered=4321)
    assert "4,321" in client.get(URL).text


def test_people_with_another_scope_do_not_get_a_cached_list(client, staff_a, staff_b, agency_a):
    f.WidgetFactory(agency=agency_a, name="Draft of A", status=WidgetStatus.DRAFT)
    client.force_login(staff_a)
    assert "Draft of A" in client.get(URL + "?agency=").text
    client.force_login(staff_b)
    assert "Draft of A" not in client.get(URL + "?agency=").text


def test_the_filters_offer_what_is_in_scope_each_once_by_name(
    client, staff_a, agency_a, agency_b, manager_b
):
    """With an agency chosen, its programs, live customer segments and the owners of
    its widgets; with all agencies, those of every agency. Each owner once however
    many widgets they own; nobody who owns none."""
    programs = [
        f.ProgramFactory(agency=a, name=f"Licensing {a.abbreviation}") for a in (agency_a, agency_b)
    ]
    f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    f.CustomerSegmentFactory(agency=agency_a, name="Former customers", archived=True)
    f.CustomerSegmentFactory(agency=agency_b, name="Boaters")
    for _ in range(3):
        f.WidgetFactory(agency=agency_a, program=programs[0], owner=staff_a)
    f.WidgetFactory(
        agency=agency_b, program=programs[1], owner=manager_b, status=WidgetStatus.APPROVED
    )
    f.UserFactory(username="aaa-owns-nothing")
    client.force_login(staff_a)

    def offered(response, name):
        return [
            label
            for value, label in response.context["filter"].form.fields[name].choices
            if value != ""
        ]

    one = client.get(URL, {"agency": agency_a.pk})
    assert offered(one, "program") == ["Licensing DA"]
    assert offered(one, "segment") == ["Farmers"]
    assert offered(one, "owner") == [staff_a.get_full_name()]
    every = client.get(URL, {"agency": ""})
    assert sorted(offered(every, "program")) == ["Licensing DA", "Licensing DB"]
    assert sorted(offered(every, "segment")) == ["Boaters", "Farmers"]
    assert offered(every, "owner") == sorted([staff_a.get_full_name(), manager_b.get_full_name()])


def test_a_page_past_the_end_shows_the_last_and_a_page_not_a_number_the_first(
    client, staff_a, agency_a
):
    """A link to page 3 kept from when the list was longer still opens a page of it:
    the table paginates alone (no 404 from ListView's own pagination)."""
    client.force_login(staff_a)
    for n in range(30):
        f.WidgetFactory(agency=agency_a, name=f"Widget {n:02}")
    last = client.get(URL, {"agency": agency_a.pk, "page": 99})
    assert last.status_code == 200
    assert _names(last) == [f"Widget {n:02}" for n in range(25, 30)]
    first = client.get(URL, {"agency": agency_a.pk, "page": "x"})
    assert first.status_code == 200
    assert _names(first) == [f"Widget {n:02}" for n in range(25)]


def test_the_rows_are_counted_once_a_page(client, staff_a, agency_a):
    """The number found is counted once: ListView's pagination counted it again."""
    client.force_login(staff_a)
    f.WidgetFactory(agency=agency_a)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"agency": agency_a.pk}).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1, counts


def test_the_page_reads_only_what_its_cells_show(client, staff_a, agency_a):
    """The rows shown are read without their descriptions and definitions (long
    texts no cell shows); an export still writes them."""
    client.force_login(staff_a)
    f.WidgetFactory(agency=agency_a, definition_of_done="Handed over, signed.")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"agency": agency_a.pk}).status_code == 200
    rows = [q["sql"] for q in ctx.captured_queries if '"widgets_widget"."kind"' in q["sql"]]
    assert rows and not any("definition_of_done" in sql for sql in rows), rows
    export = client.get(URL, {"agency": agency_a.pk, "export": "csv"})
    assert "Handed over, signed." in export.content.decode()


def test_the_sparkline_comes_before_the_widest_columns(client, staff_a, agency_a):
    """The sparklines were off screen at 1280 px at a state's size, behind the owner
    (an e-mail address) and the definition's score: they now come right after the
    status."""
    f.WidgetFactory(agency=agency_a, owner=staff_a)
    client.force_login(staff_a)
    html = client.get(reverse("widgets:list")).text
    head = html[html.index("<thead>") : html.index("</thead>")]
    order = [head.index(h) for h in ("Status", "Delivered, last 12 periods", "Owner")]
    assert order == sorted(order)
    assert head.index("Delivered, last 12 periods") < head.index("Definition quality")


def test_owners_are_named_as_every_page_names_them_and_sorted_by_that_name(
    client, staff_a, agency_a
):
    """The owner column said the username (at a state's size an e-mail address) where
    the widget's page says the person's name: it says the name, else the username,
    and sorts by what it says."""
    owners = {
        "Zed": f.UserFactory(username="a.zed@example.gov", first_name="", last_name="Zed"),
        "Ann Lee": f.UserFactory(username="z.lee@example.gov", first_name="Ann", last_name="Lee"),
        "m.nobody@example.gov": f.UserFactory(
            username="m.nobody@example.gov", first_name=" ", last_name=""
        ),
    }
    for name, owner in owners.items():
        f.WidgetFactory(agency=agency_a, name=f"Owned by {name}", owner=owner)
    client.force_login(staff_a)
    response = client.get(URL, {"agency": agency_a.pk, "sort": "owner"})
    shown = [row.get_cell("owner") for row in response.context["table"].page.object_list]
    assert shown == ["Ann Lee", "m.nobody@example.gov", "Zed"]
    for owner in owners.values():
        assert display_name(owner) in response.text


def test_two_owners_of_the_same_name_are_told_apart_in_the_filter(client, staff_a, agency_a):
    """Two people called Pat Lee: the filter offers each with their username; the
    choice filters by the person, not the name."""
    first, second = (
        f.UserFactory(username=u, first_name="Pat", last_name="Lee") for u in ("plee", "plee2")
    )
    f.WidgetFactory(agency=agency_a, name="Lee's permit", owner=first)
    f.WidgetFactory(agency=agency_a, name="Other Lee's permit", owner=second)
    client.force_login(staff_a)
    response = client.get(URL, {"agency": agency_a.pk, "owner": second.pk})
    choices = response.context["filter"].form.fields["owner"].choices
    assert [label for value, label in choices if value != ""] == [
        "Pat Lee (plee)",
        "Pat Lee (plee2)",
    ]
    assert _names(response) == ["Other Lee's permit"]


@pytest.mark.parametrize(
    ("first", "last", "username"),
    [("Ann", "Lee", "al"), ("", "Lee", "l"), ("Ann", "", "a"), ("", "", "nobody"), (" ", " ", "s")],
)
def test_the_name_in_sql_and_from_fields_is_display_name(first, last, username):
    """The list sorts by the name in SQL and its filter names people from their
    fields: both as display_name says."""
    user = f.UserFactory(username=username, first_name=first, last_name=last)
    named = get_user_model().objects.annotate(shown=name_in_sql()).get(pk=user.pk)
    assert named.shown == display_name(user) == name_of(first, last, username)


@pytest.mark.parametrize(
    ("frequency", "periods", "labels"),
    [
        ("day", [dt.date(2026, 11, 30), dt.date(2026, 12, 1)], ["1 Dec 2026", "30 Nov 2026"]),
        ("month", [dt.date(2026, 10, 1), dt.date(2026, 11, 1)], ["November 2026", "October 2026"]),
    ],
)
def test_the_widget_pages_recent_counts_name_each_period_at_its_frequency(
    client, staff_a, agency_a, frequency, periods, labels
):
    """A daily widget's recent counts each said "Dec 2026": three days of December
    read as three Decembers. Each period is named as the count history names it."""
    widget = f.WidgetFactory(agency=agency_a, reporting_frequency=frequency)
    for period in periods:
        f.WidgetCountFactory(widget=widget, period_start=period)
    client.force_login(staff_a)
    html = client.get(widget.get_absolute_url()).text
    table = html[html.index("<h2>Recent counts</h2>") :]
    rows = re.findall(r'<th scope="row" data-label="Period">([^<]*)</th>', table)
    assert rows == labels
