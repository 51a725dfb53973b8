"""What the agency dashboard, the review, the scorecard and the huddle view read.

Computed in the database from the monthly roll-ups of counts (widgets.months),
never from the count rows: the flow of every widget for three windows (this
period, the one before, the same period last year) is one grouped aggregate of
their sums (named as widgets.flow.FLOW_AGGREGATES), the closing backlog a
subquery, CSAT one grouped aggregate over survey results, the agency's trend one
`widgets.flow.rollup` of the months. Python only loops over the widgets and
outcomes of the page, never over count rows, so the query count is the same for
1 widget or 100, and the time does not grow with the years of daily counts.

Periods: which month the pages show and the windows they compare are
`outcomes.periods`' (docs/outcomes.md, "Dashboard periods"). The windows may
overlap (the same months last year lie in the previous fiscal year), so each
window is summed on its own, with filtered aggregates in the one grouped query.
"""

from collections import Counter

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum

from agencies.models import Agency
from customers.satisfaction import Csat
from widgets import measures, months
from widgets.flow import add_rows, flow_from, rollup
from widgets.models import CountRollup, Grain, SurveyResult, Widget
from widgets.periods import Frequency, fiscal_year, fiscal_year_start, period_start

from .models import Countermeasure, Outcome
from .periods import (  # noqa: F401  (the pages' and tests' names for them)
    GRAIN_MONTHS,
    GRAINS,
    Window,
    add_months,
    agency_month,
    default_period,
    grain_start,
    latest_month,
    reference_month,
    window_for,
    windows,
)
from .selectors import with_latest, with_marks, with_newest, with_status
from .status import OF_OUTCOMES, Status, outcome_status, widget_status

TREND_PERIODS = {"month": 12, "quarter": 8, "fiscal_year": 3}
ON_TIME = next(m for m in measures.MEASURES if m.numerator == "within_standard")


# --- widgets ---------------------------------------------------------------------


def _in(window, field="period_start"):
    return Q(**{f"{field}__gte": window.start, f"{field}__lt": window.end})


def _per_window(aggregates, named_windows):
    """Each aggregate once per window, named `<window>__<name>`, counting only the
    window's rows: windows may overlap, so a row may count in more than one."""
    named = {}
    for window_name, window in named_windows.items():
        for name, aggregate in aggregates.items():
            each, within = aggregate.copy(), _in(window)
            each.filter = within if aggregate.filter is None else aggregate.filter & within
            named[f"{window_name}__{name}"] = each
    return named


def _of_window(row, window_name):
    prefix = f"{window_name}__"
    return {k.removeprefix(prefix): v for k, v in row.items() if k.startswith(prefix)}


def _closing_backlog(window):
    return months.closing_backlog(window.start, window.end)


def dashboard_widgets(agency, *, reader, program=None):
    """The agency's live widgets that `reader` may see: another agency's reader sees
    only what the catalogue shows them (approved), never one under review."""
    widgets = Widget.objects.for_user(reader).filter(agency=agency).live()
    if program is not None:
        widgets = widgets.filter(program=program)
    return widgets


def widget_rows(widgets, **annotations):
    """The widgets (a list) in page order, with their program and
    .has_open_countermeasure (one query)."""
    return list(
        widgets.select_related("program")
        .annotate(
            **annotations,
            has_open_countermeasure=Exists(
                Countermeasure.objects.open().filter(widget=OuterRef("pk"))
            ),
        )
        .order_by("program__name", "name")
    )


def widget_flows(widgets, named_windows):
    """The widgets (a list), each with .flows {name: Flow}, .csat {name: Csat}, .status.

    Three queries whatever the number of widgets or periods: the widgets (with
    closing backlogs and open countermeasures), the count aggregates and the
    survey aggregates, each grouped by widget with one column per window.
    """
    widgets = widget_rows(
        widgets, **{f"backlog_{name}": _closing_backlog(w) for name, w in named_windows.items()}
    )
    ids = [w.pk for w in widgets]
    span = _span(named_windows)
    flows = flow_rows(ids, named_windows)
    answers = {f"s{p}": Sum(f"satisfaction_{p}") for p in range(1, 6)}
    answers["results"] = Count("pk")
    survey_rows = (
        SurveyResult.objects.filter(span, widget_id__in=ids, segment__isnull=True)
        .values("widget_id")
        .annotate(**_per_window(answers, named_windows))
        .order_by()
    )
    surveys = {r["widget_id"]: r for r in survey_rows}
    for widget in widgets:
        widget.flows, widget.csat = {}, {}
        for name, window in named_windows.items():
            row = flows.get(widget.pk, {}).get(name, {})
            widget.flows[name] = flow_from(
                row,
                backlog=getattr(widget, f"backlog_{name}"),
                days=window.days,
                not_applicable=widget.not_applicable_fields,
            )
            survey = _of_window(surveys.get(widget.pk, {}), name)
            widget.csat[name] = (
                Csat([survey[f"s{p}"] for p in range(1, 6)]) if survey.get("results") else None
            )
        current = widget.flows.get("current")
        widget.status = widget_status(
            on_time_share=current.on_time_share if current else None,
            standard_share=widget.standard_share,
        )
        widget.needs_countermeasure = (
            widget.status == Status.OFF_TRACK and not widget.has_open_countermeasure
        )
    return widgets


