"""Measurements from a CSV/XLSX upload: previewed row by row, saved all or none.

Columns: outcome_id, date (YYYY-MM-DD), value, note. Each row is validated by
the same form as the entry page (`MeasurementForm`); the outcome must be one the
user may enter measurements for (staff of its agency). A row for an outcome and
date already measured changes that measurement. The page is
outcomes.views.MeasurementUpload.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from agencies.errors import UploadRejected
from agencies.previews import CHANGED, ERROR, NEW, UNCHANGED, Cell, Preview
from agencies.scoping import STAFF
from agencies.tabular import cell_text

from .forms import MeasurementForm
from .models import Measurement, Outcome

COLUMNS = ["outcome_id", "date", "value", "note"]
COLUMN_HELP = {
    "outcome_id": "The outcome's number, on its page (required)",
    "date": "The date measured, as YYYY-MM-DD (required)",
    "value": "In the unit of the outcome, without thousands separators (required)",
    "note": "Where the figure comes from (optional)",
}
REQUIRED_COLUMNS = ("outcome_id", "date", "value")
FIELDS = ("value", "note")


@dataclass
class Row:
    """One row of a measurements file; follows the preview-row protocol (agencies.previews)."""

    number: int
    status: str = ERROR  # new / changed / unchanged / error
    outcome: Outcome | None = None
    errors: list = field(default_factory=list)
    form: MeasurementForm | None = None
    stored: dict = field(default_factory=dict)  # value and note before, for the cells

    warnings = ()
    notes = ()

    @property
    def label(self):
        if self.outcome is None:
            return ""
        date = self.form.cleaned_data["date"] if self.form else None
        return f"{self.outcome.name}, {date:%Y-%m-%d}" if date else self.outcome.name

    @property
    def messages(self):
        return self.errors

    @property
    def cells(self):
        if self.status not in (NEW, CHANGED):
            return []
        cells = [Cell(n, self.stored.get(n), self.form.cleaned_data[n]) for n in FIELDS]
        return [c for c in cells if c.changes]


def preview(rows, *, user):
    """Validate every row (from tabular.read_rows); saves nothing."""
    rows = [(n, {k: cell_text(v) for k, v in data.items()}) for n, data in rows]
    ids = {data.get("outcome_id", "") for _, data in rows}
    outcomes = Outcome.objects.changeable_by(user, STAFF).in_bulk(
        {int(i) for i in ids if i.isdigit()}
    )
    existing = {
        (m.outcome_id, m.date): m for m in Measurement.objects.filter(outcome__in=outcomes.values())
    }
    seen = {}
    return Preview([_row(n, data, outcomes, existing, seen) for n, data in rows])


def _row(number, data, outcomes, existing, seen):
    row = Row(number=number)
    raw = data.get("outcome_id", "")
    row.outcome = outcomes.get(int(raw)) if raw.isdigit() else None
    if row.outcome is None:
        row.errors.append(f"outcome_id: no outcome {raw or '(blank)'} that you may measure.")
        return row
    values = {key: data.get(key, "") for key in ("date", "value", "note")}
    try:
        key = (row.outcome.pk, dt.date.fromisoformat(values["date"]))
    except ValueError:
        key = None
    current = existing.get(key) if key else None
    # The form writes its values onto the instance; keep what is stored to compare.
    stored = {n: getattr(current, n) for n in FIELDS} if current else {}
    form = MeasurementForm(values, instance=current, outcome=row.outcome)
    if not form.is_valid():
        for name, errors in form.errors.items():
            row.errors.extend(f"{name}: {e}" for e in errors)
        return row
    if key in seen:
        row.errors.append(f"Repeats row {seen[key]} (same outcome and date).")
        return row
    seen[key] = number
    row.form, row.stored = form, stored
    if current is None:
        row.status = NEW
    elif stored == {n: form.cleaned_data[n] for n in FIELDS}:
        row.status = UNCHANGED
    else:
        row.status = CHANGED
    return row


def commit(result, *, user):
    """Save every row, or none: call only for a preview without errors."""
    if result.error_count:
        raise ValueError("A preview with errors cannot be saved.")
    try:
        with transaction.atomic():
            return [_save(row, user) for row in result.to_save]
    except IntegrityError as exc:
        raise UploadRejected(
            message="Someone saved a measurement meanwhile; nothing was saved."
        ) from exc


def _save(row, user):
    measurement = row.form.save(commit=False)
    measurement.entered_by = user
    measurement.full_clean()
    measurement.save()
    return measurement
