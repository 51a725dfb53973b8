"""Open data of an agency's public page (docs/outcomes.md, "The public page"): the
figures behind its charts and tables, with stable column names, and the data
dictionary that says what each column means and in what unit.

Only what the public page shows, for the same things: approved widgets of an
agency that publishes (Widget.objects.published) and that agency's outcomes
(Outcome.objects.published). Never drafts, costs, backlogs, countermeasures or
names of staff.

Two datasets:
- `widgets`: one row per widget and period with a count, over the twelve months
  the page shows: delivered, delivered within the standard and the on-time share
  (within standard / delivered, over the periods where both are known, as
  widgets.measures says), beside the widget's service standard. Daily and weekly
  counts are added up by the month they start in; monthly, quarterly and yearly
  counts keep their own period.
- `outcomes`: one row per measurement of each outcome, with the target trajectory
  (the straight line from baseline to target) on its date.

Each is read in one query, whatever the number of widgets, outcomes or rows.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from widgets import measures, months
from widgets.models import Widget
from widgets.periods import Frequency, describe_period

from .models import Measurement, Outcome
from .periods import add_months, reference_month
from .status import trajectory_value

ON_TIME = next(m for m in measures.MEASURES if m.name == "on_time_share")
DELIVERED = measures.field(ON_TIME.denominator)
WITHIN = measures.field(ON_TIME.numerator)
# Counted more often than monthly: added up by the month they start in.
_BY_MONTH = {Frequency.DAY, Frequency.WEEK}


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    unit: str = "text"


_AGENCY = Column("agency", "The agency that publishes the data.")
WIDGET_COLUMNS = (
    _AGENCY,
    Column("widget_id", "The widget's number in this service; it does not change.", "identifier"),
    Column("widget", "What the agency delivers (a widget), by name."),
    Column("program", "The part of the agency that delivers it."),
    Column("reporting_frequency", "How often it is counted: day, week, month, quarter or year."),
    Column(
        "period_start",
        "The first day of the period. Daily and weekly counts are added up by the month "
        "they start in; a period with no count has no row.",
        "date (YYYY-MM-DD)",
    ),
    Column("period", "The period in words, e.g. November 2026 or FY2026 Q2."),
    Column(DELIVERED.name, f"{DELIVERED.help} Blank: not reported.", "count"),
    Column(
        WITHIN.name,
        f"{WITHIN.help} Blank: not reported. Summed over the periods where delivered is known too.",
        "count",
    ),
    Column(
        ON_TIME.name,
        f"{ON_TIME.how} Blank: unknown (nothing delivered, or not reported).",
        "percent (0-100, one decimal)",
    ),
    Column("standard_days", "The service standard: delivered within this many days.", "days"),
    Column(
        "standard_share",
        "The share of widgets the standard promises to deliver within standard_days.",
        "percent (0-100)",
    ),
)
OUTCOME_COLUMNS = (
    _AGENCY,
    Column("outcome_id", "The outcome's number in this service; it does not change.", "identifier"),
    Column("outcome", "The result for the public the agency works toward."),
    Column("measure", "What is measured."),
    Column("unit", "The unit of value, target_trajectory, baseline_value and target_value."),
    Column("direction", "Which way is better: up (higher is better) or down (lower is better)."),
    Column("date", "The date of the measurement.", "date (YYYY-MM-DD)"),
    Column("value", "The measurement.", "the outcome's unit"),
    Column(
        "target_trajectory",
        "Where the straight line from the baseline to the target stands on this date, to "
        "4 decimals: at or better than it is on track.",
        "the outcome's unit",
    ),
    Column("baseline_value", "Where the agency started.", "the outcome's unit"),
    Column("baseline_date", "When it started.", "date (YYYY-MM-DD)"),
    Column("target_value", "The target.", "the outcome's unit"),
    Column("target_date", "When the target is to be reached.", "date (YYYY-MM-DD)"),
)
DATASETS = {"widgets": WIDGET_COLUMNS, "outcomes": OUTCOME_COLUMNS}


@dataclass
class Published:
    agency: object
    start: dt.date  # the twelve months shown: [start, end)
    end: dt.date
    widgets: list  # rows: {column name: value}
    outcomes: list


def months_shown(today=None):
    """[start, end) of the twelve months the public page shows (as public_widgets)."""
    end = add_months(reference_month(today), 1)
    return add_months(end, -12), end


def number(value):
    """A Decimal as people write it (72.2, not 72.2000); None stays None."""
    return None if value is None else Decimal(value).normalize()


def count(value):
    """A published count. Unknown stays blank (None), never 0.
    Not applicable (issue 18, point 6) is to be exported here, as "n/a", once
    counts can hold it."""
    return value


def widget_rows(agency, *, start, end):
    """The `widgets` dataset: published widgets' counts per period in [start, end),
    read from the month roll-ups (widgets.months): a count is in the month its period
    starts in, as this dataset adds them up, and the on-time parts are summed over
    the periods where both are known, as here. `start` and `end` are firsts of months."""
    delivered, within, known_delivered = (
        f"total_{DELIVERED.name}",
        f"{ON_TIME.name}_num",
        f"{ON_TIME.name}_den",
    )
    rows = (
        months.months(
            widget__in=Widget.objects.published().filter(agency=agency),
            period_start__gte=start,
            period_start__lt=end,
        )
        .values_list(
            "widget_id",
            "widget__name",
            "widget__program__name",
            "widget__reporting_frequency",
            "widget__standard_days",
            "widget__standard_share",
            "period_start",
            delivered,
            within,
            known_delivered,
            named=True,
        )
        .order_by("widget__name", "widget_id", "period_start")
    )
    found = []
    for row in rows:
        frequency = row.widget__reporting_frequency
        share = measures.ratio(getattr(row, within), getattr(row, known_delivered))
        found.append(
            {
                "agency": agency.name,
                "widget_id": row.widget_id,
                "widget": row.widget__name,
                "program": row.widget__program__name,
                "reporting_frequency": frequency,
                "period_start": row.period_start,
                "period": describe_period(
                    row.period_start, Frequency.MONTH if frequency in _BY_MONTH else frequency
                ),
                DELIVERED.name: count(getattr(row, delivered)),
                WITHIN.name: count(getattr(row, within)),
                ON_TIME.name: None if share is None else round(share * 100, 1),
                "standard_days": row.widget__standard_days,
                "standard_share": number(row.widget__standard_share),
            }
        )
    return found


def outcome_rows(agency):
    """The `outcomes` dataset: every measurement of the agency's published outcomes.

    The outcomes are read once and their measurements as rows (an outcome with every
    measurement, as a join made it, was most of the public page's build)."""
    outcomes = Outcome.objects.published().filter(agency=agency)
    about = {}
    for o in outcomes.only("name", "measure", "unit", "direction", *_TRAJECTORY_FIELDS).order_by():
        about[o.pk] = (
            {name: getattr(o, name) for name in _TRAJECTORY_FIELDS},
            {
                "agency": agency.name,
                "outcome_id": o.pk,
                "outcome": o.name,
                "measure": o.measure,
                "unit": o.unit,
                "direction": o.direction,
            },
            {
                "baseline_value": number(o.baseline_value),
                "baseline_date": o.baseline_date,
                "target_value": number(o.target_value),
                "target_date": o.target_date,
            },
        )
    measured = (
        Measurement.objects.filter(outcome__in=outcomes)
        .order_by("outcome__name", "outcome_id", "date")
        .values_list("outcome_id", "date", "value")
    )
    found = []
    for outcome_id, date, value in measured:
        line, named, ends = about[outcome_id]
        trajectory = trajectory_value(**line, on=date)
        found.append(
            {
                **named,
                "date": date,
                "value": number(value),
                "target_trajectory": number(round(trajectory, 4)),
                **ends,
            }
        )
    return found


# What an outcome's target trajectory is drawn from (outcomes.status.trajectory_value).
_TRAJECTORY_FIELDS = ("baseline_value", "baseline_date", "target_value", "target_date")


def published(agency, today=None):
    start, end = months_shown(today)
    return Published(
        agency=agency,
        start=start,
        end=end,
        widgets=widget_rows(agency, start=start, end=end),
        outcomes=outcome_rows(agency),
    )


def table(rows, columns):
    """(headers, rows as lists) for a CSV, in the dictionary's column order."""
    names = [c.name for c in columns]
    return names, [[_cell(row[n]) for n in names] for row in rows]


def _cell(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def dictionary_table():
    """(headers, rows) of the data dictionary: dataset, column, meaning, unit."""
    return ["dataset", "column", "meaning", "unit"], [
        [dataset, c.name, c.meaning, c.unit]
        for dataset, columns in DATASETS.items()
        for c in columns
    ]


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def document(data, *, source):
    """The JSON document: where it comes from, the dictionary, and both datasets."""
    return {
        "agency": {"name": data.agency.name, "abbreviation": data.agency.abbreviation},
        "source": source,
        "months": {"from": data.start.isoformat(), "to": add_months(data.end, -1).isoformat()},
        "datasets": {
            name: {
                "dictionary": [
                    {"column": c.name, "meaning": c.meaning, "unit": c.unit} for c in columns
                ],
                "rows": [
                    {c.name: _json_value(row[c.name]) for c in columns}
                    for row in getattr(data, name)
                ],
            }
            for name, columns in DATASETS.items()
        },
    }
