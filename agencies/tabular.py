"""Tables in and out: CSV/XLSX exports safe against formula injection, and
uploads read row by row with clear messages for files that cannot be read.

Every list export and every upload in the app goes through here, so the rules
(neutralised formulas, size limit, encodings, zip-bomb guard) live in one place.
Uploads are previewed first and committed second; between the two the file is
kept in the default storage and named by a signed token (`stash` / `unstash`),
so a commit re-reads exactly the file that was previewed.
"""

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import tablib
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse

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


@dataclass
class RowsPreview:
    """The rows of an upload checked before saving, each with a `status`:
    new / changes / unchanged / error. Shared by the imports that keep every row."""

    rows: list

    @property
    def errors(self):
        return [r for r in self.rows if r.status == "error"]

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new_count(self):
        return self.count("new")

    @property
    def changes_count(self):
        return self.count("changes")

    @property
    def unchanged_count(self):
        return self.count("unchanged")

    @property
    def to_save(self):
        return [r for r in self.rows if r.status in ("new", "changes")]


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


def _xlsx_rows(fileobj, size):
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


def read_rows(fileobj, filename, *, required=()):
    """Yield (row_number, {header: value}) for each non-blank data row.

    Row numbers are as a spreadsheet shows them (the header is row 1). Values
    are stripped strings for CSV and native values (numbers, dates) for XLSX.
    Raises UploadError for a file that cannot be read at all.
    """
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    _check_size(size)
    fileobj.seek(0)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(fileobj)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(fileobj, size)
    else:
        raise UploadError("Upload a .csv or .xlsx file.")
    header = next(rows, None)
    if not header or not any(str(h).strip() for h in header):
        raise UploadError("The file has no header row.")
    if len(header) > MAX_COLUMNS:
        raise UploadError(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
    names = [normalise_header(h) for h in header]
    missing = [r for r in required if r not in names]
    if missing:
        if len(names) == 1 and (";" in str(header[0]) or "\t" in str(header[0])):
            raise UploadError("Columns must be separated by commas, not semicolons or tabs.")
        raise UploadError(f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    for number, row in enumerate(rows, start=2):
        values = [v.strip() if isinstance(v, str) else v for v in row]
        if not any(v not in ("", None) for v in values):
            continue
        yield number, dict(zip(names, values, strict=False))


def stash(uploaded, *, user, kind):
    """Keep an uploaded file between preview and commit; returns a signed token."""
    suffix = PurePath(uploaded.name).suffix.lower()
    uploaded.seek(0)
    path = default_storage.save(f"uploads/{uuid.uuid4().hex}{suffix}", ContentFile(uploaded.read()))
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
