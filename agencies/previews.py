"""What an upload's preview shows, the same for every import (agencies.uploads).

Every import fills a Preview with rows that follow one small protocol, so that
one template (templates/uploads/preview.html) shows them all:

    number    the row as a spreadsheet numbers it (the header is row 1), or None
    label     what the row is about, in words ("Air permit, 2026-01-01")
    status    NEW / CHANGED / UNCHANGED / ERROR
    messages  the row's errors: text, or objects whose str() is the text; an
              object's `kind` (else its text) groups like errors in the summary
    warnings  what will be saved but deserves a look
    notes     advice (the definition coach), shown with the row
    cells     Cell(column, old, new) for each value a new or changed row writes

PreviewRow is a ready-made row; an import's own row class may follow the
protocol instead (a dataclass with those attributes).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .templatetags import numbers

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
# Status as text and a symbol (never colour alone); the tag's colour is extra.
STATUS_LABELS = {ERROR: "✗ Error", NEW: "+ New", CHANGED: "~ Changes", UNCHANGED: "= Unchanged"}
STATUS_TAGS = {
    ERROR: "bg-secondary-dark",
    NEW: "bg-primary",
    CHANGED: "bg-accent-warm-darker",
    UNCHANGED: "bg-base-dark",
}
# How many kinds of error the summary names; the rest are counted together.
ERROR_KINDS_SHOWN = 10


def show(value):
    """A cell's value in words for the preview: blank for unknown, lists joined."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return numbers.exact(value)  # 30.0000 -> 30, 15400 -> 15,400: never rounded
    return str(value)


def is_blank(value):
    return value is None or value == ""


class Cell(NamedTuple):
    """One value a row writes: (column label, stored value, value after the save)."""

    column: str
    old: object = None
    new: object = None

    @property
    def changes(self):
        """The save writes something else than is stored (blank and None are the same)."""
        return self.old != self.new and not (is_blank(self.old) and is_blank(self.new))

    @property
    def clears(self):
        """A stored value the save makes blank."""
        return is_blank(self.new) and not is_blank(self.old)

    @property
    def sets(self):
        """A value where there was none."""
        return is_blank(self.old) and not is_blank(self.new)

    @property
    def old_text(self):
        return show(self.old)

    @property
    def new_text(self):
        return show(self.new)


def changed_cells(before, after, labels=None):
    """Cells for the values that differ between two {column: value} dicts."""
    labels = labels or {}
    cells = [Cell(labels.get(name, name), old, after.get(name)) for name, old in before.items()]
    return [cell for cell in cells if cell.changes]


@dataclass
class PreviewRow:
    number: int | None
    label: str
    status: str
    messages: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    cells: list = field(default_factory=list)


@dataclass
class Preview:
    """The rows of an upload as they would be saved, and what the page says about it.

    `rows` in file order. A preview that keeps only some rows of a long file
    (a stream) gives `total` and `tally` ({status: rows}) for all of them.
    `data` is whatever the import's commit needs besides the rows.
    """

    rows: list
    notes: list = field(default_factory=list)  # about the file as a whole
    data: object = None
    total: int | None = None
    tally: dict | None = None
    # Filled by the upload view: [(which file, or "", [column names])], the files' names.
    ignored_columns: list = field(default_factory=list)
    filenames: list = field(default_factory=list)
    # Rows with warnings in the whole file, for a preview that keeps only some rows.
    warned: int | None = None

    def __post_init__(self):
        if self.tally is None:
            self.tally = Counter(row.status for row in self.rows)
        if self.total is None:
            self.total = sum(self.tally.values())

    def count(self, status):
        return self.tally.get(status, 0)

    @property
    def partial(self):
        """True when the preview lists only some of the file's rows."""
        return len(self.rows) < self.total

    @property
    def error_rows(self):
        return [row for row in self.rows if row.status == ERROR]

    @property
    def error_count(self):
        return self.count(ERROR)

    @property
    def new_count(self):
        return self.count(NEW)

    @property
    def changed_count(self):
        return self.count(CHANGED)

    @property
    def unchanged_count(self):
        return self.count(UNCHANGED)

    @property
    def to_save(self):
        return [row for row in self.rows if row.status in (NEW, CHANGED)]

    @property
    def to_save_count(self):
        return self.count(NEW) + self.count(CHANGED)

    @property
    def warning_count(self):
        if self.warned is not None:
            return self.warned
        return sum(1 for row in self.rows if row.warnings)

    def error_kinds(self):
        """[(kind, rows with it)], most common first: the summary above the rows."""
        kinds = Counter()
        for row in self.error_rows:
            kinds.update({str(getattr(m, "kind", m)) for m in row.messages})
        return kinds.most_common()

    def error_summary(self):
        """(the ERROR_KINDS_SHOWN most common kinds, how many rows have another kind)."""
        kinds = self.error_kinds()
        shown = kinds[:ERROR_KINDS_SHOWN]
        return shown, sum(n for _, n in kinds[ERROR_KINDS_SHOWN:])

    def ordered_rows(self):
        """Rows with errors first, each part in file order: what the pages list."""
        return sorted(self.rows, key=lambda row: row.status != ERROR)


