"""The one write of counts: every path (grid, edit page, upload, API, service
inventory, admin) saves through `save_counts`, under one set of rules.

- A field the writer did not send is left as it is: a change's `values` holds
  only what was sent, and `None` there clears the stored value.
- Each row is written only as the writer saw it: an existing row only at the
  version they read, a row they saw absent only while it is still absent. A
  writer who lost, to a save made after they read or to a save at the same
  moment, gets CountConflict naming every such row with what is stored now;
  nothing of theirs is saved. (`expected_version=None` is an unconditional
  write, for callers that hold their own proof, like the upload's snapshot.)
- The rules of widgets.counting.rules are judged on the row as it will be,
  stored values and sent ones together: CountRejected otherwise.
- All changes or none, in one transaction, with a history record per row.

Count files on PostgreSQL are written set-based by widgets.counting.copy, by the
same rules; widgets.counting.upload checks them row by row first.
"""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.errors import NothingSaved

from ..models import CountSource, Widget, WidgetCount
from ..periods import describe_period
from .rules import LABELS, MEASURE_FIELDS, check_not_applicable, check_rules, merged

# expected_version for a row the writer saw as not counted yet.
SAW_NONE = 0
_WHO = ("balance_note", "source", "entered_by", "upload", "api_token", "updated_at", "version")
UPDATED_FIELDS = [*MEASURE_FIELDS, *_WHO]


@dataclass
class CountChange:
    widget: object
    period_start: dt.date
    values: dict  # only the fields sent; None clears
    # The version the writer read: SAW_NONE for a row they saw absent; None for
    # an unconditional write.
    expected_version: int | None = None
    balance_note: str | None = ""  # why it does not balance: "" says nothing, None clears
    status: str = ""  # new / changed / unchanged, set by save_counts
    count: WidgetCount | None = field(default=None, repr=False)

    @property
    def key(self):
        return (self.widget.pk, self.period_start)

    @property
    def label(self):
        return (
            f"{self.widget.name}, "
            f"{describe_period(self.period_start, self.widget.reporting_frequency)}"
        )


@dataclass
class Conflict:
    """A change refused because the row is not as its writer saw it."""

    change: CountChange
    current: WidgetCount | None  # what is stored now; None if it is gone

    def describe(self):
        if self.current is None:
            return f"{self.change.label}: the count you saw was deleted meanwhile."
        theirs = ", ".join(
            f"{LABELS[n].lower()} {_shown(getattr(self.current, n))}"
            for n in LABELS
            if n in self.change.values or getattr(self.current, n) is not None
        )
        return f"{self.change.label}: someone else saved {theirs or 'blank counts'}."


def _shown(value):
    return "blank" if value is None else value


class CountConflict(NothingSaved):
    """Counts changed since the writer read them, or a race to save them was lost.

    `conflicts` names each refused row with what is stored now (it may be empty
    when the database could not say which rows, e.g. after a deadlock).
    """

    default_message = "Someone else saved these counts after you read them. Nothing was saved."

    def __init__(self, conflicts=(), message=None):
        self.conflicts = list(conflicts or ())
        if message is None and self.conflicts:
            message = (
                f"{self.default_message} "
                + " ".join(c.describe() for c in self.conflicts[:5])
                + (f" And {len(self.conflicts) - 5} more." if len(self.conflicts) > 5 else "")
            )
        super().__init__(message)

    @property
    def current(self):
        """The other writer's count, when exactly one row was refused."""
        return self.conflicts[0].current if len(self.conflicts) == 1 else None


class CountRejected(NothingSaved):
    """A row would break the rules once the sent values meet the stored ones
    (within standard above delivered, say). `errors`: [(change, {field: [message]})]."""

    default_message = "These counts break the rules. Nothing was saved."

    def __init__(self, errors, message=None):
        self.errors = errors
        if message is None:
            message = f"{self.default_message} " + " ".join(
                f"{change.label}: {' '.join(m for ms in errs.values() for m in ms)}"
                for change, errs in errors[:5]
            )
        super().__init__(message)


def version_of(count):
    """The version a writer reads of a row: SAW_NONE when there is no count."""
    return SAW_NONE if count is None else count.version


def is_as_seen(expected_version, current):
    """The row is as its writer saw it (an unconditional write always is)."""
    return expected_version is None or expected_version == version_of(current)


@contextmanager
def races_as_conflicts(changes=()):
    """Around a transaction that writes counts: losing a race to create the same row
    (a unique violation) or being stopped by PostgreSQL to break a deadlock raises
    CountConflict; the other writer's rows stand whole, and the caller says so.
    With `changes`, the conflict names those whose rows are no longer as seen."""
    try:
        yield
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "deadlock" not in str(exc):
            raise
        raise CountConflict(_lost(changes)) from exc


