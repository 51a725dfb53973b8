"""The entry grid: all of an agency's counted widgets for one period, one save.

Every cell is checked by the rules of widgets.counting; a bad cell keeps every
other value on the page; the balance check is a warning that the person
confirms with a reason. Nothing is saved until the whole page is right, and
then all rows are saved in one transaction.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import counting
from .models import Widget, WidgetCount
from .periods import describe_period, previous_period_start

# A row's note obeys the rules of the count form's note (count_views.CountForm):
# at most 1000 characters, kept whole, and no NUL (PostgreSQL cannot store one).
NOTE_FIELD = forms.CharField(required=False, max_length=1000)


@dataclass
class GridRow:
    widget: Widget
    current: WidgetCount | None
    previous: WidgetCount | None
    raw: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    row_errors: list = field(default_factory=list)
    warning: str = ""
    confirmed: bool = False
    note: str = ""
    values: dict = field(default_factory=dict)

    @property
    def prefix(self):
        return f"w{self.widget.pk}"

    @property
    def version(self):
        return self.current.version if self.current else ""

    @property
    def cells(self):
        """(field, label, raw value, errors, previous value) for the template."""
        return [
            (
                name,
                counting.LABELS[name],
                self.raw.get(name, ""),
                self.errors.get(name, []),
                getattr(self.previous, name, None) if self.previous else None,
            )
            for name in counting.VALUE_FIELDS
        ]

    @property
    def has_errors(self):
        return bool(self.errors or self.row_errors)


def _as_text(value):
    return "" if value is None else str(value)


class CountGrid:
    def __init__(self, *, agency, frequency, period_start, user, data=None):
        self.agency = agency
        self.frequency = frequency
        self.period_start = period_start
        self.user = user
        self.data = data
        self.label = describe_period(period_start, frequency)
        widgets = list(
            Widget.objects.filter(
                agency=agency,
                reporting_frequency=frequency,
                status__in=counting.COUNTED_STATUSES,
            )
            .select_related("program")
            .order_by("program__name", "name")
        )
        previous_start = previous_period_start(period_start, frequency)
        counts = WidgetCount.objects.filter(
            widget__in=widgets, period_start__in=[period_start, previous_start]
        )
        by_key = {(c.widget_id, c.period_start): c for c in counts}
        self.rows = [
            GridRow(
                widget=w,
                current=by_key.get((w.pk, period_start)),
                previous=by_key.get((w.pk, previous_start)),
            )
            for w in widgets
        ]
        for row in self.rows:
            if data is None:
                row.raw = {
                    n: _as_text(getattr(row.current, n, None)) for n in counting.VALUE_FIELDS
                }
            else:
                row.raw = {n: data.get(f"{row.prefix}-{n}", "") for n in counting.VALUE_FIELDS}
                row.confirmed = data.get(f"{row.prefix}-confirm") == "on"
                row.note = data.get(f"{row.prefix}-note", "").strip()

    @property
    def error_count(self):
        return sum(1 for r in self.rows if r.has_errors)

    @property
    def warning_count(self):
        return sum(1 for r in self.rows if r.warning and not r.confirmed)

    def is_valid(self):
        """Check every row; True when the page can be saved as it is."""
        period_errors = None
        for row in self.rows:
            row.values, row.errors = counting.parse_values(row.raw)
            for name, messages in counting.check_rules(row.values).items():
                row.errors.setdefault(name, []).extend(messages)
            if period_errors is None:
                period_errors = counting.check_period(
                    row.widget, self.period_start, timezone.localdate()
                )
            if any(v is not None for v in row.values.values()) and period_errors:
                row.row_errors = list(period_errors)
            if row.current and self.data is not None:
                posted = self.data.get(f"{row.prefix}-version", "")
                if posted and posted != str(row.current.version):
                    row.row_errors.append(
                        "Someone else saved this row after you opened the page: check their "
                        "numbers (shown as placeholders) and save again."
                    )
            previous_backlog = row.previous.backlog if row.previous else None
            gap = None if row.errors else counting.balance_gap(row.values, previous_backlog)
            row.warning = counting.balance_message(gap, previous_backlog, row.values) if gap else ""
            if row.warning and row.confirmed and not row.note:
                row.errors["note"] = ["Say why the backlog does not balance, to confirm it."]
            try:
                NOTE_FIELD.clean(row.note)
            except ValidationError as exc:
                row.errors["note"] = exc.messages
        return self.error_count == 0 and self.warning_count == 0

    def save(self):
        changes = [
            counting.CountChange(
                widget=row.widget,
                period_start=self.period_start,
                values=row.values,
                balance_note=row.note if row.warning else "",
            )
            for row in self.rows
        ]
        return counting.save_counts(changes, by=self.user, source="form")