def _span(named_windows):
    return Q(*[_in(w) for w in named_windows.values()], _connector=Q.OR)


def flow_rows(widget_ids, named_windows):
    """{widget id: {window name: row of FLOW_AGGREGATES}} for any number of widgets
    and windows: their month roll-ups in the windows (one query), added window by
    window as SQL's SUM adds them (`widgets.flow.add_rows`: unknown where every
    month is unknown). A widget without a month in any window has no entry. Rows
    add up again, so they also make the roll-ups of several widgets
    (outcomes.huddles.tiers).

    Added here rather than by one grouped query with a filtered SUM per window and
    aggregate (75 of them): building that query took longer than the database
    took to answer it, which counted on every build after a save (issue 22)."""
    names = list(months.MONTH_AGGREGATES)
    found = {}
    for widget_id, start, *values in (
        months.months(widget_id__in=widget_ids)
        .filter(_span(named_windows))
        .order_by()
        .values_list("widget_id", "period_start", *names)
    ):
        found.setdefault(widget_id, []).append((start, dict(zip(names, values, strict=True))))
    return {
        widget_id: {
            name: add_rows([row for start, row in rows if window.start <= start < window.end])
            for name, window in named_windows.items()
        }
        for widget_id, rows in found.items()
    }


def trend_coverage(widgets, specs):
    """[(measure, how many of `widgets` it applies to, how many it does not)]: a
    widget for which a part of the measure does not apply is in neither its
    numerator nor its denominator (its value there is never stored), and the
    roll-up's note says so."""
    widgets = list(widgets)
    found = []
    for spec in specs:
        covers = sum(1 for w in widgets if measures.measure_applies(spec, w.not_applicable_fields))
        found.append((spec, covers, len(widgets) - covers))
    return found


def agency_trend(widgets, window):
    """The agency's flow per period at the window's grain, oldest first (one rollup)."""
    shown = GRAIN_MONTHS[window.grain] * TREND_PERIODS[window.grain]
    first = add_months(window.start, -shown + GRAIN_MONTHS[window.grain])
    sums = months.months(widget__in=widgets, period_start__gte=first, period_start__lt=window.end)
    rows = []
    for row in rollup(sums, window.grain, months.MONTH_AGGREGATES):
        if window.grain == "month":
            label = f"{row['month']:%B %Y}"
        elif window.grain == "quarter":
            label = f"FY{row['fiscal_year']} Q{row['quarter']}"
        else:
            label = f"FY{row['fiscal_year']}"
        rows.append({"label": label, "flow": flow_from(row)})
    return rows


# --- outcomes -------------------------------------------------


def dashboard_outcomes(agency, *, program=None, until=None):
    outcomes = Outcome.objects.filter(agency=agency).select_related("program", "owner")
    if program is not None:
        outcomes = outcomes.filter(program=program)
    return with_marks(with_status(with_latest(outcomes, until=until)), until=until)


# --- statewide scorecard -------------------------------------------------------------


# What an outcome's status is worked out from, besides its newest measurement.
STATUS_INPUTS = ("direction", "baseline_value", "baseline_date", "target_value", "target_date")


def scorecard_frame(user, today=None):
    """The scorecard's agencies (those the user may read, by name) and its fiscal
    year to date: that of the latest month due or entered in any agency the user
    reads. Two queries."""
    latest = latest_month(CountRollup.objects.for_user(user).filter(grain=Grain.MONTH), today)
    fy_start = fiscal_year_start(fiscal_year(latest))
    return {
        "agencies": list(Agency.objects.for_user(user).order_by("name")),
        "fiscal_year": fiscal_year(fy_start),
        "fy_start": fy_start,
        "end": add_months(latest, 1),
        "statuses": OF_OUTCOMES,  # the columns of its rows' tallies
    }