def _lost(changes):
    """After a lost race (rolled back): the changes whose rows now differ from what
    their writer saw, or were created by someone else."""
    if not changes:
        return []
    stored = {
        (c.widget_id, c.period_start): c
        for c in WidgetCount.objects.filter(
            widget_id__in={c.widget.pk for c in changes},
            period_start__in={c.period_start for c in changes},
        )
    }
    lost = []
    for change in changes:
        current = stored.get(change.key)
        tried_insert = change.status == "new"
        if (tried_insert and current is not None) or not is_as_seen(
            change.expected_version, current
        ):
            lost.append(Conflict(change, current))
    return lost


def lock_not_applicable(widget_ids):
    """{widget id: the count fields that do not apply to it}, as stored now.

    On PostgreSQL the widgets' rows are share-locked until the write commits, so a
    widget cannot be declared not applicable for a field while this write puts a
    number in it: the declaration (save_widget, under the widget's row lock) waits
    and then finds the number (Widget._clean_not_applicable_counted), or this write waits
    and then finds the declaration. Writers of counts do not wait for each other.
    """
    ids = sorted(widget_ids)
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        rows = Widget.objects.raw(
            "SELECT id, not_applicable FROM widgets_widget WHERE id = ANY(%s) "
            "ORDER BY id FOR SHARE",
            [ids],
        )
    else:
        rows = Widget.objects.filter(pk__in=ids).only("pk", "not_applicable")
    return {w.pk: w.not_applicable for w in rows}


def save_counts(changes, *, by, source, upload=None, api_token=None, reason=None):
    """Save the changes in one transaction: all of them, or none.

    Raises CountConflict (rows not as their writers saw them, or a lost race)
    or CountRejected (a row that would break the rules). A change to a blank
    new row saves nothing. Returns the changes with their status and count.
    """
    with races_as_conflicts(changes):
        return _save_counts(
            changes, by=by, source=source, upload=upload, api_token=api_token, reason=reason
        )


def _save_counts(changes, *, by, source, upload, api_token, reason):
    # In `with transaction.atomic()`, not under the decorator: mutmut does not mutate a
    # decorated function, so `make mutate` would not test this one (docs/testing.md).
    with transaction.atomic():
        if not changes:
            return changes
        existing = {
            (c.widget_id, c.period_start): c
            for c in WidgetCount.objects.select_for_update().filter(
                widget_id__in={c.widget.pk for c in changes},
                period_start__in={c.period_start for c in changes},
            )
        }
        not_applicable = lock_not_applicable({c.widget.pk for c in changes})
        conflicts, rejected = [], []
        for change in changes:
            unknown = change.values.keys() - set(MEASURE_FIELDS)
            if unknown:
                raise ValueError(f"Not a count field: {', '.join(sorted(unknown))}")
            current = existing.get(change.key)
            if not is_as_seen(change.expected_version, current):
                conflicts.append(Conflict(change, current))
                continue
            # As the widget is now, whatever the writer read of it.
            change.widget.not_applicable = not_applicable.get(change.widget.pk, [])
            change.values, errors = check_not_applicable(change.widget, change.values)
            if errors:
                rejected.append((change, errors))
                continue
            errors = check_rules(merged(current, change.values))
            if errors:
                rejected.append((change, errors))
        if conflicts:
            raise CountConflict(conflicts)
        if rejected:
            raise CountRejected(rejected)
        now = timezone.now()
        new, changed = [], []
        for change in changes:
            count = existing.get(change.key)
            if count is None:
                if all(change.values.get(n) is None for n in MEASURE_FIELDS):
                    change.status = "unchanged"
                    continue
                count = WidgetCount(
                    widget=change.widget, period_start=change.period_start, version=1
                )
                count.created_at = now
                new.append(count)
                change.status = "new"
            elif _differs(count, change):
                count.version += 1
                changed.append(count)
                change.status = "changed"
            else:
                change.status = "unchanged"
                change.count = count
                continue
            _apply(count, change, by=by, source=source, upload=upload, api_token=api_token, now=now)
            change.count = count
        reason = reason or CountSource(source).label
        if new:
            bulk_create_with_history(
                new, WidgetCount, batch_size=1000, default_user=by, default_change_reason=reason
            )
        if changed:
            bulk_update_with_history(
                changed,
                WidgetCount,
                UPDATED_FIELDS,
                batch_size=1000,
                default_user=by,
                default_change_reason=reason,
            )
        return changes


def _differs(count, change):
    if any(getattr(count, n) != v for n, v in change.values.items()):
        return True
    return change.balance_note != "" and (change.balance_note or "") != count.balance_note


def _apply(count, change, *, by, source, upload, api_token, now):
    for name, value in change.values.items():
        setattr(count, name, value)
    if change.balance_note != "":
        count.balance_note = change.balance_note or ""
    count.source = source
    # The person who typed the numbers; an upload (its file and who sent it) or a
    # token says where the others came from, as history_user says who saved them.
    count.entered_by = by if upload is None and api_token is None else None
    count.upload = upload
    count.api_token = api_token
    count.updated_at = now
