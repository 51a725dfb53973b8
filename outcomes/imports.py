"""Measurements from a CSV/XLSX upload: previewed row by row, saved all or none.

Columns: outcome_id, date (YYYY-MM-DD), value, note. Each row is validated by
the same form as the entry page (`MeasurementForm`); the outcome must be one the
user may enter measurements for (staff of its agency). A row for an outcome and
date already measured changes that measurement.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from agencies.scoping import STAFF
from agencies.tabular import RowsPreview

from .forms import MeasurementForm
from .models import Measurement, Outcome

COLUMNS = ["outcome_id", "date", "value", "note"]
REQUIRED_COLUMNS = ("outcome_id", "date", "value")
MAX_ROWS = 5000
KIND = "measurements"


@dataclass
class Row:
    number: int
    status: str = "error"  # new / changes / unchanged / error
    outcome: Outcome | None = None
    errors: list = field(default_factory=list)
    form: MeasurementForm | None = None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def preview(rows, *, user):
    """Validate every row (from tabular.read_rows); saves nothing."""
    rows = [(n, {k: _text(v) for k, v in data.items()}) for n, data in rows]
    if len(rows) > MAX_ROWS:
        row = Row(number=rows[MAX_ROWS][0], errors=[f"More than {MAX_ROWS} rows; split the file."])
        return RowsPreview([row])
    ids = {data.get("outcome_id", "") for _, data in rows}
    outcomes = Outcome.objects.changeable_by(user, STAFF).in_bulk(
        {int(i) for i in ids if i.isdigit()}
    )
    existing = {
        (m.outcome_id, m.date): m for m in Measurement.objects.filter(outcome__in=outcomes.values())
    }
    seen = {}
    return RowsPreview([_row(n, data, outcomes, existing, seen) for n, data in rows])


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
    stored = (current.value, current.note) if current else None
    form = MeasurementForm(values, instance=current, outcome=row.outcome)
    if not form.is_valid():
        for name, errors in form.errors.items():
            row.errors.extend(f"{name}: {e}" for e in errors)
        return row
    if key in seen:
        row.errors.append(f"Repeats row {seen[key]} (same outcome and date).")
        return row
    seen[key] = number
    row.form = form
    if current is None:
        row.status = "new"
    elif stored == (form.cleaned_data["value"], form.cleaned_data["note"]):
        row.status = "unchanged"
    else:
        row.status = "changes"
    return row


@transaction.atomic
def commit(result, *, user):
    """Save every row, or none: call only for a preview without errors."""
    if result.errors:
        raise ValueError("A preview with errors cannot be saved.")
    saved = []
    for row in result.to_save:
        measurement = row.form.save(commit=False)
        measurement.entered_by = user
        measurement.full_clean()
        measurement.save()
        saved.append(measurement)
    return saved
