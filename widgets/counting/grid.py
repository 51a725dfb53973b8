"""The entry grid: all of an agency's counted widgets for one period, one save.

Every cell is checked by the rules of widgets.counting; a bad cell keeps every
other value on the page; the balance check is a warning that the person
confirms with a reason. Nothing is saved until the whole page is right, and
then all rows are saved in one transaction through counting.save_counts.

What a save writes is what the person changed on the page they saw: a cell
that was not posted, or that still holds what the page showed, is left as it
is; a cell the person emptied clears the stored value, and the page asks them
to confirm each clear before saving. A row changed by someone else since the
page was opened (or created, for a row the page showed empty) is refused with
both versions shown.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import counting, measures
from ..models import Widget, WidgetCount
from ..periods import describe_period, previous_period_start

# A row's note obeys the rules of the count form's note (counting.views.CountForm):
# at most 1000 characters, kept whole, and no NUL (PostgreSQL cannot store one).
NOTE_FIELD = forms.CharField(required=False, max_length=1000)
STALE_ROW = (
    "Someone else saved this row after you opened the page. Nothing was saved. Theirs: {theirs}. "
    "Yours are in the cells: save again to replace theirs with yours, or change them."
)


@dataclass
class GridRow:
    widget: Widget
    current: WidgetCount | None
    previous: WidgetCount | None
    raw: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    row_errors: list = field(default_factory=list)
    warning: str = ""  # this period does not balance (counting.balance)
    later_warnings: list = field(default_factory=list)  # the period after will not
    confirmed: bool = False
    note: str = ""
    values: dict = field(default_factory=dict)  # the cells the person changed
    seen_version: int | None = None  # as posted: SAW_NONE for a row shown empty
    seen: WidgetCount | None = None  # the row as the person saw it, when known
    posted: bool = False  # the row was on the page that was posted
    clears: list = field(default_factory=list)  # [(field, old value)]
    clears_confirmed: bool = False

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
    def clear_message(self):
        return "This clears " + ", ".join(
            f"{counting.LABELS[n].lower()} (was {old})" for n, old in self.clears
        )

    @property
    def needs_clear_confirmation(self):
        return bool(self.clears) and not self.clears_confirmed

    @property
    def warned(self):
        return bool(self.warning or self.later_warnings)

    @property
    def has_errors(self):
        return bool(self.errors or self.row_errors)

    def stale(self, current):
        """Someone else's save won: show theirs, and take their version as seen."""
        self.row_errors.append(STALE_ROW.format(theirs=_theirs(current)))
        self.current = current


def _theirs(current):
    if current is None:
        return "the row was deleted"
    return ", ".join(
        f"{counting.LABELS[n].lower()} {_as_text(getattr(current, n)) or 'blank'}"
        for n in counting.VALUE_FIELDS
    )


def _as_text(value):
    return "" if value is None else str(value)


# The largest version a count can have (a PositiveIntegerField on every database).
MAX_VERSION = 2**31 - 1


def _seen_version(text):
    """The version the page gave the row, as posted; None when it is not one a page
    could give (not a whole number, or outside a version's range)."""
    if text == "":
        return counting.SAW_NONE
    try:
        version = int(text)
    except ValueError:
        return None
    return version if 0 <= version <= MAX_VERSION else None


