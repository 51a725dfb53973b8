"""Counts from a CSV or XLSX file: previewed row by row, then saved all or nothing.

The file is read as a stream, in batches, so memory does not grow with its
size: the preview keeps totals, the first rows and the first errors; the commit
reads the file again and saves batch by batch inside one transaction. Every
row goes through the rules of widgets.counting, like the grid and the API.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.utils import timezone

from agencies.tabular import read_rows

from . import counting
from .models import CountUpload, Widget, WidgetCount

COLUMNS = [
    ("agency", "Agency abbreviation, e.g. DEQ (optional; checked when given)"),
    ("widget_id", "The widget's number (from the catalogue or its export)"),
    ("widget", "Or the widget's name, exactly as in the catalogue"),
    ("period_start", "First day of the period, as YYYY-MM-DD"),
    *[(name, counting.LABELS[name]) for name in counting.VALUE_FIELDS],
]
BATCH = 1000
KEEP_ROWS = 50
KEEP_ERRORS = 200


class SeenPeriods:
    """Which (widget, period) pairs a file has had, in one bit each.

    A bit per day from 2000 to 2099 for each widget in the file: memory grows
    with the number of widgets (4.5 KB each), not with the number of rows.
    """

    FIRST = dt.date(2000, 1, 1).toordinal()
    DAYS = dt.date(2100, 1, 1).toordinal() - FIRST

    def __init__(self):
        self.bits = {}

    def add(self, widget_id, day):
        """True if the pair was new; False if the file had it already."""
        offset = day.toordinal() - self.FIRST
        if not 0 <= offset < self.DAYS:
            return True  # refused elsewhere as out of range
        bits = self.bits.setdefault(widget_id, bytearray(self.DAYS // 8 + 1))
        byte, mask = offset // 8, 1 << (offset % 8)
        if bits[byte] & mask:
            return False
        bits[byte] |= mask
        return True


class UploadRejected(Exception):
    """The commit found rows with errors: nothing was saved."""


@dataclass
class PreviewRow:
    number: int
    widget: str
    period: str
    status: str  # new / changes / unchanged / error
    messages: list = field(default_factory=list)


@dataclass
class Preview:
    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    rows: list = field(default_factory=list)
    error_rows: list = field(default_factory=list)

    def add(self, row):
        self.total += 1
        attribute = {"new": "new", "changes": "changed", "unchanged": "unchanged"}.get(row.status)
        if attribute:
            setattr(self, attribute, getattr(self, attribute) + 1)
        else:
            self.errors += 1
            if len(self.error_rows) < KEEP_ERRORS:
                self.error_rows.append(row)
        if len(self.rows) < KEEP_ROWS:
            self.rows.append(row)


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


class CountFile:
    def __init__(self, *, agency, user):
        self.agency = agency
        self.user = user
        widgets = Widget.objects.filter(agency=agency).only(
            "pk", "name", "status", "reporting_frequency", "agency_id"
        )
        self.by_id = {w.pk: w for w in widgets}
        self.by_name = {w.name.lower(): w for w in self.by_id.values()}
        self.today = timezone.localdate()

    def _widget(self, values, messages):
        raw_id = str(values.get("widget_id") or "").strip()
        if raw_id:
            try:
                widget = self.by_id.get(int(float(raw_id)))
            except ValueError:
                widget = None
            if widget is None:
                messages.append(
                    f"widget_id: {raw_id} is not a widget of {self.agency.abbreviation}."
                )
            return widget
        name = str(values.get("widget") or "").strip()
        if not name:
            messages.append("widget_id: give the widget's number or its name.")
            return None
        widget = self.by_name.get(name.lower())
        if widget is None:
            messages.append(f"widget: {self.agency.abbreviation} has no widget named “{name}”.")
        return widget

    def _check(self, number, values, seen):
        """(PreviewRow, CountChange or None) for one row of the file."""
        messages = []
        agency = str(values.get("agency") or "").strip()
        if agency and agency.lower() != self.agency.abbreviation.lower():
            messages.append(f"agency: this upload is for {self.agency.abbreviation}, not {agency}.")
        widget = self._widget(values, messages)
        period = _date(values.get("period_start"))
        if period is None:
            messages.append(
                f"period_start: “{values.get('period_start') or ''}” is not a date as YYYY-MM-DD."
            )
        parsed, errors = counting.parse_values(values)
        for name, texts in {**errors, **counting.check_rules(parsed)}.items():
            messages.extend(f"{name}: {t}" for t in texts)
        if widget is not None and period is not None:
            messages.extend(
                f"period_start: {t}" for t in counting.check_period(widget, period, self.today)
            )
            if not seen.add(widget.pk, period):
                messages.append("This widget and period appear more than once in the file.")
        row = PreviewRow(
            number=number,
            widget=widget.name
            if widget
            else str(values.get("widget") or values.get("widget_id") or ""),
            period=f"{period:%Y-%m-%d}" if period else str(values.get("period_start") or ""),
            status="error" if messages else "",
            messages=messages,
        )
        change = (
            None
            if messages
            else counting.CountChange(widget=widget, period_start=period, values=parsed)
        )
        return row, change

    def _batches(self, fileobj, filename):
        seen = SeenPeriods()
        rows = read_rows(fileobj, filename, required=("period_start",))
        while batch := list(islice(rows, BATCH)):
            checked = [self._check(number, values, seen) for number, values in batch]
            changes = [c for _, c in checked if c is not None]
            existing = {
                (c.widget_id, c.period_start): c
                for c in WidgetCount.objects.filter(
                    widget_id__in={c.widget.pk for c in changes},
                    period_start__in={c.period_start for c in changes},
                )
            }
            for row, change in checked:
                if change is None:
                    continue
                current = existing.get((change.widget.pk, change.period_start))
                if current is None:
                    row.status = "new"
                elif any(getattr(current, n) != change.values[n] for n in counting.VALUE_FIELDS):
                    row.status = "changes"
                else:
                    row.status = "unchanged"
            yield checked

    def preview(self, fileobj, filename):
        """Totals, the first rows and the first errors; UploadError for a bad file."""
        preview = Preview()
        for checked in self._batches(fileobj, filename):
            for row, _ in checked:
                preview.add(row)
        return preview

    @transaction.atomic
    def commit(self, fileobj, filename):
        """Save every row or none; UploadRejected when any row has an error."""
        upload = CountUpload.objects.create(
            agency=self.agency, uploaded_by=self.user, file_name=filename[:255]
        )
        preview = Preview()
        for checked in self._batches(fileobj, filename):
            for row, _ in checked:
                preview.add(row)
            if preview.errors:
                raise UploadRejected(preview)
            changes = [c for row, c in checked if row.status in {"new", "changes"}]
            counting.save_counts(changes, by=self.user, source="import", upload=upload)
        if not preview.total:
            raise UploadRejected(preview)
        upload.rows_total = preview.total
        upload.rows_new = preview.new
        upload.rows_changed = preview.changed
        upload.rows_unchanged = preview.unchanged
        upload.save()
        return upload
