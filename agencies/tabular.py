"""Tables in and out: CSV/XLSX exports safe against formula injection, and
uploads read row by row with clear messages for files that cannot be read.

Every list export and every upload in the app goes through here, so the rules
(neutralised formulas, size limit, encodings, zip-bomb guard) live in one place.
Uploads are previewed first and committed second; between the two the file is
kept in the default storage and named by a signed token (`stash` / `unstash`),
so a commit re-reads exactly the file that was previewed; a file nobody
committed is deleted after STASH_MAX_AGE (`clear_stale_stashes`). The pages
around all this are agencies.uploads.
"""

import csv
import datetime as dt
import gc
import io
import threading
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import PurePath

import tablib
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_COLUMNS = 100
# An XLSX is a zip; refuse one that would expand far beyond its size (a zip
# bomb). Real workbooks expand 5-30 times.
MAX_XLSX_RATIO = 200
MAX_XLSX_EXPANDED_FACTOR = 5  # times UPLOAD_MAX_BYTES
STASH_MAX_AGE = 6 * 3600
# The longest text one cell may hold (a definition's description fits many times).
MAX_CELL_CHARS = 10_000
STASH_DIR = "uploads"
_SIGNER_SALT = "widgets.tabular.stash"


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_response(*, headers, rows, filename, fmt):
    """An attachment of the rows as CSV or XLSX; `fmt` must be in EXPORT_FORMATS."""
    dataset = tablib.Dataset(headers=list(headers))
    for row in rows:
        dataset.append(["" if v is None else neutralise(v) for v in row])
    body = dataset.export(fmt)
    if fmt == "csv":
        body = "\ufeff" + body  # so that Excel reads UTF-8
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def template_response(*, columns, filename, example=None):
    """An upload's template as CSV: the header of `columns` (names, or (name, help)
    pairs) and, with `example` ({column: value}), one example row."""
    headers = [c if isinstance(c, str) else c[0] for c in columns]
    rows = [[example.get(h, "") for h in headers]] if example else []
    return export_response(headers=headers, rows=rows, filename=filename, fmt="csv")


class UploadError(Exception):
    """The file as a whole cannot be read; the message says why, for people."""


def normalise_header(text):
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def _check_size(size):
    if size == 0:
        raise UploadError("The file is empty.")
    if size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise UploadError(f"The file is larger than the {limit} MB limit. Split it and try again.")


def _csv_rows(fileobj):
    head = fileobj.read(1024)
    fileobj.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError("The file is in UTF-16. Save it as “CSV UTF-8” and upload it again.")
    if b"\x00" in head:
        raise UploadError("This does not look like a CSV file (it contains binary data).")
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError as exc:
        raise UploadError(
            "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” "
            "and upload it again."
        ) from exc
    except csv.Error as exc:
        raise UploadError(f"The CSV file is malformed: {exc}.") from exc
    finally:
        text.detach()


def _xlsx_rows(fileobj, size, max_rows):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        with zipfile.ZipFile(fileobj) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UploadError("This is not a readable XLSX file.") from exc
    if (
        expanded > settings.UPLOAD_MAX_BYTES * MAX_XLSX_EXPANDED_FACTOR
        or expanded > size * MAX_XLSX_RATIO
    ):
        raise UploadError("The XLSX file expands to far more data than it holds; refused.")
    fileobj.seek(0)
    try:
        # Formulas are read as formulas (not cached results), so they can be refused.
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UploadError("This is not a readable XLSX file.") from exc
    # What the sheet says it spans, before reading a row (the reading counts again:
    # a sheet may leave its dimension out, or understate it).
    spans = sheet.max_row or 0
    if max_rows is not None and spans - 1 > max_rows:
        workbook.close()
        raise UploadError(_too_many_rows(max_rows, spans))
    if spans * (sheet.max_column or 0) > settings.UPLOAD_MAX_CELLS:
        workbook.close()
        raise UploadError(_too_many_cells(f"spans {spans:,} rows"))
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for column, value in enumerate(row, start=1):
                if isinstance(value, str) and value.startswith("="):
                    raise UploadError(
                        f"Cell {get_column_letter(column)}{number} holds a formula. Copy the "
                        "sheet and paste it as values, then upload it again."
                    )
            yield ["" if v is None else v for v in row]
    finally:
        workbook.close()


