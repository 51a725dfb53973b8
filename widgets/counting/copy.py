"""Saving a checked count file in PostgreSQL, set-based: COPY and a few statements.

widgets.counting.upload.CountFile.commit calls this inside its transaction, with the
file's rows already checked in Python by the rules of widgets.counting (nothing
is checked again here: the database constraints stay as a last guard). The rows
go by COPY into a temporary table, each with a bit mask of the cells it sends
(a blank cell, or a column the file lacks, leaves the stored value as it is;
"clear" is a NULL that is sent); then, whatever the file's size:

1. the counts the file writes that exist are locked (FOR UPDATE) and their
   snapshot (how many, checksum of versions) compared with the preview's:
   if someone saved one of them since, nothing is saved (CountConflict);
2. one UPDATE of the existing counts whose sent values differ, of the sent
   cells only (version + 1);
3. one INSERT of the new counts (a unique violation, if someone else created
   one of them meanwhile, rolls everything back: CountConflict);
4. one INSERT of their history (django-simple-history's table, as
   bulk_create_with_history / bulk_update_with_history would write it: "+" for
   new, "~" for changed, the user, the date, the reason "File upload").

When the preview found none of the file's rows in the database (a backfill),
the COPY goes straight into the counts table instead, so that PostgreSQL
writes them while Python reads the rest of the file; steps 1-3 are not needed:
the unique index refuses any row created since the preview.
"""

import itertools

from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from agencies.errors import UploadRejected

from .. import counting, measures
from ..models import CountSource, WidgetCount
from .rows import KEEP, NOTE_BIT, GoodRow, Preview, Snapshot

STAGE = "widgets_count_import"
# version_checksum in widgets.counting.rows, in SQL: the same 56 bits of the same MD5.
CHECKSUM_SQL = (
    "('x' || substr(md5(c.widget_id::text || ':' || (c.period_start - DATE '2000-01-01')::text"
    " || ':' || c.version::text), 1, 14))::bit(56)::bigint"
)
VALUES = counting.VALUE_FIELDS
# The columns a new count gets besides its widget, period and values, in save_counts' way.
_NEW_ROW = ("created_at", "updated_at", "source", "entered_by_id", "upload_id", "version")
_KEY = "c.widget_id = s.widget_id AND c.period_start = s.period_start"


def _columns(model):
    return [f.column for f in model._meta.concrete_fields]


def _stage(cursor):
    cursor.execute(
        f"CREATE TEMP TABLE {STAGE} (widget_id bigint NOT NULL, period_start date NOT NULL, "
        + ", ".join(
            f"{name} {'numeric(14,2)' if measures.field(name).is_money else 'bigint'}"
            for name in VALUES
        )
        + ", balance_note text, sent integer NOT NULL)"
    )


def _sent(index):
    """SQL: the staged row sends the cell VALUES[index] (GoodRow.mask)."""
    return f"s.sent & {1 << index} <> 0"


# SQL: the staged row sends a balance_note (NULL with the bit: a clear).
_SENT_NOTE = f"s.sent & {1 << NOTE_BIT} <> 0"


def _copied(row):
    """The row's values and balance_note for COPY: a cell that says nothing is NULL
    (its bit is not sent)."""
    return (*(None if v is KEEP else v for v in row.values), _text(row.note))


def _text(note):
    """A balance_note as stored: KEEP and a clear (None) are no reason."""
    return note if isinstance(note, str) else None


def save_count_file(batches, *, upload, by, snapshot, classify):
    """Save the checked rows of `batches`; returns the Preview of what was done.

    `classify(checked, preview)` is CountFile._classify: it gives the first
    batch's rows (the ones a preview shows) and the first batch with errors
    their status against the database, for UploadRejected to show. Raises
    UploadRejected when a row has errors, CountConflict for a stale snapshot.
    """
    preview = Preview()
    batches = iter(batches)
    first = next(batches, [])
    classify(first, preview)  # before the COPY: the connection runs no query during one
    if preview.errors:
        raise UploadRejected(preview)
    now = timezone.now()
    # When the preview found none of the rows saved, they go straight into the
    # counts table (PostgreSQL writes them while Python reads on); its unique
    # index refuses any row created since, and that rolls everything back.
    direct = snapshot is not None and snapshot.existing == 0
    good_total, written, bad = 0, 0, None
    # wrap_database_errors: what COPY raises becomes Django's IntegrityError etc., as execute's.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if direct:
            columns = ["widget_id", "period_start", *VALUES, "balance_note", *_NEW_ROW]
            target, tail = "widgets_widgetcount", (now, now, "import", None, upload.pk, 1)
        else:
            _stage(cursor)
            columns = ["widget_id", "period_start", *VALUES, "balance_note", "sent"]
            target, tail = STAGE, None
        types = _column_types(cursor, target, columns)
        # psycopg's own cursor: Django's (its debug wrapper) passes no writer on.
        raw = cursor.cursor
        with raw.copy(
            f"COPY {target} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
            writer=QueuedLibpqWriter(raw),
        ) as copy:
            copy.set_types(types)
            write = copy.write_row
            for checked in itertools.chain([first], batches):
                if any(type(r) is not GoodRow for r in checked):
                    bad = checked
                    break
                for row in checked:
                    if direct:
                        if not row.blank:  # a blank new row saves nothing
                            values = _copied(row)
                            note = values[-1] or ""  # NOT NULL in the counts table
                            write((row.widget.pk, row.period_start, *values[:-1], note, *tail))
                            written += 1
                    else:
                        write((row.widget.pk, row.period_start, *_copied(row), row.mask))
                good_total += len(checked)
        if bad is not None:
            preview.total += good_total - len(first)  # the first batch is counted already
            classify(bad, preview)
            raise UploadRejected(preview)
        if direct:
            existing = changed = 0
        else:
            cursor.execute(f"ANALYZE {STAGE}")
            existing, changed = _lock_and_update(cursor, now, upload, snapshot)
            written = _insert(cursor, now, upload, anti_join=existing > 0)
            cursor.execute(f"DROP TABLE {STAGE}")
        _history(cursor, now, upload, by)
    preview.total = good_total
    preview.new = written
    preview.changed = changed
    # Rows the file sends nothing new for: existing ones as they were, blank new ones.
    preview.unchanged = good_total - written - changed
    preview.existing = existing
    return preview


