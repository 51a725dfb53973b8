"""The balance check, for rows as they will be (docs/domain.md, "The balance check").

The backlog at the end of a period should be the previous period's backlog +
demand - delivered - withdrawn. A count that does not balance is a warning, not
an error: the grid and the edit page ask for a reason (`balance_note`) before
they save it; uploads and the API save it and say so. The gap is never stored:
it is worked out from the counts, here for a write and in widgets.flow for
what is saved.

`Judge` judges rows as they will be: each row's sent values over its stored
ones, against the previous period's backlog as it will be (from the same write
when it holds that period, wherever in the write; else as stored). A row whose
backlog changes also moves the balance of the saved period after it: that
period is judged too, with the new backlog. Every path uses it: the grid, the
edit page and the API through `check_changes`, the upload preview batch by
batch as it reads the file (its memory grows with the widgets, not the rows).
The arithmetic and its words (Balance, balance_of) are widgets.flow's, shared
with the check of what is saved.
"""

import datetime as dt
from array import array
from dataclasses import dataclass

from ..flow import BALANCE_FIELDS as FIELDS
from ..flow import Balance, balance_of, balance_values
from ..models import WidgetCount
from ..periods import Frequency, describe_period, next_period_start, previous_period_start


@dataclass
class Row:
    """One period as a write will leave it."""

    widget: object
    period_start: dt.date
    values: dict  # the balance's FIELDS (at least) as they will be
    note: str = ""  # the reason the row will carry
    backlog_before: int | None = None  # as stored now (None: unknown or no row)


@dataclass(frozen=True)
class Finding:
    """A period that will not balance after the write."""

    widget: object
    period_start: dt.date
    balance: Balance
    note: str = ""  # its reason, when it has one
    # The write does not touch this period: it changes the backlog of the period
    # before it (the period after one the write changes).
    later: bool = False

    @property
    def key(self):
        return (self.widget.pk, self.period_start)

    @property
    def label(self):
        return describe_period(self.period_start, self.widget.reporting_frequency)

    @property
    def explained(self):
        return bool(self.note.strip())

    @property
    def message(self):
        if not self.later:
            return self.balance.sentence()
        sentence = self.balance.sentence()
        return (
            f"This changes the balance of {self.label}, the period after: "
            f"{sentence[0].lower()}{sentence[1:]}"
        )


def _around(widget, period):
    frequency = widget.reporting_frequency
    return previous_period_start(period, frequency), next_period_start(period, frequency)


_BASE = dt.date(2000, 1, 1)


def _index(widget, period):
    """The period's number since 2000 at the widget's frequency (distinct per period)."""
    frequency = widget.reporting_frequency
    if frequency == Frequency.DAY:
        return (period - _BASE).days
    if frequency == Frequency.WEEK:
        return (period - _BASE).days // 7
    if frequency == Frequency.MONTH:
        return (period.year - 2000) * 12 + period.month - 1
    if frequency == Frequency.QUARTER:
        return (period.year - 2000) * 4 + (period.month - 1) // 3
    return period.year - 2000