def _too_many_rows(limit, spans=None):
    said = f" (it spans {spans:,})" if spans else ""
    return (
        f"The file has more than {limit:,} rows{said}, blank rows included; at most "
        f"{limit:,} are read at once. Delete the empty rows, or split it into smaller "
        "files, and upload each."
    )


def _too_many_cells(what):
    limit = settings.UPLOAD_MAX_CELLS
    return (
        f"The file {what}: more than the {limit:,} cells (rows by columns, blank rows "
        "included) read from one file. Delete the empty rows and columns, or split it "
        "into smaller files, and upload each."
    )


class Rows:
    """The data rows of an upload, read as they are asked for.

    Iterate for (row_number, {header: value}). `columns` holds the file's header
    names (normalised) once the first row has been asked for; None before.
    """

    def __init__(self, fileobj, filename, required, max_rows=None):
        self.columns = None
        self.max_rows = max_rows
        self._rows = self._read(fileobj, filename, required)

    def __iter__(self):
        return self._rows  # a loop over the rows costs no call of ours per row

    def __next__(self):
        return next(self._rows)

    def close(self):
        """Stop reading (and let go of the file) before the last row."""
        self._rows.close()

    def _read(self, fileobj, filename, required):
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        _check_size(size)
        fileobj.seek(0)
        suffix = PurePath(filename or "").suffix.lower()
        textual = suffix == ".csv"
        if textual:
            rows = _csv_rows(fileobj)
        elif suffix == ".xlsx":
            rows = _xlsx_rows(fileobj, size, self.max_rows)
        else:
            raise UploadError("Upload a .csv or .xlsx file.")
        header = next(rows, None)
        if not header or not any(str(h).strip() for h in header):
            raise UploadError("The file has no header row.")
        if len(header) > MAX_COLUMNS:
            raise UploadError(
                f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read."
            )
        names = [normalise_header(h) for h in header]
        missing = [r for r in required if r not in names]
        if missing:
            if len(names) == 1 and (";" in str(header[0]) or "\t" in str(header[0])):
                raise UploadError("Columns must be separated by commas, not semicolons or tabs.")
            plural = "s" if len(missing) > 1 else ""
            raise UploadError(f"Missing column{plural}: {', '.join(missing)}.")
        self.columns = names
        # Counted as they are read, blank rows too, so that reading stops at the
        # limit whatever the file claims: no file keeps a worker past a request.
        budget, width = settings.UPLOAD_MAX_CELLS - len(header), len(header)
        for number, row in enumerate(rows, start=2):
            budget -= max(len(row), width)
            if budget < 0:
                raise UploadError(_too_many_cells(f"goes on past row {number - 1:,}"))
            if self.max_rows is not None and number - 1 > self.max_rows:
                raise UploadError(_too_many_rows(self.max_rows))
            if textual:
                # A CSV row is all text: strip, measure and test for blank in C.
                values = list(map(str.strip, row))
                if values and max(map(len, values)) > MAX_CELL_CHARS:
                    _too_long(number, names, values)
                if not any(values):
                    continue
            else:
                values = [v.strip() if isinstance(v, str) else v for v in row]
                if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in values):
                    _too_long(number, names, values)
                if not any(v not in ("", None) for v in values):
                    continue
            yield number, dict(zip(names, values, strict=False))


def _too_long(number, names, values):
    """Refuse row `number`: its first cell longer than MAX_CELL_CHARS, named."""
    for column, value in enumerate(values):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            where = names[column] if column < len(names) else f"column {column + 1}"
            raise UploadError(
                f"Row {number}, {where}: the cell holds {len(value):,} characters; "
                f"at most {MAX_CELL_CHARS:,} are read."
            )


