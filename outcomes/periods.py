"""Which period the dashboards, the huddle board, the review and the scorecard show,
and the windows they compare (docs/outcomes.md, "Dashboard periods").

A window is a month, a fiscal quarter or a fiscal year, named by its first day.

- The **latest month** shown is the newest month whose counts are due
  (`widgets.flow.latest_due_period`, the month's reporting lag after it ends) or
  already entered (`widgets.flow.newest_period`): on 1 December, with November's
  counts in, November. Every page of one agency asks `latest_month(agency)`.
- A window never runs past the latest month: "this fiscal year" is the year to
  date, and "the same period last year" is the same months one year before.
- Any period from the latest back to the agency's earliest count can be chosen.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from widgets.flow import latest_due_period, latest_ended_period, newest_period
from widgets.months import months
from widgets.periods import (
    Frequency,
    describe_period,
    fiscal_year,
    fiscal_year_start,
    period_start,
)

GRAINS = {"month": "Month", "quarter": "Fiscal quarter", "fiscal_year": "Fiscal year"}
GRAIN_MONTHS = {"month": 1, "quarter": 3, "fiscal_year": 12}
# Periods offered at least, when the agency has no older counts.
PERIOD_CHOICES = {"month": 24, "quarter": 8, "fiscal_year": 3}


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
    """The latest month whose counts are due, whatever has been entered."""
    return latest_due_period(Frequency.MONTH, today)


def counts_of(agency):
    """The agency's month roll-ups (widgets.months): what its latest and earliest
    months are read from, as from its counts, without reading the counts."""
    return months(widget__agency=agency)


def latest_month(counts, today=None):
    """The newest month whose counts are due or already entered in `counts`."""
    return newest_period(Frequency.MONTH, counts, today)


def agency_month(agency, today=None):
    """The latest month an agency's pages show (one query at most)."""
    return latest_month(counts_of(agency), today)


def earliest_month(counts):
    """The month of the oldest count, or None (one query)."""
    oldest = counts.order_by().aggregate(oldest=Min("period_start"))["oldest"]
    return None if oldest is None else oldest.replace(day=1)


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


def window_for(grain, start, *, latest=None, today=None):
    """The window of `grain` starting on `start`, cut after the latest month shown
    (`latest`; by default the latest month due by `today`)."""
    latest = latest or reference_month(today)
    cut = add_months(latest, 1)
    full = add_months(start, GRAIN_MONTHS[grain])
    end = min(full, max(cut, add_months(start, 1)))
    label = grain_label(grain, start)
    if end < full:
        label += f" to date (to {add_months(end, -1):%B %Y})"
    return Window(grain, start, end, label)


def windows(grain, start, *, latest=None, today=None):
    """{current, previous, last_year} windows for a grain and a period start.

    The windows may overlap: in fiscal-year view the same months last year are
    part of the previous fiscal year. Whatever reads them sums each on its own.
    """
    latest = latest or reference_month(today)
    current = window_for(grain, start, latest=latest)
    previous = window_for(grain, add_months(start, -GRAIN_MONTHS[grain]), latest=latest)
    last_year = Window(
        grain,
        add_months(start, -12),
        add_months(current.end, -12),
        f"{grain_label(grain, add_months(start, -12))} (same months)",
    )
    return {"current": current, "previous": previous, "last_year": last_year}


def period_choices(grain, *, latest, earliest=None):
    """(iso date, label) of the periods at a grain, newest first: from the one holding
    the latest month back to the one holding `earliest` (the oldest count), and at
    least PERIOD_CHOICES[grain] of them."""
    newest = grain_start(grain, latest)
    step = GRAIN_MONTHS[grain]
    starts = [add_months(newest, -step * n) for n in range(PERIOD_CHOICES[grain])]
    if earliest is not None:
        oldest = grain_start(grain, earliest)
        while starts[-1] > oldest:
            starts.append(add_months(starts[-1], -step))
    return [(start.isoformat(), grain_label(grain, start)) for start in starts]


def default_period(grain, *, latest):
    return grain_start(grain, latest)


def month_choices(counts, *, months=12, today=None):
    """(months, initial) for the monthly review: every month that has ended, newest
    first, back to the oldest count (at least `months` of them); the initial choice
    is the newest month whose counts are due or entered."""
    today = today or timezone.localdate()
    newest = latest_ended_period(Frequency.MONTH, today)
    choices = [add_months(newest, -n) for n in range(months)]
    oldest = earliest_month(counts)
    while oldest is not None and choices[-1] > oldest:
        choices.append(add_months(choices[-1], -1))
    return choices, latest_month(counts, today)
