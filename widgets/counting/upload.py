"""Counts from a CSV or XLSX file: previewed row by row, then saved all or nothing.

The file is read as a stream, in batches, so memory does not grow with its
size: the preview keeps totals, the first rows and the first errors; the commit
reads the file again, checks every row again and saves inside one transaction.
Every row goes through the rules of widgets.counting, like the grid and the API;
what repeats in a file (a cell's text, a widget's number, a date, a period's
verdict) is worked out by those rules once per file and then remembered.

A file changes only what it says: a column the file does not have, or a blank
cell, leaves the stored value as it is; the word "clear" in a cell clears it
(shown in the preview as "clears backlog (was 30)"). The rules are judged on
each row as it will be, stored values and the file's together. Columns the
file has that are not read are named on the preview as ignored.

The commit refuses to overwrite what someone else saved after the preview: the
preview keeps a snapshot (how many of the file's rows existed, and a checksum
of their versions); the commit locks those rows and compares. On PostgreSQL the
rows are saved set-based (widgets.counting.copy: COPY into a temporary table, then
one UPDATE, one INSERT and one INSERT of history); elsewhere (SQLite) batch by
batch through widgets.counting.save_counts. Both give the same result.
"""

import datetime as dt
import operator
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from agencies.errors import UploadRejected
from agencies.tabular import collecting_less
from agencies.tabular import read_rows as tabular_read_rows

from .. import counting, measures, quality
from ..models import CountUpload, Widget, WidgetCount
from .balance import Judge, Row, stored_around
from .copy import save_count_file
from .rows import KEEP, GoodRow, Preview, PreviewRow, SeenPeriods, version_checksum
from .writes import lock_not_applicable

COLUMNS = [
    ("agency", "Agency abbreviation, e.g. DEQ (optional; checked when given)"),
    ("widget_id", "The widget's number (from the catalogue or its export)"),
    ("widget", "Or the widget's name, exactly as in the catalogue"),
    ("period_start", "First day of the period, as YYYY-MM-DD"),
    *[(f.name, f"{f.label}: {f.help}") for f in measures.typed_fields()],
    (
        "balance_note",
        "Why the backlog does not balance with the period before, when it does not "
        "(optional): kept with the row, which then counts as explained",
    ),
]
NOTE_LENGTH = 1000
BATCH = 2000
# How many distinct cell texts, dates and widget numbers a file's memos hold:
# beyond that a value is simply worked out again (memory stays bounded).
MEMO_LIMIT = 20_000
NO_SNAPSHOT = (
    "This save does not carry what the preview saw of the saved counts, so changes made "
    "since cannot be told. Nothing was saved: upload the file again."
)
_MISSING = object()
_VALUES_OF = operator.itemgetter(*counting.VALUE_FIELDS)
# Which of the values is money (cost): its cells are remembered apart from counts'.
_IS_MONEY = tuple(measures.field(n).is_money for n in counting.VALUE_FIELDS)
_BACKLOG = counting.VALUE_FIELDS.index("backlog")
# (share, whole): where each share and its whole are among the values (_may_break_rules).
_SHARES = tuple(
    (counting.VALUE_FIELDS.index(f.name), counting.VALUE_FIELDS.index(f.share_of))
    for f in measures.typed_fields()
    if f.share_of
)
# The values the rules among a row's own cells need (delivered): see _check.
_WHOLES = tuple(whole for _share, whole in _SHARES)


def _sends_wholes(values):
    """The row sends every whole (delivered): its own cells can be judged by the rules."""
    return all(values[i] is not KEEP for i in _WHOLES)


def _may_break_rules(values):
    """False when counting.check_rules surely finds nothing among a row's values (in
    VALUE_FIELDS order): each share blank, cleared, or a whole number no more than its
    whole. Anything else (most rows of a file are the former) is judged by the rules."""
    for share, whole in _SHARES:
        value = values[share]
        if value is KEEP or value is None:
            continue
        total = values[whole]
        if type(value) is int and type(total) is int and value <= total:
            continue
        return True
    return False


def _note(raw, messages):
    """The row's balance_note: KEEP when blank, None for the word "clear", else the text."""
    if counting.is_blank(raw):
        return KEEP
    text = str(raw).strip()
    if counting.is_clear(text):
        return None
    if len(text) > NOTE_LENGTH:
        messages.append(f"balance_note: write the reason in {NOTE_LENGTH} characters or fewer.")
    if "\x00" in text:
        messages.append("balance_note: remove the NUL character from the reason.")
    return text


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _findings(good):
    """[(row number, finding)]: the data-quality findings (widgets.quality) the new and
    changed rows of one batch would create, judged with the saved periods around them
    and the batch's other rows (one query a batch)."""
    writes = [r for r in good if r.status in {"new", "changes"}]
    numbers = {(r.widget.pk, r.period_start): r.number for r in writes}
    found = quality.for_rows((r.widget, r.period_start, r.sent) for r in writes)
    return sorted(((numbers[f.widget.pk, f.period], f) for f in found), key=lambda p: p[0])