# --- a preview kept to be shown later ------------------------------------------------
# A save the background worker refused (agencies.jobs) is shown on the job's page as
# the upload page shows a preview: the counts, the error summary and the notes whole,
# and the first STORED_ROWS rows (errors first), as text.

STORED_ROWS = 200


def _stored_value(value):
    return None if is_blank(value) else show(value)


@dataclass(frozen=True)
class StoredWarning:
    """A row's warning read back: its words, and its grade when it was a graded
    finding (which says its own grade; templates/uploads/preview.html)."""

    text: str
    grade: str | None = None

    def __str__(self):
        return self.text


def _stored_warning(warning):
    return {"text": str(warning), "grade": getattr(warning, "grade", None)}


def _restored_warning(kept):
    # A job stored before warnings kept their grade holds only the words.
    if isinstance(kept, str):
        return StoredWarning(kept)
    return StoredWarning(kept["text"], kept.get("grade"))


def stored(preview, *, limit=STORED_ROWS):
    """The preview as JSON, to show again later (`restored`)."""
    rows = [
        {
            "number": row.number,
            "label": str(row.label or ""),
            "status": row.status,
            "messages": [str(m) for m in row.messages],
            "warnings": [_stored_warning(w) for w in row.warnings],
            "notes": [str(n) for n in row.notes],
            "cells": [
                [str(c.column), _stored_value(c.old), _stored_value(c.new)] for c in row.cells
            ],
        }
        for row in preview.ordered_rows()[:limit]
    ]
    return {
        "rows": rows,
        "notes": [str(n) for n in preview.notes],
        "total": preview.total,
        "tally": dict(preview.tally),
        "warned": preview.warning_count,
        "kinds": preview.error_kinds(),
        "ignored_columns": [[where, list(names)] for where, names in preview.ignored_columns],
        "filenames": list(preview.filenames),
    }


@dataclass
class StoredPreview(Preview):
    """A preview read back from JSON: its error summary is the one of the whole file."""

    kinds: list = field(default_factory=list)

    def error_kinds(self):
        return self.kinds


def restored(data):
    """The Preview `stored` kept, ready for templates/uploads/preview.html."""
    rows = [
        PreviewRow(
            number=r["number"],
            label=r["label"],
            status=r["status"],
            messages=r["messages"],
            warnings=[_restored_warning(w) for w in r["warnings"]],
            notes=r["notes"],
            cells=[Cell(*cell) for cell in r["cells"]],
        )
        for r in data["rows"]
    ]
    return StoredPreview(
        rows=rows,
        notes=data["notes"],
        total=data["total"],
        tally=data["tally"],
        warned=data["warned"],
        ignored_columns=[(where, names) for where, names in data["ignored_columns"]],
        filenames=data["filenames"],
        kinds=[(kind, n) for kind, n in data["kinds"]],
    )
