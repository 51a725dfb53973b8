"""The rules every count obeys, however it enters (grid, edit page, upload, API),
and the writes that save counts.

DESIGN.md, "Counting": counts are whole numbers (cost in dollars and cents),
never negative; within standard and rework never exceed delivered; a period is
named by its first day at the widget's reporting frequency and is not in the
future; unknown is blank, never 0. The balance check (previous backlog + demand
- delivered - withdrawn = backlog) is a warning that can be confirmed with a
reason, not an error.
"""

import datetime as dt
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.errors import NothingSaved
from agencies.scoping import can_change

from .models import COUNT_FIELDS, CountSource, WidgetCount, WidgetStatus
from .periods import describe_period, is_period_start, previous_period_start

VALUE_FIELDS = (*COUNT_FIELDS, "cost")
LABELS = {
    "demand": "Demand",
    "delivered": "Delivered",
    "within_standard": "Within standard",
    "withdrawn": "Withdrawn",
    "backlog": "Backlog",
    "rework": "Rework",
    "cost": "Cost",
}
# Counting goes on for approved widgets, for approved ones sent back for review
# after an edit, and (for corrections) for retired ones; drafts are not counted.
COUNTED_STATUSES = (WidgetStatus.APPROVED, WidgetStatus.SUBMITTED, WidgetStatus.RETIRED)
EARLIEST_PERIOD = dt.date(2000, 1, 1)
MAX_COUNT = 10**12
MAX_COST = Decimal("999999999999.99")


class CountConflict(NothingSaved):
    """Counts changed since the writer read them (or a race to create them was lost).

    `current` is the other writer's count when there is one row to show.
    """

    default_message = "Someone else saved these counts after you read them. Nothing was saved."

    def __init__(self, current=None, message=None):
        super().__init__(message)
        self.current = current


def parse_value(name, raw):
    """The value of one cell, or ValueError with a message for people."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError("Enter a number.")
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str):
        if "," in text or " " in text or "\u00a0" in text:
            raise ValueError("Write the number without thousands separators, e.g. 1234.")
        if name == "cost":
            text = text.lstrip("$")
    if isinstance(text, float) and not math.isfinite(text):
        raise ValueError("Enter a number.")
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        raise ValueError("Enter a number.") from None
    if not number.is_finite():
        raise ValueError("Enter a number.")
    if number < 0:
        raise ValueError("Cannot be negative.")
    if name == "cost":
        # The size first: quantizing 1e30 to cents overflows the decimal context.
        if number > MAX_COST:
            raise ValueError("This is larger than any cost the system can hold.")
        if number != number.quantize(Decimal("0.01")):
            raise ValueError("Use at most two decimal places (cents).")
        return number.quantize(Decimal("0.01"))
    if number != number.to_integral_value():
        raise ValueError("Enter a whole number.")
    if number >= MAX_COUNT:
        raise ValueError("This is larger than any count the system can hold.")
    return int(number)


def parse_values(raw_values):
    """(values, errors) for a mapping of field -> raw cell."""
    values, errors = {}, {}
    for name in VALUE_FIELDS:
        try:
            values[name] = parse_value(name, raw_values.get(name))
        except ValueError as exc:
            errors[name] = [str(exc)]
    return values, errors


def check_period(widget, period_start, today=None):
    """Errors about the widget and period, as a list of messages.

    Whether there are any depends on the widget only through its status and
    reporting frequency (its name is in the messages): the count upload
    remembers a period found good per (status, frequency, period).
    """
    today = today or timezone.localdate()
    errors = []
    if widget.status not in COUNTED_STATUSES:
        errors.append(
            f"“{widget.name}” is {widget.get_status_display().lower()}: "
            "it can be counted once it is approved."
        )
    if not is_period_start(period_start, widget.reporting_frequency):
        errors.append(
            f"{period_start:%Y-%m-%d} is not the first day of a "
            f"{widget.get_reporting_frequency_display().lower()} period of “{widget.name}”."
        )
    elif period_start < EARLIEST_PERIOD:
        errors.append("Counts before the year 2000 are not kept.")
    elif period_start > today:
        errors.append(
            f"{describe_period(period_start, widget.reporting_frequency)} has not started yet."
        )
    return errors


def check_rules(values):
    """Errors that involve more than one field, keyed by the field to show them at."""
    errors = {}
    delivered = values.get("delivered")
    for name in ("within_standard", "rework"):
        value = values.get(name)
        if value is not None and delivered is not None and value > delivered:
            errors[name] = [
                f"{LABELS[name]} ({value}) cannot be more than delivered ({delivered})."
            ]
        elif value is not None and delivered is None:
            errors[name] = [f"Enter delivered too: {LABELS[name].lower()} is a share of it."]
    return errors


def balance_gap(values, previous_backlog):
    """How far the backlog is from previous backlog + demand - delivered - withdrawn."""
    parts = [previous_backlog] + [
        values.get(n) for n in ("demand", "delivered", "withdrawn", "backlog")
    ]
    if any(p is None for p in parts):
        return None
    previous, demand, delivered, withdrawn, backlog = parts
    gap = previous + demand - delivered - withdrawn - backlog
    return gap or None


def balance_message(gap, previous_backlog, values):
    expected = previous_backlog + values["demand"] - values["delivered"] - values["withdrawn"]
    return (
        f"The backlog does not balance: previous backlog {previous_backlog} + demand "
        f"{values['demand']} - delivered {values['delivered']} - withdrawn "
        f"{values['withdrawn']} = {expected}, but the backlog is {values['backlog']}."
    )


def previous_backlogs(widgets, period_start):
    """{widget_id: backlog of the period before} for widgets sharing one frequency."""
    previous = {}
    by_period = {}
    for widget in widgets:
        by_period.setdefault(
            previous_period_start(period_start, widget.reporting_frequency), []
        ).append(widget.pk)
    for start, ids in by_period.items():
        previous.update(
            WidgetCount.objects.filter(widget_id__in=ids, period_start=start).values_list(
                "widget_id", "backlog"
            )
        )
    return previous


@dataclass
class CountChange:
    widget: object
    period_start: dt.date
    values: dict
    expected_version: int | None = None
    balance_note: str = ""
    status: str = ""  # new / changed / unchanged, set by save_counts
    count: WidgetCount | None = field(default=None, repr=False)


def _differs(count, change):
    if any(getattr(count, n) != change.values.get(n) for n in VALUE_FIELDS):
        return True
    return bool(change.balance_note) and change.balance_note != count.balance_note


@contextmanager
def races_as_conflicts():
    """Around a transaction that writes counts: losing a race to create the same row
    (a unique violation) or being stopped by PostgreSQL to break a deadlock raises
    CountConflict; the other writer's rows stand whole, and the caller says so."""
    try:
        yield
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "deadlock" not in str(exc):
            raise
        raise CountConflict(None) from exc