def _not_applicable(widget, parsed, errors):
    """(parsed, errors) after counting.check_not_applicable: "n/a" in a field that
    does not apply to the widget says nothing (KEEP); a number there, or "n/a" in
    a field that applies, is an error at that field."""
    sent = {n: v for n, v in zip(counting.VALUE_FIELDS, parsed, strict=True) if v is not KEEP}
    kept, refused = counting.check_not_applicable(widget, sent)
    return (
        tuple(kept.get(n, KEEP) for n in counting.VALUE_FIELDS),
        {**refused, **errors},
    )


class CountFile:
    def __init__(self, *, agency, user, read_rows=None):
        self.agency = agency
        self.user = user
        # How the file is read: tabular.read_rows, or the upload page's (which counts rows).
        self.read_rows = read_rows or tabular_read_rows
        widgets = Widget.objects.filter(agency=agency).only(
            "pk", "name", "status", "reporting_frequency", "agency_id", "not_applicable"
        )
        self.by_id = {w.pk: w for w in widgets}
        self.by_name = {w.name.lower(): w for w in self.by_id.values()}
        self.today = timezone.localdate()
        self._reset_memos()

    def _reset_memos(self):
        # Text cells -> parsed value, by counting.parse_value (only what parsed);
        # blank is KEEP (no change), "clear" is None.
        self._counts = {"": KEEP, None: KEEP}
        self._costs = {"": KEEP, None: KEEP}
        # The memo of each value, in VALUE_FIELDS order.
        self._memos = tuple(self._costs if money else self._counts for money in _IS_MONEY)
        self._dates = {}  # text -> date (or None)
        self._widget_ids = {}  # text of widget_id -> widget (only those found)
        # (status, frequency, period) -> True when counting.check_period found
        # nothing: it depends on the widget through these alone (see its docstring).
        self._good_periods = {}
        # A cell said "n/a" (parsed to measures.NOT_APPLICABLE, and so remembered):
        # until one does, a row of a widget that declares nothing not applicable
        # needs no look for it (~1.4 µs a row when looked for, measured).
        self._saw_not_applicable = False

    # -- one row ------------------------------------------------------------------

    def _widget(self, values, messages):
        raw_id = str(values.get("widget_id") or "").strip()
        name = str(values.get("widget") or "").strip()
        if raw_id:
            widget = self._widget_ids.get(raw_id)
            if widget is None:
                try:
                    widget = self.by_id.get(int(float(raw_id)))
                except ValueError:
                    widget = None
                if widget is None:
                    messages.append(
                        f"widget_id: {raw_id} is not a widget of {self.agency.abbreviation}."
                    )
                    return None
                if len(self._widget_ids) < MEMO_LIMIT:
                    self._widget_ids[raw_id] = widget
            if name and name.lower() != widget.name.lower():
                messages.append(
                    f"widget: widget {raw_id} is “{widget.name}”, not “{name}”: "
                    "correct the number or the name."
                )
                return None
            return widget
        if not name:
            messages.append("widget_id: give the widget's number or its name.")
            return None
        widget = self.by_name.get(name.lower())
        if widget is None:
            messages.append(f"widget: {self.agency.abbreviation} has no widget named “{name}”.")
        return widget

    def _period(self, raw):
        if type(raw) is not str:
            return _date(raw)
        period = self._dates.get(raw, _MISSING)
        if period is _MISSING:
            period = _date(raw)
            if len(self._dates) < MEMO_LIMIT:
                self._dates[raw] = period
        return period

    def parse_values(self, raw_values):
        """(values in VALUE_FIELDS order with KEEP for cells that say nothing, errors):
        counting.parse_values, remembering what each text cell parsed to."""
        try:
            raws = _VALUES_OF(raw_values)
        except KeyError:  # a file without some of the columns: they say nothing
            raws = [raw_values.get(name) for name in counting.VALUE_FIELDS]
        try:  # every cell seen before? (The keys are texts and None, which no number equals.)
            return tuple(map(dict.__getitem__, self._memos, raws)), {}
        except (KeyError, TypeError):
            pass
        sent = dict(zip(counting.VALUE_FIELDS, raws, strict=True))
        values, errors = counting.parse_values(sent, blank_clears=False)
        if not self._saw_not_applicable:  # from now on, rows are checked for "n/a" (_check)
            self._saw_not_applicable = any(v is measures.NOT_APPLICABLE for v in values.values())
        for (name, raw), memo in zip(sent.items(), self._memos, strict=True):
            if type(raw) is str and name not in errors and len(memo) < MEMO_LIMIT:
                memo[raw] = values.get(name, KEEP)
        return tuple(values.get(n, KEEP) for n in counting.VALUE_FIELDS), errors

    def _period_errors(self, widget, period):
        key = (widget.status, widget.reporting_frequency, period)
        if key in self._good_periods:
            return ()
        errors = counting.check_period(widget, period, self.today)
        if not errors and len(self._good_periods) < MEMO_LIMIT:
            self._good_periods[key] = True
        return errors

    def _check(self, number, values, seen):
        """A GoodRow, or a PreviewRow with the row's errors."""
        messages = []
        agency = values.get("agency")
        if agency:
            agency = str(agency).strip()
            if agency and agency.lower() != self.agency.abbreviation.lower():
                messages.append(
                    f"agency: this upload is for {self.agency.abbreviation}, not {agency}."
                )
        widget = self._widget(values, messages)
        raw_period = values.get("period_start")
        period = self._period(raw_period)
        if period is None:
            messages.append(f"period_start: “{raw_period or ''}” is not a date as YYYY-MM-DD.")
        note = _note(values.get("balance_note"), messages)
        parsed, errors = self.parse_values(values)
        if widget is not None and (widget.not_applicable or self._saw_not_applicable):
            parsed, errors = _not_applicable(widget, parsed, errors)
        if _sends_wholes(parsed) and _may_break_rules(parsed):
            # The rules among the cells the row sends (a cell that did not parse is
            # KEEP); with the stored values in _classify.
            sent = zip(counting.VALUE_FIELDS, parsed, strict=True)
            errors = counting.with_sent_rules({n: v for n, v in sent if v is not KEEP}, errors)
        for name, texts in errors.items():
            messages.extend(f"{name}: {t}" for t in texts)
        if widget is not None and period is not None:
            messages.extend(f"period_start: {t}" for t in self._period_errors(widget, period))
            if not seen.add(widget.pk, period):
                messages.append("This widget and period appear more than once in the file.")
        if messages:
            return PreviewRow(
                number=number,
                widget=widget.name
                if widget
                else str(values.get("widget") or values.get("widget_id") or ""),
                period=f"{period:%Y-%m-%d}" if period else str(raw_period or ""),
                status="error",
                messages=messages,
            )
        return GoodRow(number, widget, period, parsed, note)

    # -- the file -----------------------------------------------------------------

    def _checked_batches(self, fileobj, filename):
        """Lists of checked rows (GoodRow or PreviewRow), BATCH at a time."""
        self._reset_memos()
        seen = SeenPeriods()
        rows = self.read_rows(fileobj, filename, required=("period_start",))
        check = self._check
        while batch := list(islice(rows, BATCH)):
            yield [check(number, values, seen) for number, values in batch]

    @staticmethod
    def _existing(good):
        """{(widget_id, period_start): (version, values, balance_note)} for the good rows
        that exist."""
        if not good:
            return {}
        rows = WidgetCount.objects.filter(
            widget_id__in={r.widget.pk for r in good},
            period_start__in={r.period_start for r in good},
        ).values_list(
            "widget_id", "period_start", "version", "balance_note", *counting.VALUE_FIELDS
        )
        return {(w, p): (version, tuple(values), note) for w, p, version, note, *values in rows}

    def _classify(self, checked, preview, judge=None):
        """Each good row's status against the database, and the rules judged on the
        row as it will be (stored values with the file's over them); the preview's
        totals and snapshot. Returns the rows that are still good. With `judge` (a
        counting.balance.Judge), the rows the file changes go to it as they will be."""
        candidates = [r for r in checked if type(r) is GoodRow]
        existing = self._existing(candidates)
        good, changed = [], []
        for row in checked:
            if type(row) is not GoodRow:
                preview.add(row)
                continue
            current = existing.get((row.widget.pk, row.period_start)) if existing else None
            if current is None:
                stored, stored_note = None, ""
                values = dict(zip(counting.VALUE_FIELDS, row.values, strict=True))
                if KEEP in row.values:  # a cell that says nothing is no value yet
                    for name, value in values.items():
                        if value is KEEP:
                            values[name] = None
                # With nothing stored the row as it will be is its own cells, which
                # _check has judged by the rules when they hold every whole.
                judged = _sends_wholes(row.values)
            else:
                stored, stored_note = current[1], current[2]
                values = {
                    n: stored[i] if v is KEEP else v
                    for i, (n, v) in enumerate(zip(counting.VALUE_FIELDS, row.values, strict=True))
                }
                judged = False
                # Part of the snapshot, whatever else is wrong with the row.
                preview.existing += 1
                preview.checksum += version_checksum(row.widget.pk, row.period_start, current[0])
            broken = None if judged else counting.check_rules(values)
            if broken:
                preview.add(self._broken(row, broken, stored))
                continue
            note = stored_note if row.note is KEEP else (row.note or "")
            if current is None:
                row.status = "unchanged" if row.blank else "new"
            else:
                differs = tuple(values.values()) != stored or note != stored_note
                row.status = "changes" if differs else "unchanged"
            preview.add_good(row, stored, stored_note)
            good.append(row)
            if judge is not None and row.status != "unchanged":
                before = None if stored is None else stored[_BACKLOG]
                changed.append(
                    (
                        (row.number, row.status),
                        Row(row.widget, row.period_start, values, note, before),
                    )
                )
        if changed:
            periods = {}
            for _tag, row in changed:
                periods.setdefault(row.widget, set()).add(row.period_start)
            judge.add(changed, stored_around(periods))
        return good

    @staticmethod
    def _broken(row, broken, stored):
        """A PreviewRow for a row that breaks a rule once it meets the stored values."""
        kept = [
            counting.LABELS[n].lower()
            for n in ("delivered", *broken)
            if row.values[counting.VALUE_FIELDS.index(n)] is KEEP
        ]
        where = f" ({', '.join(dict.fromkeys(kept))}: as saved, since this row leaves it blank)"
        messages = [
            f"{name}: {t}{where if kept else ''}" for name, texts in broken.items() for t in texts
        ]
        return PreviewRow(
            row.number, row.widget.name, row.period_start.isoformat(), "error", messages
        )

    def preview(self, fileobj, filename):
        """Totals, the first rows and the first errors; UploadError for a bad file."""
        preview = Preview()
        judge = Judge(preview.warn_balance)
        with collecting_less():
            for checked in self._checked_batches(fileobj, filename):
                good = self._classify(checked, preview, judge)
                preview.add_findings(_findings(good))
            judge.finish()
        return preview

    def commit(self, fileobj, filename, *, snapshot):
        """Save every row or none; UploadRejected when any row has an error.

        `snapshot` is the preview's (rows.Snapshot): counting.CountConflict (and
        nothing saved) when the rows the file writes are not as the preview saw
        them; so does losing a race with another writer. Without one (None: a
        ticket that lost or forged it) the commit is refused, never saved unchecked.
        """
        if snapshot is None:
            raise UploadRejected(message=NO_SNAPSHOT)
        with counting.races_as_conflicts(), collecting_less():
            return self._commit(fileobj, filename, snapshot)

    @transaction.atomic
    def _commit(self, fileobj, filename, snapshot):
        upload = CountUpload.objects.create(
            agency=self.agency, uploaded_by=self.user, file_name=filename[:255]
        )
        # Which fields apply to each widget, as now and held so until the commit
        # (the set-based save does not go through save_counts, which would do it).
        for pk, not_applicable in lock_not_applicable(self.by_id).items():
            self.by_id[pk].not_applicable = not_applicable
        batches = self._checked_batches(fileobj, filename)
        if connection.vendor == "postgresql":
            preview = save_count_file(
                batches, upload=upload, by=self.user, snapshot=snapshot, classify=self._classify
            )
        else:
            preview = self._save_in_batches(batches, upload, snapshot)
        if not preview.total:
            raise UploadRejected(preview)
        upload.rows_total = preview.total
        upload.rows_new = preview.new
        upload.rows_changed = preview.changed
        upload.rows_unchanged = preview.unchanged
        upload.save()
        return upload

    def _save_in_batches(self, batches, upload, snapshot):
        """The portable commit: classify and save each batch through save_counts."""
        preview = Preview()
        for checked in batches:
            good = self._classify(checked, preview)
            if preview.errors:
                raise UploadRejected(preview)
            changes = [
                counting.CountChange(
                    widget=r.widget,
                    period_start=r.period_start,
                    values=r.sent,
                    balance_note="" if r.note is KEEP else r.note,
                )
                for r in good
                if r.status in {"new", "changes"}
            ]
            counting.save_counts(changes, by=self.user, source="import", upload=upload)
        if snapshot is not None and preview.snapshot != snapshot:
            raise counting.CountConflict()
        return preview