class CountGrid:
    # Cells that take dollars and cents (the others take whole numbers).
    money_fields = frozenset(f.name for f in measures.typed_fields() if f.is_money)

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
            row.raw = {n: _as_text(getattr(row.current, n, None)) for n in counting.VALUE_FIELDS}
        if data is not None:
            for row in self.rows:
                self._read_post(row, data)
            self._find_what_was_seen()

    def _read_post(self, row, data):
        row.posted = f"{row.prefix}-version" in data
        if not row.posted:
            return  # not on the page the person saw (approved since): nothing to write
        row.seen_version = _seen_version(data[f"{row.prefix}-version"])
        for name in counting.VALUE_FIELDS:
            key = f"{row.prefix}-{name}"
            if key in data:
                row.raw[name] = data[key]
        row.confirmed = data.get(f"{row.prefix}-confirm") == "on"
        row.clears_confirmed = data.get(f"{row.prefix}-clear") == "on"
        row.note = data.get(f"{row.prefix}-note", "").strip()

    def _find_what_was_seen(self):
        """The row each person saw: the stored one when its version is the one they
        read; otherwise the history record of that version (one query for all)."""
        older = {}
        for row in self.rows:
            if not row.posted:
                continue
            if row.seen_version == counting.version_of(row.current):
                row.seen = row.current
            elif row.current and row.seen_version:
                older[(row.current.pk, row.seen_version)] = row
        if older:
            records = WidgetCount.history.filter(
                id__in={pk for pk, _ in older}, version__in={v for _, v in older}
            )
            for record in records:
                row = older.get((record.id, record.version))
                if row is not None:
                    row.seen = record

    @property
    def error_count(self):
        return sum(1 for r in self.rows if r.has_errors)

    @property
    def warning_count(self):
        return sum(
            1 for r in self.rows if (r.warned and not r.confirmed) or r.needs_clear_confirmation
        )

    def is_valid(self):
        """Check every row; True when the page can be saved as it is."""
        period_errors = None
        for row in self.rows:
            if row.posted:
                self._check_row(row)
            if row.values and period_errors is None:
                period_errors = counting.check_period(
                    row.widget, self.period_start, timezone.localdate()
                )
            if row.values and any(v is not None for v in row.values.values()) and period_errors:
                row.row_errors = list(period_errors)
        self._check_balance()
        return self.error_count == 0 and self.warning_count == 0

    def _check_row(self, row):
        sent = {n: row.raw[n] for n in counting.VALUE_FIELDS}
        values, row.errors = counting.parse_values(sent, blank_clears=True)
        # A field that does not apply is shown as n/a, not as a cell: nothing to save.
        values, not_applicable = counting.check_not_applicable(row.widget, values)
        row.errors.update(not_applicable)
        if row.seen_version is None:
            row.row_errors.append("This row's version is not one the page gave: reload the page.")
            return
        if row.seen is None and row.seen_version != counting.SAW_NONE:
            # What they saw is unknown (no history kept): every cell counts as changed.
            row.values = values
        else:
            row.values = {n: v for n, v in values.items() if v != getattr(row.seen, n, None)}
        row.clears = [
            (n, getattr(row.seen, n))
            for n, v in row.values.items()
            if v is None and row.seen is not None and getattr(row.seen, n) is not None
        ]
        if row.values and not counting.is_as_seen(row.seen_version, row.current):
            row.stale(row.current)
        after = counting.merged(row.current, row.values)
        for name, messages in counting.check_rules(after).items():
            if name in counting.VALUE_FIELDS:
                row.errors.setdefault(name, []).extend(messages)
        try:
            NOTE_FIELD.clean(row.note)
        except ValidationError as exc:
            row.errors["note"] = exc.messages

    def _check_balance(self):
        """The balance of the changed rows as they will be, and of the periods after
        them (counting.balance: one query); a row that does not balance is saved only
        once confirmed with a reason, a later period's change once confirmed."""
        rows = {
            (row.widget.pk, self.period_start): row
            for row in self.rows
            if row.values and not row.has_errors
        }
        changes = [self._change(row) for row in rows.values()]
        for finding in counting.balance_findings(changes):
            row = rows[(finding.widget.pk, self.period_start)]
            if finding.later:
                row.later_warnings.append(finding.message)
            else:
                row.warning = finding.message
                if not row.note and row.current is not None:
                    row.note = row.current.balance_note  # the reason given before, to confirm
                if row.confirmed and not row.note:
                    row.errors["note"] = ["Say why the backlog does not balance, to confirm it."]

    def _change(self, row):
        return counting.CountChange(
            widget=row.widget,
            period_start=self.period_start,
            values=row.values,
            expected_version=row.seen_version,
            balance_note=row.note if row.warning else "",
        )

    def save(self):
        """Save the changed rows; CountConflict marks the rows someone else saved."""
        changes, by_key = [], {}
        for row in self.rows:
            if not row.values:
                continue
            change = self._change(row)
            changes.append(change)
            by_key[change.key] = row
        try:
            return counting.save_counts(changes, by=self.user, source="form")
        except counting.CountConflict as exc:
            for conflict in exc.conflicts:
                by_key[conflict.change.key].stale(conflict.current)
            raise
