"""What the agency dashboard, the review, the scorecard and the huddle view read.

Computed in the database: the flow of every widget for three windows (this
period, the one before, the same period last year) is one grouped aggregate
over the counts (widgets.flow.FLOW_AGGREGATES), the closing backlog a subquery,
CSAT one grouped aggregate over survey results, the agency's trend one
`widgets.flow.rollup`. Python only loops over the widgets and outcomes of the
page, never over count rows, so the query count is the same for 1 widget or 100.

Periods: a window is a month, a fiscal quarter or a fiscal year, chosen by its
first day. The default is the period holding the latest month whose counts are
due (`widgets.flow.latest_due_period`). A window never runs past that month, so
"this fiscal year" is the year to date and "same period last year" is the same
months a year before.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, Value, When

from agencies.models import Agency
from customers.satisfaction import Csat
from widgets.flow import (
    FLOW_AGGREGATES,
    balance_failures,
    flow_from,
    late_widgets,
    latest_due_period,
    rollup,
    window_totals,
)
from widgets.models import SurveyResult, Widget, WidgetCount, WidgetStatus
from widgets.periods import (
    Frequency,
    describe_period,
    fiscal_year,
    fiscal_year_start,
    period_start,
)

from .models import Countermeasure, Outcome
from .selectors import with_latest, with_status
from .status import Status, widget_status

GRAINS = {"month": "Month", "quarter": "Fiscal quarter", "fiscal_year": "Fiscal year"}
GRAIN_MONTHS = {"month": 1, "quarter": 3, "fiscal_year": 12}
PERIOD_CHOICES = {"month": 24, "quarter": 8, "fiscal_year": 3}
TREND_PERIODS = {"month": 12, "quarter": 8, "fiscal_year": 3}
# Widgets on the dashboard: those whose counts go on (an edited approved widget is
# submitted again, DESIGN.md).
COUNTED_STATUSES = (WidgetStatus.APPROVED, WidgetStatus.SUBMITTED)


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """Counts whose period starts in [start, end)."""

    grain: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self):
        return (self.end - self.start).days


def reference_month(today=None):
    return latest_due_period(Frequency.MONTH, today)


def grain_start(grain, day):
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return period_start(day, Frequency.QUARTER)
    return fiscal_year_start(fiscal_year(day))


def grain_label(grain, start):
    if grain == "month":
        return start.strftime("%B %Y")
    if grain == "quarter":
        return describe_period(start, Frequency.QUARTER)
    return f"FY{fiscal_year(start)}"


def window_for(grain, start, *, today=None):
    """The window of `grain` starting on `start`, cut at the latest due month."""
    cut = add_months(reference_month(today), 1)
    end = min(add_months(start, GRAIN_MONTHS[grain]), max(cut, add_months(start, 1)))
    label = grain_label(grain, start)
    if end < add_months(start, GRAIN_MONTHS[grain]):
        label += f" to date (to {add_months(end, -1):%B %Y})"
    return Window(grain, start, end, label)


def windows(grain, start, *, today=None):
    """{current, previous, last_year} windows for a grain and a period start."""
    current = window_for(grain, start, today=today)
    previous_start = add_months(start, -GRAIN_MONTHS[grain])
    previous = window_for(grain, previous_start, today=today)
    last_year = Window(
        grain,
        add_months(start, -12),
        add_months(current.end, -12),
        f"{grain_label(grain, add_months(start, -12))} (same months)",
    )
    return {"current": current, "previous": previous, "last_year": last_year}


def period_choices(grain, today=None):
    """(iso date, label) of the recent periods at a grain, newest first."""
    latest = grain_start(grain, reference_month(today))
    return [
        (start.isoformat(), grain_label(grain, start))
        for start in (
            add_months(latest, -GRAIN_MONTHS[grain] * n) for n in range(PERIOD_CHOICES[grain])
        )
    ]


def default_period(grain, today=None):
    return grain_start(grain, reference_month(today))


# --- widgets ---------------------------------------------------------------------


def _in(window, field="period_start"):
    return Q(**{f"{field}__gte": window.start, f"{field}__lt": window.end})


def _bucket(named_windows):
    return Case(
        *[When(_in(w), then=Value(name)) for name, w in named_windows.items()],
        default=Value(""),
    )


def _closing_backlog(window):
    latest = WidgetCount.objects.filter(
        _in(window), widget=OuterRef("pk"), backlog__isnull=False
    ).order_by("-period_start")
    return Subquery(latest.values("backlog")[:1])


def dashboard_widgets(agency, *, reader, program=None):
    """The agency's counted widgets that `reader` may see: another agency's reader
    sees only what the catalogue shows them (approved), never one under review."""
    widgets = Widget.objects.for_user(reader).filter(agency=agency, status__in=COUNTED_STATUSES)
    if program is not None:
        widgets = widgets.filter(program=program)
    return widgets


def widget_flows(widgets, named_windows):
    """The widgets (a list), each with .flows {name: Flow}, .csat {name: Csat}, .status.

    Four queries whatever the number of widgets or periods: the widgets (with
    closing backlogs and open countermeasures), the count aggregates, the survey
    aggregates; plus nothing per row.
    """
    widgets = list(
        widgets.select_related("program")
        .annotate(
            **{f"backlog_{name}": _closing_backlog(w) for name, w in named_windows.items()},
            has_open_countermeasure=Exists(
                Countermeasure.objects.open().filter(widget=OuterRef("pk"))
            ),
        )
        .order_by("program__name", "name")
    )
    ids = [w.pk for w in widgets]
    span = Q(*[_in(w) for w in named_windows.values()], _connector=Q.OR)
    flow_rows = (
        WidgetCount.objects.filter(span, widget_id__in=ids)
        .annotate(bucket=_bucket(named_windows))
        .values("widget_id", "bucket")
        .annotate(**FLOW_AGGREGATES)
        .order_by()
    )
    flows = {(r["widget_id"], r["bucket"]): r for r in flow_rows}
    answers = {f"s{p}": Sum(f"satisfaction_{p}") for p in range(1, 6)}
    survey_rows = (
        SurveyResult.objects.filter(span, widget_id__in=ids, segment__isnull=True)
        .annotate(bucket=_bucket(named_windows))
        .values("widget_id", "bucket")
        .annotate(**answers)
        .order_by()
    )
    surveys = {(r["widget_id"], r["bucket"]): r for r in survey_rows}
    for widget in widgets:
        widget.flows, widget.csat = {}, {}
        for name, window in named_windows.items():
            row = flows.get((widget.pk, name), {})
            widget.flows[name] = flow_from(
                row, backlog=getattr(widget, f"backlog_{name}"), days=window.days
            )
            survey = surveys.get((widget.pk, name))
            widget.csat[name] = Csat([survey[f"s{p}"] for p in range(1, 6)]) if survey else None
        current = widget.flows.get("current")
        widget.status = widget_status(
            on_time_share=current.on_time_share if current else None,
            standard_share=widget.standard_share,
        )
        widget.needs_countermeasure = (
            widget.status == Status.OFF_TRACK and not widget.has_open_countermeasure
        )
    return widgets


def agency_trend(widgets, window):
    """The agency's flow per period at the window's grain, oldest first (one rollup)."""
    months = GRAIN_MONTHS[window.grain] * TREND_PERIODS[window.grain]
    first = add_months(window.start, -months + GRAIN_MONTHS[window.grain])
    counts = WidgetCount.objects.filter(
        widget__in=widgets, period_start__gte=first, period_start__lt=window.end
    )
    rows = []
    for row in rollup(counts, window.grain):
        if window.grain == "month":
            label = f"{row['month']:%B %Y}"
        elif window.grain == "quarter":
            label = f"FY{row['fiscal_year']} Q{row['quarter']}"
        else:
            label = f"FY{row['fiscal_year']}"
        rows.append({"label": label, "flow": flow_from(row)})
    return rows


# --- outcomes and the attention list -------------------------------------------------


def dashboard_outcomes(agency, *, program=None, until=None):
    outcomes = Outcome.objects.filter(agency=agency).select_related("program", "owner")
    if program is not None:
        outcomes = outcomes.filter(program=program)
    return with_status(with_latest(outcomes, until=until))


@dataclass
class Attention:
    outcomes: list  # off track, no open countermeasure
    widgets: list  # off track, no open countermeasure
    late: list  # approved widgets whose latest due count is missing
    unbalanced: list  # counts whose backlog does not balance
    drafts: list  # submitted definitions waiting for a manager

    def __len__(self):
        return sum(
            len(x) for x in (self.outcomes, self.widgets, self.late, self.unbalanced, self.drafts)
        )


def attention(agency, *, reader, outcomes, widgets, window, program=None, today=None):
    scope = Widget.objects.for_user(reader).filter(agency=agency)
    if program is not None:
        scope = scope.filter(program=program)
    recent = WidgetCount.objects.filter(
        widget__in=scope, period_start__gte=add_months(window.start, -12)
    )
    return Attention(
        outcomes=[o for o in outcomes if o.needs_countermeasure],
        widgets=[w for w in widgets if w.needs_countermeasure],
        late=list(late_widgets(scope, today).select_related("program").order_by("name")),
        unbalanced=balance_failures(recent),
        drafts=list(scope.filter(status=WidgetStatus.SUBMITTED).order_by("submitted_at")),
    )


# --- statewide scorecard -------------------------------------------------------------


def scorecard(user, today=None):
    """Every agency the user may read: outcome statuses, delivered this FY, freshness."""
    fy_start = fiscal_year_start(fiscal_year(reference_month(today)))
    # Only the counts of widgets the user may read: not another agency's drafts.
    readable = WidgetCount.objects.for_user(user)
    agency_counts = readable.filter(widget__agency=OuterRef("pk")).order_by()
    delivered = (
        agency_counts.filter(period_start__gte=fy_start)
        .values("widget__agency")
        .annotate(total=Sum("delivered"))
        .values("total")
    )
    # Freshness: the newest count of any widget, found widget by widget with the
    # (widget, period_start) index rather than by reading every count.
    widget_latest = (
        WidgetCount.objects.filter(widget=OuterRef("pk"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    latest = (
        Widget.objects.for_user(user)
        .filter(agency=OuterRef("pk"))
        .annotate(last=Subquery(widget_latest))
        .order_by(F("last").desc(nulls_last=True))
        .values("last")[:1]
    )
    agencies = list(
        Agency.objects.for_user(user)
        .annotate(delivered_fy=Subquery(delivered), latest_count=Subquery(latest))
        .order_by("name")
    )
    outcomes = with_status(with_latest(Outcome.objects.for_user(user)))
    tally = Counter((o.agency_id, o.status) for o in outcomes)
    for agency in agencies:
        agency.tally = {status: tally[(agency.pk, status)] for status in Status}
        agency.outcome_total = sum(agency.tally.values())
    return {"agencies": agencies, "fiscal_year": fiscal_year(fy_start), "fy_start": fy_start}


def public_widgets(agency, today=None):
    """Approved widgets of a publishing agency with on-time share over the last 12 months."""
    end = add_months(reference_month(today), 1)
    start = add_months(end, -12)
    widgets = list(
        Widget.objects.published()
        .filter(agency=agency)
        .select_related("program")
        .annotate(
            **window_totals(
                {"on_time_num": "within_standard", "on_time_den": "delivered"},
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
        widget.on_time_percent = None if share is None else round(share * 100, 1)
        widget.status = widget_status(on_time_share=share, standard_share=widget.standard_share)
    return widgets, start, add_months(end, -1)
