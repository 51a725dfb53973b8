"""Reporting periods and the fiscal calendar.

A count belongs to a period named by its first day, at the widget's reporting
frequency: a day; a week starting Monday; a month; a quarter of the fiscal year
(which starts in `FISCAL_YEAR_START_MONTH`); a whole fiscal year (for services
that report once a year, as service inventories do).
"""

import datetime as dt

from django.conf import settings
from django.db import models


class Frequency(models.TextChoices):
    DAY = "day", "Daily"
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"
    YEAR = "year", "Yearly (fiscal year)"


def _fiscal_start_month():
    return settings.FISCAL_YEAR_START_MONTH


def _add_months(day, months):
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(day, frequency):
    """The first day of the period at `frequency` that contains `day`."""
    if frequency == Frequency.DAY:
        return day
    if frequency == Frequency.WEEK:
        return day - dt.timedelta(days=day.weekday())
    first_of_month = day.replace(day=1)
    if frequency == Frequency.MONTH:
        return first_of_month
    if frequency == Frequency.QUARTER:
        offset = (day.month - _fiscal_start_month()) % 3
        return _add_months(first_of_month, -offset)
    if frequency == Frequency.YEAR:
        return fiscal_year_start(fiscal_year(day))
    raise ValueError(f"unknown frequency {frequency!r}")


def next_period_start(start, frequency):
    if frequency == Frequency.DAY:
        return start + dt.timedelta(days=1)
    if frequency == Frequency.WEEK:
        return start + dt.timedelta(days=7)
    if frequency == Frequency.MONTH:
        return _add_months(start, 1)
    if frequency == Frequency.QUARTER:
        return _add_months(start, 3)
    if frequency == Frequency.YEAR:
        return _add_months(start, 12)
    raise ValueError(f"unknown frequency {frequency!r}")


_DAYS_APART = {Frequency.DAY: 1, Frequency.WEEK: 7}


def starts_between(first, last, frequency):
    """The period starts from `first` (a period start) to `last`, in order: the
    checks walk a widget's periods this way for every page and file."""
    days = _DAYS_APART.get(frequency)
    if days is not None:  # a fixed number of days apart: no call per period
        step = dt.timedelta(days=days)
        return [first + step * i for i in range((last - first).days // days + 1)]
    found, period = [], first
    while period <= last:
        found.append(period)
        period = next_period_start(period, frequency)
    return found


def previous_period_start(start, frequency):
    return period_start(start - dt.timedelta(days=1), frequency)


def period_end(start, frequency):
    """The last day of the period that begins on `start`."""
    return next_period_start(start, frequency) - dt.timedelta(days=1)


def is_period_start(day, frequency):
    return period_start(day, frequency) == day


def fiscal_year(day):
    """The fiscal year a day falls in, named by the calendar year it ends in."""
    start = _fiscal_start_month()
    return day.year + 1 if start != 1 and day.month >= start else day.year


def fiscal_year_start(year):
    """First day of fiscal year `year` (named by the calendar year it ends in)."""
    start = _fiscal_start_month()
    return dt.date(year - 1 if start != 1 else year, start, 1)


def describe_period(start, frequency):
    if frequency == Frequency.DAY:
        return start.strftime("%-d %b %Y")
    if frequency == Frequency.WEEK:
        return f"Week of {start.strftime('%-d %b %Y')}"
    if frequency == Frequency.MONTH:
        return start.strftime("%B %Y")
    if frequency == Frequency.YEAR:
        return f"FY{fiscal_year(start)}"
    quarter = ((start.month - _fiscal_start_month()) % 12) // 3 + 1
    return f"FY{fiscal_year(start)} Q{quarter}"