def save_counts(changes, *, by, source, upload=None, api_token=None):
    """Save validated changes in one transaction: all of them, or none.

    Rows are locked; a change made from an older version raises CountConflict.
    So does a writer that loses a race to create the same row, or that
    PostgreSQL stops to break a deadlock: the other writer's rows stand whole.
    A change to a blank new row saves nothing. Returns the changes with their
    status. History is kept for every row written.
    """
    with races_as_conflicts():
        return _save_counts(changes, by=by, source=source, upload=upload, api_token=api_token)


@transaction.atomic
def _save_counts(changes, *, by, source, upload, api_token):
    if not changes:
        return changes
    widget_ids = {c.widget.pk for c in changes}
    periods = {c.period_start for c in changes}
    existing = {
        (c.widget_id, c.period_start): c
        for c in WidgetCount.objects.select_for_update().filter(
            widget_id__in=widget_ids, period_start__in=periods
        )
    }
    now = timezone.now()
    reason = CountSource(source).label
    new, changed = [], []
    for change in changes:
        current = existing.get((change.widget.pk, change.period_start))
        if current is None:
            if all(change.values.get(n) is None for n in VALUE_FIELDS):
                change.status = "unchanged"
                continue
            current = WidgetCount(widget=change.widget, period_start=change.period_start, version=1)
            new.append(current)
            change.status = "new"
        else:
            if change.expected_version is not None and current.version != change.expected_version:
                raise CountConflict(current)
            if not _differs(current, change):
                change.status = "unchanged"
                change.count = current
                continue
            current.version += 1
            changed.append(current)
            change.status = "changed"
        for name in VALUE_FIELDS:
            setattr(current, name, change.values.get(name))
        if change.balance_note:
            current.balance_note = change.balance_note
        current.source = source
        # The person who typed the numbers; an upload (its file and who sent it) or a
        # token says where the others came from, as history_user says who saved them.
        current.entered_by = by if upload is None and api_token is None else None
        current.upload = upload
        current.api_token = api_token
        current.updated_at = now
        change.count = current
    if new:
        for count in new:
            count.created_at = now
        bulk_create_with_history(
            new, WidgetCount, batch_size=1000, default_user=by, default_change_reason=reason
        )
    if changed:
        bulk_update_with_history(
            changed,
            WidgetCount,
            [
                *VALUE_FIELDS,
                "balance_note",
                "source",
                "entered_by",
                "upload",
                "api_token",
                "updated_at",
                "version",
            ],
            batch_size=1000,
            default_user=by,
            default_change_reason=reason,
        )
    return changes


def require_counting(user, widget):
    if not can_change(user, widget.agency_id):
        raise PermissionDenied(f"Only staff of {widget.agency} can enter its counts.")