def scorecard_rows(user, agencies, frame):
    """Give each of `agencies` (of scorecard_frame) its scorecard row: `.tally` of its
    outcomes by status and `.outcome_total`, `.delivered_fy` in the frame's fiscal
    year to date and `.latest_count`, its newest count. Only the counts of widgets
    the user may read: not another agency's drafts. Two queries for any number of
    agencies (three when one has no count since its fiscal year's whole quarters); each
    row depends only on its own agency's data (and on whether the user reads its
    drafts), so rows can be kept agency by agency."""
    fy_start, end = frame["fy_start"], frame["end"]
    ids = [agency.pk for agency in agencies]
    # Delivered this fiscal year to date: the sums of its whole fiscal quarters and of
    # the months after them (a quarter's roll-up is the sum of its three months'): 5
    # rows a widget at most instead of up to 12. Freshness: the newest count, the last
    # period of the newest month roll-up. One grouped query reads both off the
    # (grain, period_start) index: the quarters, and every month from the first after
    # the whole quarters on (the month shown and before it for the sum, any month for
    # the newest count). A correlated subquery per agency probed every widget's
    # roll-ups and took twice as long.
    whole_quarters = period_start(end, Frequency.QUARTER)
    quarters = Q(grain=Grain.QUARTER, period_start__gte=fy_start, period_start__lt=whole_quarters)
    recent_months = Q(grain=Grain.MONTH, period_start__gte=whole_quarters)
    found = {
        row["widget__agency"]: row
        for row in CountRollup.objects.for_user(user)
        .filter(quarters | recent_months, widget__agency__in=ids)
        .order_by()
        .values("widget__agency")
        .annotate(
            # Unknown is not zero: blank when no roll-up has a delivered figure.
            delivered=Sum(
                "total_delivered", filter=quarters | (recent_months & Q(period_start__lt=end))
            ),
            newest=Max("last_period", filter=recent_months),
        )
    }
    for agency in agencies:
        row = found.get(agency.pk, {})
        agency.delivered_fy = row.get("delivered")
        agency.latest_count = row.get("newest")
    # An agency with no count since the whole quarters: its newest count found widget
    # by widget from its newest month (the (widget, grain, period_start) index).
    stale = [agency for agency in agencies if agency.latest_count is None]
    if stale:
        latest = (
            Widget.objects.for_user(user)
            .filter(agency=OuterRef("pk"))
            .annotate(last=months.newest_period())
            .order_by(F("last").desc(nulls_last=True))
            .values("last")[:1]
        )
        older = dict(
            Agency.objects.filter(pk__in=[a.pk for a in stale])
            .annotate(latest_count=Subquery(latest))
            .values_list("pk", "latest_count")
        )
        for agency in stale:
            agency.latest_count = older[agency.pk]
    # Each outcome's status from its newest measurement: read as plain rows with only
    # what the status is worked out from (400 outcomes at a state's size).
    judged = with_newest(Outcome.objects.for_user(user).filter(agency_id__in=ids)).values_list(
        "agency_id", *STATUS_INPUTS, "latest_date", "latest_value"
    )
    tally = Counter(
        (
            agency_id,
            outcome_status(**dict(zip(STATUS_INPUTS, inputs, strict=True)), on=on, value=value),
        )
        for agency_id, *inputs, on, value in judged
    )
    for agency in agencies:
        agency.tally = {status: tally[(agency.pk, status)] for status in OF_OUTCOMES}
        agency.outcome_total = sum(agency.tally.values())
    return agencies


def public_widgets(agency, today=None):
    """Approved widgets of a publishing agency with on-time share over the last 12 months."""
    end = add_months(reference_month(today), 1)
    start = add_months(end, -12)
    widgets = list(
        Widget.objects.published()
        .filter(agency=agency)
        .select_related("program")
        .annotate(
            # Within standard and delivered over the periods where both are known.
            **months.window_sums(
                {"on_time_num": "on_time_share_num", "on_time_den": "on_time_share_den"},
                start=start,
                end=end,
            )
        )
        .order_by("program__name", "name")
    )
    for widget in widgets:
        share = None
        if widget.on_time_num is not None and widget.on_time_den:
            share = widget.on_time_num / widget.on_time_den
        widget.on_time_share = share
        widget.on_time_percent = None if share is None else round(share * 100, 1)
        # No within-standard count (no service standard): not "not yet reported".
        widget.on_time_not_applicable = not measures.measure_applies(
            ON_TIME, widget.not_applicable_fields
        )
        widget.status = widget_status(on_time_share=share, standard_share=widget.standard_share)
    return widgets, start, add_months(end, -1)
