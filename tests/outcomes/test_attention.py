"""The attention list tells the truth (docs/outcomes.md, "The attention list"): each
kind shows on the home page and on the agency dashboard, and "nothing is waiting"
only when every kind is empty."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from outcomes import attention as outcome_attention
from tests import factories as f
from widgets import attention as widget_attention
from widgets.models import WidgetStatus

from .conftest import months_back, off_track_widget

pytestmark = pytest.mark.django_db
NOTHING_WAITING = "Nothing is waiting for you"
NOTHING_NEEDED = "Nothing needs attention"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clean(agency_a):
    """An agency with nothing to act on: one widget, counted, on time."""
    widget = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=widget, period_start=months_back(0), within_standard=90)
    return widget


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def home_kinds(client, user):
    return [item.kind for item in home(client, user).context["attention"]]


def dashboard_attention(client, user, agency):
    client.force_login(user)
    response = client.get(reverse("outcomes:dashboard", args=[agency.slug]))
    assert response.status_code == 200
    return response.context["attention"]


def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


def test_nothing_is_waiting_only_when_every_kind_is_empty(client, clean, manager_a, agency_a):
    response = home(client, manager_a)
    assert response.context["attention"] == []
    assert NOTHING_WAITING in response.text
    assert len(dashboard_attention(client, manager_a, agency_a)) == 0
    client.force_login(manager_a)
    assert NOTHING_NEEDED in client.get(reverse("outcomes:dashboard", args=["da"])).text


def test_an_off_track_outcome_without_a_countermeasure_is_on_its_managers_home_page(
    client, world, manager_a, staff_a
):
    response = home(client, manager_a)
    outcomes = [i for i in response.context["attention"] if i.kind == "outcomes"]
    assert [i.text for i in outcomes] == [
        "DA: 1 outcome off track without an open countermeasure: Cleaner air."
    ]
    assert NOTHING_WAITING not in response.text
    assert "outcomes" not in home_kinds(client, staff_a)  # managers add countermeasures
    f.CountermeasureFactory(outcome=world["outcome"], due_date=timezone.localdate())
    assert "outcomes" not in home_kinds(client, manager_a)


def test_a_countermeasure_past_due_is_on_the_home_page_and_the_dashboard(
    client, clean, manager_a, staff_a, agency_a
):
    outcome = f.OutcomeFactory(agency=agency_a, name="Fewer crashes")  # no data: not off track
    late = f.CountermeasureFactory(outcome=outcome, due_date=yesterday(), owner=staff_a)
    f.CountermeasureFactory(outcome=outcome, due_date=timezone.localdate())  # due today
    f.CountermeasureFactory(outcome=outcome, due_date=yesterday(), state="done")

    assert home_kinds(client, manager_a) == ["countermeasures"]
    assert home_kinds(client, staff_a) == ["countermeasures"]  # its owner
    assert dashboard_attention(client, manager_a, agency_a).countermeasures == [late]


def test_late_counts_are_on_the_home_page_and_the_dashboard(client, clean, manager_a, agency_a):
    f.WidgetFactory(agency=agency_a, name="Late licence", status=WidgetStatus.APPROVED)
    assert home_kinds(client, manager_a) == ["late"]
    late = dashboard_attention(client, manager_a, agency_a).late
    assert [w.name for w in late] == ["Late licence"]


def test_definitions_waiting_for_review_are_on_a_managers_home_page_and_the_dashboard(
    client, clean, manager_a, staff_a, agency_a
):
    f.WidgetFactory(
        agency=agency_a, name="New grant", status=WidgetStatus.SUBMITTED, submitted_by=staff_a
    )
    assert home_kinds(client, manager_a) == ["reviews"]
    assert home_kinds(client, staff_a) == []
    drafts = dashboard_attention(client, manager_a, agency_a).drafts
    assert [w.name for w in drafts] == ["New grant"]


def test_an_unexplained_balance_gap_is_listed_until_a_note_explains_it(
    client, clean, manager_a, staff_a, agency_a
):
    # 30 + demand 100 - delivered 90 - withdrawn 5 = 35, but the backlog is 20.
    f.WidgetCountFactory(widget=clean, period_start=months_back(1), backlog=30)
    gap = clean.counts.get(period_start=months_back(0))

    assert home_kinds(client, staff_a) == ["balance"]
    assert home_kinds(client, manager_a) == ["balance"]
    unbalanced = dashboard_attention(client, manager_a, agency_a).unbalanced
    assert [c.pk for c in unbalanced] == [gap.pk]

    gap.balance_note = "Thirty files moved to the regional office."
    gap.save()
    assert home_kinds(client, manager_a) == []
    assert dashboard_attention(client, manager_a, agency_a).unbalanced == []


def test_concerning_signals_from_the_hook_are_on_the_home_page_and_the_dashboard(
    client, clean, manager_a, agency_a, monkeypatch
):
    f.OutcomeFactory(agency=agency_a, name="Fewer crashes")
    monkeypatch.setattr(
        outcome_attention,
        "concerning_signals",
        lambda outcomes: [(o, "7 points in a row above the centre line") for o in outcomes],
    )
    response = home(client, manager_a)
    assert [i.kind for i in response.context["attention"]] == ["signals"]
    assert NOTHING_WAITING not in response.text
    attention = dashboard_attention(client, manager_a, agency_a)
    assert [o.name for o, _signal in attention.signals] == ["Fewer crashes"]
    assert len(attention) == 1


def test_data_quality_errors_from_the_hook_are_on_the_home_page_and_the_dashboard(
    client, clean, manager_a, agency_a, monkeypatch
):
    error = SimpleNamespace(
        widget=clean, period_label="October 2026", message="Within standard is above delivered."
    )
    monkeypatch.setattr(widget_attention, "data_quality_errors", lambda widgets, today: [error])
    response = home(client, manager_a)
    assert [i.kind for i in response.context["attention"]] == ["quality"]
    assert "Within standard is above delivered." in response.text
    attention = dashboard_attention(client, manager_a, agency_a)
    assert attention.quality == [error]
    assert len(attention) == 1


def test_an_outcome_whose_latest_point_is_a_concerning_signal_is_on_both_lists(
    client, clean, manager_a, agency_a
):
    """No hook faked: widgets.spc judges the series. Down is better; twelve steady
    months, then one far above the upper limit."""
    outcome = f.OutcomeFactory(agency=agency_a, name="Fewer crashes", direction="down")
    steady = [30, 31, 29, 30, 32, 30, 29, 31, 30, 30, 31, 29]
    for i, value in enumerate([*steady, 60]):
        f.MeasurementFactory(outcome=outcome, date=months_back(13 - i), value=value)
    f.CountermeasureFactory(outcome=outcome)  # its status is not what puts it on the list
    response = home(client, manager_a)
    signals = [i for i in response.context["attention"] if i.kind == "signals"]
    assert len(signals) == 1 and "Fewer crashes" in signals[0].text
    assert "above the upper process limit (concerning)" in signals[0].text
    attention = dashboard_attention(client, manager_a, agency_a)
    assert [o.name for o, _signal in attention.signals] == ["Fewer crashes"]


def test_an_improving_signal_is_not_on_the_attention_lists(client, clean, manager_a, agency_a):
    outcome = f.OutcomeFactory(agency=agency_a, name="Fewer crashes", direction="down")
    steady = [30, 31, 29, 30, 32, 30, 29, 31, 30, 30, 31, 29]
    for i, value in enumerate([*steady, 5]):
        f.MeasurementFactory(outcome=outcome, date=months_back(13 - i), value=value)
    assert [i for i in home(client, manager_a).context["attention"] if i.kind == "signals"] == []
    assert dashboard_attention(client, manager_a, agency_a).signals == []


# --- at a state's size: what comes first, and the rest folded ---------------------


def test_widgets_off_track_come_furthest_below_their_standard_first(client, manager_a, agency_a):
    for name, within in [("Anchor permit", 80), ("Boat licence", 70), ("Canal pass", 50)]:
        off_track_widget(agency_a, name, within)
    found = dashboard_attention(client, manager_a, agency_a).widgets
    # By name they would be A, B, C; by how far below 90% they are, C, B, A.
    assert [(w.name, w.shortfall) for w in found] == [
        ("Canal pass", 40),
        ("Boat licence", 20),
        ("Anchor permit", 10),
    ]
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).text
    row = html[html.index(">Canal pass</a>") :]
    row = row[: row.index("</tr>")]
    assert "50.0%" in row and "90.0%" in row and "40 points" in row


def test_a_long_list_shows_its_first_items_and_folds_the_rest(
    client, monkeypatch, manager_a, agency_a
):
    """Every item is on the page; past Attention.SHOWN they are behind "Show N more"
    (a <details>, opened without a request), so that the first screen is not a wall."""
    monkeypatch.setattr(outcome_attention.Attention, "SHOWN", 2)
    for name, within in [("Anchor permit", 80), ("Boat licence", 70), ("Canal pass", 50)]:
        off_track_widget(agency_a, name, within)
    for name in ["Late one", "Late two", "Late three"]:
        f.WidgetFactory(agency=agency_a, name=name, status=WidgetStatus.APPROVED)
    client.force_login(manager_a)
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).text
    section = html[html.index('id="attention-heading"') : html.index("</section>")]
    shown, folded = section.split("<details", 1)[0], section.split("<details", 1)[1]
    assert "Canal pass" in shown and "Boat licence" in shown
    assert "Anchor permit" not in shown
    assert folded.index("<summary>Show 1 more</summary>") < folded.index("Anchor permit")
    late = section[section.index("Late counts (3)") :]
    assert "Late one" in late.split("<details", 1)[0]  # by name: one, three, two
    assert "Late three" in late.split("<details", 1)[0]
    assert "Late two" in late.split("<details", 1)[1].split("</details>")[0]


def test_in_parts_gives_the_first_items_and_the_rest_folded():
    from agencies.templatetags.lists import Part, in_parts

    assert in_parts([], 3) == []
    assert in_parts(None, 3) == []
    assert in_parts([1, 2, 3], 3) == [Part([1, 2, 3], False)]
    assert in_parts(range(5), "3") == [Part([0, 1, 2], False), Part([3, 4], True)]
