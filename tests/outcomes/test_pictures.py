"""The dashboard as a picture first (outcomes.pictures): each widget's series is
its own counts, its measure is judged by the same process behaviour rules as an
outcome, and what needs attention comes first."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes import pictures
from outcomes.dashboard import add_months, reference_month
from outcomes.models import Outcome
from outcomes.periods import Window
from outcomes.selectors import with_latest, with_marks, with_status
from outcomes.status import Status
from tests import factories as f
from widgets import spc
from widgets.models import WidgetStatus
from widgets.pictures import series

pytestmark = pytest.mark.django_db


def window():
    month = reference_month()
    return Window("month", month, add_months(month, 1), f"{month:%B %Y}")


def counted(agency, name, shares, *, standard="90.00", backlog=20, program=None):
    """An approved monthly widget whose on-time share ends with `shares` (percent
    of 100 delivered), the last in the latest due month."""
    widget = f.WidgetFactory(
        agency=agency,
        name=name,
        **({"program": program} if program else {}),
        status=WidgetStatus.APPROVED,
        standard_share=None if standard is None else Decimal(standard),
    )
    for back, share in enumerate(reversed(shares)):
        f.WidgetCountFactory(
            widget=widget,
            period_start=add_months(reference_month(), -back),
            demand=100,
            delivered=100,
            within_standard=share,
            withdrawn=0,
            backlog=backlog,
        )
    return widget


def picture_of(widget, status=Status.ON_TRACK):
    widget.status = status
    return pictures.widget_pictures([widget], window())[0].picture


def test_the_series_are_the_widgets_own_counts_oldest_first_and_end_with_the_window(agency_a):
    widget = counted(agency_a, "Air permit", [91, 92, 93])
    later = f.WidgetCountFactory(widget=widget, period_start=add_months(reference_month(), 1))
    rows = series([widget], window().end)[widget.pk]
    assert [r["within_standard"] for r in rows] == [91, 92, 93]
    assert later.period_start not in [r["period_start"] for r in rows]
    data = picture_of(widget).flow.spec["data"]["values"]
    assert [d["Delivered"] for d in data] == [100, 100, 100]
    assert data[-1]["period"] == reference_month().isoformat()


def test_only_the_last_periods_are_drawn(agency_a):
    widget = counted(agency_a, "Air permit", [90] * (pictures.PERIODS + 6))
    rows = series([widget], window().end)[widget.pk]
    assert len(rows) == pictures.PERIODS
    assert rows[0]["period_start"] == add_months(reference_month(), 1 - pictures.PERIODS)


def test_the_on_time_chart_has_the_limits_of_the_process_behaviour_rules_and_the_standard(
    agency_a,
):
    shares = [94, 95, 93, 96, 94, 95, 93, 94, 96, 95, 94, 93, 95, 70]
    widget = counted(agency_a, "Air permit", shares, standard="87.50")
    picture = picture_of(widget)
    expected = spc.analyse(
        [add_months(reference_month(), -n) for n in reversed(range(len(shares)))],
        [Decimal(s) for s in shares],
        direction="up",
        target=Decimal("87.50"),
    )
    assert picture.analysis.limits == expected.limits
    assert picture.analysis.concerning  # 70% is below the lower limit: the worse side
    values = picture.measure.spec["data"]["values"]
    assert values[-1]["value"] == 70.0 and values[-1]["signal"] == "concerning"
    assert values[0]["upper"] == float(expected.limits.upper)
    assert values[0]["lower"] == float(expected.limits.lower)
    targets = [layer for layer in picture.measure.spec["layer"] if "data" in layer]
    assert targets[0]["data"]["values"] == [{"target": 87.5}]
    assert "against the target of 87.5%" in picture.measure.summary
    assert picture.measure.table.rows[-1][1] == "70.0%"
    assert picture.measure.table.rows[-1][3].startswith("Concerning: ")


def test_without_a_standard_the_backlog_is_the_measure_lower_is_better(agency_a):
    widget = counted(agency_a, "Records", [90] * 3, standard=None, backlog=40)
    picture = picture_of(widget)
    assert picture.measure_label == "Backlog"
    assert picture.analysis.direction == "down" and picture.analysis.assurance is None
    assert [d["value"] for d in picture.measure.spec["data"]["values"]] == [40.0] * 3


def test_what_needs_attention_comes_first(agency_a):
    steady = [94, 95, 93, 96, 94, 95, 93, 94, 96, 95, 94, 93, 95, 94]
    calm = counted(agency_a, "A calm one", steady)
    risky = counted(agency_a, "B at risk", steady)
    falling = counted(agency_a, "C concerning", [*steady[:-1], 70])
    red = counted(agency_a, "D off track", steady)
    empty = f.WidgetFactory(agency=agency_a, name="E no counts", status=WidgetStatus.APPROVED)
    statuses = {
        calm: Status.ON_TRACK,
        risky: Status.AT_RISK,
        falling: Status.ON_TRACK,
        red: Status.OFF_TRACK,
        empty: Status.UNKNOWN,
    }
    for widget, status in statuses.items():
        widget.status = status
    ordered = pictures.widget_pictures([calm, empty, risky, falling, red], window())
    assert [w.name for w in ordered] == [
        "D off track",
        "C concerning",
        "B at risk",
        "A calm one",
        "E no counts",
    ]
    # Ranked by their marks, drawn by none yet: a page draws only what it shows.
    assert not any({"flow", "measured"} & set(w.picture.__dict__) for w in ordered)
    assert falling.picture.analysis is falling.picture.analysis  # judged once
    drawn = falling.picture.measured.analysis
    assert (drawn.variation, drawn.assurance) == (
        falling.picture.analysis.variation,
        falling.picture.analysis.assurance,
    )
    assert empty.picture.flow is None and empty.picture.measure is None


def test_one_query_for_every_widgets_series(agency_a):
    widgets = [counted(agency_a, f"Permit {n}", [90, 91]) for n in range(6)]
    for w in widgets:
        w.status = Status.ON_TRACK
    with CaptureQueriesContext(connection) as one:
        pictures.widget_pictures(widgets[:1], window())
    with CaptureQueriesContext(connection) as six:
        pictures.widget_pictures(widgets, window())
    assert len(one) == len(six) == 1


def test_the_dashboard_shows_each_chart_with_its_words_and_its_table(client, manager_a, agency_a):
    widget = counted(agency_a, "Air permit", [91, 92, 93])
    client.force_login(manager_a)
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).content.decode()
    assert "Widgets at a glance" in html
    assert f'data-vega-spec="flow-{widget.pk}-spec"' in html
    assert f'<script id="flow-{widget.pk}-spec" type="application/json">' in html
    assert f'aria-labelledby="measure-{widget.pk}-title"' in html
    assert "Air permit: counts by period" in html  # the table's caption
    assert "vega-embed.min.js" in html


def test_outcomes_at_a_glance_draw_the_target_line_attention_first_from_their_marks(
    client, manager_a, agency_a
):
    from outcomes.dashboard import dashboard_outcomes

    month = reference_month()
    shared = {"agency": agency_a, "baseline_value": Decimal(40), "target_value": Decimal(20)}
    shared |= {"baseline_date": add_months(month, -12), "target_date": add_months(month, 24)}
    worse = f.OutcomeFactory(name="A worse", direction="down", **shared)
    better = f.OutcomeFactory(name="B better", direction="down", **shared)
    empty = f.OutcomeFactory(name="C no data", direction="down", **shared)
    for back in range(8):
        day = add_months(month, -back)
        f.MeasurementFactory(outcome=worse, date=day, value=Decimal(45 + back % 2))
        f.MeasurementFactory(outcome=better, date=day, value=Decimal(20 + back % 2))
    outcomes = list(dashboard_outcomes(agency_a))
    with CaptureQueriesContext(connection) as queries:
        ordered = pictures.outcome_pictures(outcomes)
    assert len(queries) == 0  # drawn from what their marks were made from

    # Marked up to another day than the pictures' (either way round), the pictures read
    # the measurements themselves, in two queries, and come out the same.
    def marked(until):
        outcomes = Outcome.objects.filter(agency=agency_a)
        return with_marks(with_status(with_latest(outcomes, until=until)), until=until)

    for marks_until, pictures_until in ((month, None), (None, month)):
        outcomes = marked(marks_until)
        with CaptureQueriesContext(connection) as queries:
            drawn = pictures.outcome_pictures(outcomes, until=pictures_until)
        read = {o.pk: o.picture for o in drawn}
        assert len(queries) == 2
        for outcome in ordered:
            if outcome.picture is None:
                assert read[outcome.pk] is None
            else:
                assert read[outcome.pk].spec == outcome.picture.spec
                assert read[outcome.pk].table == outcome.picture.table
                assert read[outcome.pk].summary == outcome.picture.summary
    assert [o.name for o in ordered] == ["A worse", "B better", "C no data"]
    assert ordered[2].pk == empty.pk and ordered[2].picture is None
    layers = ordered[0].picture.spec["layer"]
    assert any("trajectory" in str(layer) for layer in layers)
    client.force_login(manager_a)
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).content.decode()
    assert "Outcomes at a glance" in html
    assert f'data-vega-spec="outcome-{worse.pk}-spec"' in html
    assert html.index("A worse") < html.index("B better")


def test_the_dashboard_draws_the_first_widgets_that_need_attention_and_all_when_asked(
    client, manager_a, agency_a
):
    """A state's agency has 50 widgets or more: the dashboard draws the first
    PICTURES_SHOWN in attention order (its page stays small), says how many it left
    out and where they are, and draws all of them when asked, keeping the filters."""
    from outcomes.dashboard_views import PICTURES_SHOWN

    steady = [94, 95, 93, 96, 94, 95, 93, 94, 96, 95, 94, 93, 95, 94]
    # One program: the dashboard lists widgets by program, then name, and factory
    # programs are named by a sequence that depends on the tests run before.
    program = f.ProgramFactory(agency=agency_a, name="Permits")
    calm = [
        counted(agency_a, f"Calm {n:02}", steady, program=program) for n in range(PICTURES_SHOWN)
    ]
    falling = counted(agency_a, "Zz concerning", [*steady[:-1], 70], program=program)
    total = PICTURES_SHOWN + 1
    client.force_login(manager_a)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    page = client.get(url, {"grain": "month"})
    drawn = page.context["pictures"]
    assert len(drawn) == PICTURES_SHOWN and drawn[0] == falling  # attention first
    html = page.content.decode()
    assert f'data-vega-spec="flow-{falling.pk}-spec"' in html
    assert f'data-vega-spec="flow-{calm[-1].pk}-spec"' not in html  # left out of the pictures
    assert calm[-1].name in html  # but in the tables below
    assert f"{PICTURES_SHOWN} of {total} widgets are drawn here" in html
    assert "?grain=month&amp;pictures=all#widgets-at-a-glance" in html
    every = client.get(url, {"grain": "month", "pictures": "all"})
    assert len(every.context["pictures"]) == total
    html = every.content.decode()
    assert f'data-vega-spec="flow-{calm[-1].pk}-spec"' in html
    assert f"All {total} widgets are drawn." in html and "?grain=month#widgets-at-a-glance" in html


def test_the_dashboard_draws_the_first_outcomes_that_need_attention_and_all_when_asked(
    client, manager_a, agency_a
):
    """As the widgets: OUTCOME_PICTURES_SHOWN outcome charts in attention order, the
    others left undrawn (their status stays in the table), and all when asked,
    keeping the filters; the other choice is one link away."""
    from outcomes.dashboard import dashboard_outcomes
    from outcomes.dashboard_views import OUTCOME_PICTURES_SHOWN

    month = reference_month()
    shared = {"agency": agency_a, "baseline_value": Decimal(40), "target_value": Decimal(20)}
    shared |= {"baseline_date": add_months(month, -12), "target_date": add_months(month, 24)}
    calm = [
        f.OutcomeFactory(name=f"Calm {n:02}", direction="down", **shared)
        for n in range(OUTCOME_PICTURES_SHOWN)
    ]
    worse = f.OutcomeFactory(name="Zz worse", direction="down", **shared)
    for back in range(8):
        day = add_months(month, -back)
        f.MeasurementFactory(outcome=worse, date=day, value=Decimal(45 + back % 2))
        for outcome in calm:
            f.MeasurementFactory(outcome=outcome, date=day, value=Decimal(20 + back % 2))
    total = OUTCOME_PICTURES_SHOWN + 1

    ranked = pictures.outcome_pictures(list(dashboard_outcomes(agency_a)), shown=2)
    assert ranked[0] == worse and [o.picture is not None for o in ranked] == [True] * 2 + [
        False
    ] * (total - 2)

    client.force_login(manager_a)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    html = client.get(url, {"grain": "month"}).content.decode()
    assert f'data-vega-spec="outcome-{worse.pk}-spec"' in html  # attention first
    assert f'data-vega-spec="outcome-{calm[-1].pk}-spec"' not in html  # not drawn
    assert calm[-1].name in html  # but in the table
    assert f"{OUTCOME_PICTURES_SHOWN} of {total} outcomes are drawn here" in html
    assert "?grain=month&amp;outcomes=all#outcomes-at-a-glance" in html
    html = client.get(url, {"grain": "month", "outcomes": "all"}).content.decode()
    assert f'data-vega-spec="outcome-{calm[-1].pk}-spec"' in html
    assert (
        f"All {total} outcomes are drawn." in html and "?grain=month#outcomes-at-a-glance" in html
    )
