"""The rows of a count file as widgets.counting.upload reads them, and what its
preview keeps: the checked rows (GoodRow, PreviewRow), the preview's totals
(Preview), which (widget, period) pairs a file has had (SeenPeriods), and the
snapshot of the versions of the rows it writes (Snapshot, version_checksum).
widgets.counting.copy saves the same rows set-based.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core import signing

from .. import counting
from ..models import Widget
from ..periods import previous_period_start

# A cell that says nothing: the stored value stays (a clear is None).
KEEP = type("Keep", (), {"__repr__": lambda self: "KEEP", "__slots__": ()})()
KEEP_ROWS = 50
KEEP_ERRORS = 200
# The bit of GoodRow.mask that says the row sends a balance_note.
NOTE_BIT = len(counting.VALUE_FIELDS)
_SNAPSHOT_SALT = "widgets.counting.upload.snapshot"
# A row's status -> the Preview total it counts in (any other status is an error).
_TOTALS = {"new": "new", "changes": "changed", "unchanged": "unchanged"}


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
        bits = self.bits.get(widget_id)
        if bits is None:
            bits = self.bits[widget_id] = bytearray(self.DAYS // 8 + 1)
        byte, mask = offset >> 3, 1 << (offset & 7)
        if bits[byte] & mask:
            return False
        bits[byte] |= mask
        return True


def version_checksum(widget_id, period_start, version):
    """One existing row's part of a snapshot's checksum (56 bits of an MD5).

    widgets.counting.copy.CHECKSUM_SQL computes the same in PostgreSQL; a test
    holds the two together.
    """
    days = period_start.toordinal() - SeenPeriods.FIRST
    digest = hashlib.md5(f"{widget_id}:{days}:{version}".encode(), usedforsecurity=False)
    return int.from_bytes(digest.digest()[:7], "big")


@dataclass(frozen=True)
class Snapshot:
    """What the preview saw of the rows the file would write: how many existed,
    and the sum of version_checksum over them. Signed for a round trip through a form."""

    existing: int = 0
    checksum: int = 0

    def sign(self):
        return signing.dumps([self.existing, self.checksum], salt=_SNAPSHOT_SALT)

    @classmethod
    def unsign(cls, text):
        """The snapshot in a signed text, or None for a missing or forged one."""
        try:
            existing, checksum = signing.loads(text or "", salt=_SNAPSHOT_SALT)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        return cls(existing=int(existing), checksum=int(checksum))


@dataclass
class PreviewRow:
    number: int
    widget: str
    period: str
    status: str  # new / changes / unchanged / error
    messages: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # [(field, old, new)] for a changed row
    warnings: list = field(default_factory=list)  # the balance (widgets.counting.balance)


@dataclass
class Preview:
    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    rows: list = field(default_factory=list)
    error_rows: list = field(default_factory=list)
    existing: int = 0  # rows of the file that exist, and their checksum (Snapshot)
    checksum: int = 0
    # Data-quality findings the rows would create (widgets.quality.for_rows): the
    # first KEEP_ERRORS as (row number, finding), and how many in all.
    findings: list = field(default_factory=list)
    finding_total: int = 0
    warned: int = 0  # rows with a balance warning, and the first of them not in `rows`
    warning_rows: list = field(default_factory=list)
    # The rows shown, by number; which rows have a warning, a bit each.
    _shown: dict = field(default_factory=dict, repr=False)
    _warned_rows: bytearray = field(default_factory=bytearray, repr=False)

    @property
    def snapshot(self):
        return Snapshot(existing=self.existing, checksum=self.checksum)

    def _tally(self, status):
        """Count a row by its status; False for a row with errors."""
        self.total += 1
        attribute = _TOTALS.get(status)
        if attribute is None:
            self.errors += 1
            return False
        setattr(self, attribute, getattr(self, attribute) + 1)
        return True

    def add_findings(self, found):
        self.finding_total += len(found)
        self.findings.extend(found[: max(0, KEEP_ERRORS - len(self.findings))])

    def add(self, row):
        if not self._tally(row.status) and len(self.error_rows) < KEEP_ERRORS:
            self.error_rows.append(row)
        if len(self.rows) < KEEP_ROWS:
            self.rows.append(row)
            self._shown[row.number] = row

    def warn_balance(self, tag, finding):
        """A counting.balance.Finding about the file's row `tag` (number, status): on the
        row's kept PreviewRow, else on one made for it while fewer than KEEP_ERRORS are."""
        number, status = tag
        if finding.later:
            why = f" Its reason: {finding.note}" if finding.explained else ""
        elif finding.explained:
            why = f" Reason given: {finding.note}"
        else:
            why = " Give the reason in the balance_note column, or correct the numbers."
        byte, bit = number >> 3, 1 << (number & 7)
        if byte >= len(self._warned_rows):
            self._warned_rows.extend(bytes(byte + 1024 - len(self._warned_rows)))
        if not self._warned_rows[byte] & bit:
            self._warned_rows[byte] |= bit
            self.warned += 1
        row = self._shown.get(number)
        if row is None and len(self.warning_rows) < KEEP_ERRORS:
            period = finding.period_start
            if finding.later:
                period = previous_period_start(period, finding.widget.reporting_frequency)
            row = PreviewRow(number, finding.widget.name, period.isoformat(), status)
            self._shown[number] = row
            self.warning_rows.append(row)
        if row is not None:
            row.warnings.append(finding.message + why)

    def add_good(self, row, stored=None, stored_note=""):
        """A GoodRow; its PreviewRow (with its changed cells) is made only if it is kept."""
        self._tally(row.status)
        if len(self.rows) < KEEP_ROWS:
            cells = []
            if row.status in {"new", "changes"}:
                cells = [
                    (name, None if stored is None else stored[i], value)
                    for i, (name, value) in enumerate(
                        zip(counting.VALUE_FIELDS, row.values, strict=True)
                    )
                    if value is not KEEP and (stored[i] if stored is not None else None) != value
                ]
                if row.note is not KEEP and (row.note or "") != stored_note:
                    cells.append(("balance_note", stored_note or None, row.note or None))
            shown = PreviewRow(
                row.number, row.widget.name, row.period_start.isoformat(), row.status, cells=cells
            )
            self.rows.append(shown)
            self._shown[row.number] = shown


@dataclass(slots=True)
class GoodRow:
    """A row that passed every check: its values in VALUE_FIELDS order, KEEP for a
    cell that says nothing (no column, or blank) and None for a clear."""

    number: int
    widget: Widget
    period_start: dt.date
    values: tuple
    note: object = KEEP  # balance_note: KEEP says nothing, None clears, or the text
    status: str = ""

    @property
    def blank(self):
        """Nothing to write into a new row: no value sent, or only clears."""
        values = self.values  # counted in C: a file has a row per widget and day
        return values.count(None) + values.count(KEEP) == len(values)

    @property
    def sent(self):
        """{field: value} of the cells that say something."""
        return {
            n: v for n, v in zip(counting.VALUE_FIELDS, self.values, strict=True) if v is not KEEP
        }

    @property
    def mask(self):
        """The sent cells as bits, VALUE_FIELDS order, then the note (NOTE_BIT), for
        widgets.counting.copy's UPDATE."""
        sent = sum(1 << i for i, v in enumerate(self.values) if v is not KEEP)
        return sent | (0 if self.note is KEEP else 1 << NOTE_BIT)