def _column_types(cursor, table, columns):
    """The types of `table`'s `columns`, for a binary COPY."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    types = dict(cursor.fetchall())
    return [types[c] for c in columns]


def _lock_and_update(cursor, now, upload, snapshot):
    cursor.execute(
        f"SELECT count(*), coalesce(sum({CHECKSUM_SQL}), 0) FROM ("  # noqa: S608
        f"SELECT c.widget_id, c.period_start, c.version FROM widgets_widgetcount c "
        f"JOIN {STAGE} s ON {_KEY} FOR UPDATE OF c) c"
    )
    existing, checksum = cursor.fetchone()
    if snapshot is not None and Snapshot(existing, int(checksum)) != snapshot:
        raise counting.CountConflict()
    if not existing:
        return 0, 0
    note = "coalesce(s.balance_note, '')"
    differs = " OR ".join(
        [
            *(f"({_sent(i)} AND c.{n} IS DISTINCT FROM s.{n})" for i, n in enumerate(VALUES)),
            f"({_SENT_NOTE} AND c.balance_note <> {note})",
        ]
    )
    cursor.execute(
        "UPDATE widgets_widgetcount c SET "  # noqa: S608
        + ", ".join(
            f"{n} = CASE WHEN {_sent(i)} THEN s.{n} ELSE c.{n} END" for i, n in enumerate(VALUES)
        )
        + f", balance_note = CASE WHEN {_SENT_NOTE} THEN {note} ELSE c.balance_note END"
        + ", source = %s, entered_by_id = NULL, upload_id = %s, api_token_id = NULL, "
        f"updated_at = %s, version = c.version + 1 FROM {STAGE} s WHERE {_KEY} AND ({differs})",
        [CountSource.IMPORT.value, upload.pk, now],
    )
    return existing, cursor.rowcount


def _insert(cursor, now, upload, *, anti_join):
    """INSERT the file's rows that are not saved yet and not blank (a blank new row
    saves nothing, as in save_counts)."""
    columns = [c for c in _columns(WidgetCount) if c != "id"]
    given = {
        "widget_id": "s.widget_id",
        "period_start": "s.period_start",
        **{n: f"s.{n}" for n in VALUES},
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "source": "%(source)s",
        "entered_by_id": "NULL",  # the upload says who (counting.save_counts)
        "upload_id": "%(upload)s",
        "balance_note": "coalesce(s.balance_note, '')",
        "version": "1",
    }
    select = [given.get(c, "NULL") for c in columns]
    where = f"num_nonnulls({', '.join(f's.{n}' for n in VALUES)}) > 0"
    if anti_join:
        where += f" AND NOT EXISTS (SELECT 1 FROM widgets_widgetcount c WHERE {_KEY})"  # noqa: S608
    cursor.execute(
        f"INSERT INTO widgets_widgetcount ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {STAGE} s WHERE {where}",
        {"now": now, "source": CountSource.IMPORT.value, "upload": upload.pk},
    )
    return cursor.rowcount


def _history(cursor, now, upload, by):
    """One history record per count written by this upload, as simple-history writes it."""
    # The counts written are exactly those of this upload: it was created in
    # this transaction, and every row written here is given its id.
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = WidgetCount.history.model
    tracked = {f.attname for f in history.tracked_fields}
    extra = {
        "history_date": "%(now)s",
        "history_change_reason": "%(reason)s",
        # New counts were created by this statement's transaction at `now`.
        "history_type": "CASE WHEN c.created_at = %(now)s THEN '+' ELSE '~' END",
        "history_user_id": "%(user)s",
    }
    columns, select = [], []
    for column in _columns(history):
        if column == "history_id":
            continue
        columns.append(column)
        select.append(f"c.{column}" if column in tracked else extra[column])
    cursor.execute(
        f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM widgets_widgetcount c WHERE c.upload_id = %(upload)s",
        {
            "now": now,
            "reason": str(CountSource.IMPORT.label),
            "user": by.pk,
            "upload": upload.pk,
        },
    )