def cell_text(value):
    """A cell as the form expects it: XLSX dates and whole floats become text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(fileobj, filename, *, required=(), max_rows=None):
    """The non-blank data rows of a file: Rows, yielding (row_number, {header: value}).

    Reading stops with UploadError past UPLOAD_MAX_CELLS cells, or past `max_rows`
    rows, blank ones included (an XLSX that says it spans more is refused at once).

    Row numbers are as a spreadsheet shows them (the header is row 1). Values
    are stripped strings for CSV and native values (numbers, dates) for XLSX.
    Raises UploadError, as the rows are read, for a file that cannot be read.
    """
    return Rows(fileobj, filename, required, max_rows)


def stash(uploaded, *, user, kind):
    """Keep an uploaded file between preview and commit; returns a signed token.

    Each stash also deletes the stashed files older than STASH_MAX_AGE (previews
    nobody committed or cancelled), so abandoned uploads do not pile up.
    """
    suffix = PurePath(uploaded.name).suffix.lower()
    uploaded.seek(0)
    path = default_storage.save(
        f"{STASH_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(uploaded.read())
    )
    clear_stale_stashes()
    return signing.dumps(
        {"path": path, "name": uploaded.name, "user": user.pk, "kind": kind}, salt=_SIGNER_SALT
    )


def unstash(token, *, user, kind):
    """(file object, original name) for a token made by `stash` for this user and kind."""
    try:
        data = signing.loads(token, salt=_SIGNER_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature as exc:
        raise UploadError("This preview has expired. Upload the file again.") from exc
    if data.get("user") != user.pk or data.get("kind") != kind:
        raise UploadError("This preview is not yours. Upload the file again.")
    if not default_storage.exists(data["path"]):
        raise UploadError("This preview has already been used or has expired.")
    return default_storage.open(data["path"], "rb"), data["name"]


def discard(token):
    try:
        data = signing.loads(token, salt=_SIGNER_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        return
    default_storage.delete(data["path"])


def clear_stale_stashes(*, max_age=STASH_MAX_AGE, now=None):
    """Delete the stashed files older than `max_age` seconds; returns how many.

    Their tokens have expired (a token lives STASH_MAX_AGE from its stash), so
    no preview can still need them.
    """
    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{STASH_DIR}/{name}"
        try:
            age = (now - default_storage.get_modified_time(path)).total_seconds()
        except FileNotFoundError:  # deleted meanwhile (a commit, a cancel, another host)
            continue
        if age > max_age:
            default_storage.delete(path)
            deleted += 1
    return deleted


# -- collecting less while a file is read ---------------------------------------------

# Python's cycle collector runs after every 700 new container objects (its first
# threshold). A file's rows make such objects by the hundred thousand (a dict and
# tuples per row), alive until their batch is done and holding no cycles, so each
# run walks them again for nothing: ~15% of a 100,000-row count preview, measured
# with docs/performance.md's bench. While a file is read it runs after every
# ROWS_GC_THRESHOLD instead; memory is bounded by the batch as before.
ROWS_GC_THRESHOLD = 20_000
_collecting = {"readers": 0, "threshold": None}
_collecting_lock = threading.Lock()


@contextmanager
def collecting_less():
    """Raise the cycle collector's first threshold for the block (nested or in
    several threads at once: the first in raises it, the last out restores it)."""
    with _collecting_lock:
        if not _collecting["readers"]:
            _collecting["threshold"] = gc.get_threshold()
            gc.set_threshold(ROWS_GC_THRESHOLD, *_collecting["threshold"][1:])
        _collecting["readers"] += 1
    try:
        yield
    finally:
        with _collecting_lock:
            _collecting["readers"] -= 1
            if not _collecting["readers"]:
                gc.set_threshold(*_collecting["threshold"])