class _Backlogs:
    """The backlog each period of the write will have, by (widget id, period number),
    8 bytes a period in blocks of 256 periods per widget: absent (not in the
    write), unknown, or the number."""

    ABSENT, UNKNOWN, BLOCK = -2, -1, 256

    def __init__(self):
        self.blocks = {}

    def put(self, widget_id, index, backlog):
        key = (widget_id, index // self.BLOCK)
        block = self.blocks.get(key)
        if block is None:
            block = self.blocks[key] = array("q", [self.ABSENT]) * self.BLOCK
        block[index % self.BLOCK] = self.UNKNOWN if backlog is None else backlog

    def get(self, widget_id, index):
        """The write's backlog of the period: ABSENT, None (unknown) or the number."""
        block = self.blocks.get((widget_id, index // self.BLOCK))
        value = self.ABSENT if block is None else block[index % self.BLOCK]
        return None if value == self.UNKNOWN else value


class Judge:
    """Judges the rows of one write, given batch by batch in the write's order.

    `add(batch, stored)`: batch = [(tag, Row)] of the rows the write changes (each
    period once in the whole write), stored = stored_around() of them. Each finding
    goes to `report(tag, finding)` as soon as it is sure, the rest at `finish()`: a
    row whose previous period the write has not given yet waits for it (or for the
    end, then judged against the stored backlog); a later period's finding waits in
    case the write gives that period itself. Periods are numbered (`_index`), so the
    one before a period is its number - 1 and the one after its number + 1.
    """

    MEMO_LIMIT = 20_000

    def __init__(self, report):
        self.report = report
        self.backlogs = _Backlogs()
        self.waiting = {}  # (widget id, number of the period before) -> (tag, row, backlog)
        self.later = {}  # (widget id, number of the period after) -> (tag, finding)
        self._arounds = {}

    def _around(self, widget, period):
        key = (widget.reporting_frequency, period)
        found = self._arounds.get(key)
        if found is None:
            found = _around(widget, period)
            if len(self._arounds) < self.MEMO_LIMIT:
                self._arounds[key] = found
        return found

    def _judge(self, tag, row, previous_backlog):
        values = balance_values(row.values, row.widget)
        if previous_backlog is None or previous_backlog == _Backlogs.ABSENT:
            return
        demand, delivered, withdrawn, backlog = (values.get(n) for n in FIELDS)
        if demand is None or delivered is None or withdrawn is None or backlog is None:
            return
        if previous_backlog + demand - delivered - withdrawn == backlog:
            return
        own = Balance(previous_backlog, demand, delivered, withdrawn, backlog)
        self.report(tag, Finding(row.widget, row.period_start, own, row.note or ""))

    def add(self, batch, stored):
        backlogs, waiting = self.backlogs, self.waiting
        for tag, row in batch:
            widget, pk = row.widget, row.widget.pk
            index = _index(widget, row.period_start)
            backlog = row.values.get("backlog")
            backlogs.put(pk, index, backlog)
            if self.later:
                self.later.pop((pk, index), None)  # the write gives this period itself
            if (pk, index) in waiting:  # the period after, given before this one
                self._judge(*waiting.pop((pk, index))[:2], backlog)
            previous = backlogs.get(pk, index - 1)
            if previous != _Backlogs.ABSENT:
                self._judge(tag, row, previous)
            else:
                before = self._around(widget, row.period_start)[0]
                stored_before = (stored.get((pk, before)) or {}).get("backlog")
                waiting[(pk, index - 1)] = (tag, row, stored_before)
            if not stored or backlog == row.backlog_before:
                continue
            following = self._around(widget, row.period_start)[1]
            saved_after = stored.get((pk, following))
            if saved_after is None or backlogs.get(pk, index + 1) != _Backlogs.ABSENT:
                continue
            moved = balance_of(balance_values(saved_after, widget), backlog)
            if moved is not None and not moved.balances:
                note = saved_after.get("balance_note") or ""
                finding = Finding(widget, following, moved, note, later=True)
                self.later[(pk, index + 1)] = (tag, finding)

    def finish(self):
        for tag, row, stored_before in self.waiting.values():
            self._judge(tag, row, stored_before)
        for tag, finding in self.later.values():
            self.report(tag, finding)
        self.waiting, self.later = {}, {}


def stored_around(keys_by_widget):
    """{(widget_id, period_start): {field: value, "balance_note": text}} of the saved
    periods of `keys_by_widget` ({widget: {period_start}}) and of the periods just
    before and after each: one query."""
    wanted, arounds = set(), {}  # arounds: (frequency, period) -> (before, after)
    for widget, periods in keys_by_widget.items():
        pk, frequency = widget.pk, widget.reporting_frequency
        for period in periods:
            around = arounds.get((frequency, period))
            if around is None:
                around = arounds[(frequency, period)] = _around(widget, period)
            wanted.add((pk, period))
            wanted.add((pk, around[0]))
            wanted.add((pk, around[1]))
    if not wanted:
        return {}
    rows = WidgetCount.objects.filter(
        widget_id__in={w for w, _ in wanted}, period_start__in={p for _, p in wanted}
    ).values("widget_id", "period_start", *FIELDS, "balance_note")
    return {
        (r["widget_id"], r["period_start"]): r
        for r in rows
        if (r["widget_id"], r["period_start"]) in wanted
    }


def check_changes(changes):
    """Findings for counting.CountChange objects as they will be saved (one query):
    the sent values over the stored ones; a change's `balance_note` (else the stored
    one) is its reason. In the order of the changes, a row's own before the later."""
    periods = {}
    for change in changes:
        periods.setdefault(change.widget, set()).add(change.period_start)
    stored = stored_around(periods)
    rows = []
    for position, change in enumerate(changes):
        current = stored.get(change.key) or {}
        values = {n: change.values.get(n, current.get(n)) for n in FIELDS}
        # A change's note: "" says nothing (the stored one stands), None clears it.
        note = current.get("balance_note", "") if change.balance_note == "" else change.balance_note
        row = Row(change.widget, change.period_start, values, note or "", current.get("backlog"))
        rows.append((position, row))
    found = []
    judge = Judge(lambda position, finding: found.append((position, finding.later, finding)))
    judge.add(rows, stored)
    judge.finish()
    return [finding for *_, finding in sorted(found, key=lambda f: f[:2])]
