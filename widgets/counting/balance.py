"""The balance check, for rows as they will be (docs/domain.md, "The balance check").

The backlog at the end of a period should be the previous period's backlog +
demand − delivered − withdrawn. A count that does not balance is a warning, not
an error: the grid and the edit page ask for a reason (`balance_note`) before
they save it; uploads and the API save it and say so. The gap is never stored:
it is worked out from the counts, here for a write and in widgets.flow for
what is saved.

`check(rows, stored)` judges rows as they will be: each row's sent values over
its stored ones, against the previous period's backlog as it will be (from the
same write when it holds that period, else as stored). A row whose backlog
changes also moves the balance of the stored period after it: that period is
judged too, with the new backlog. Every path (grid, edit page, upload preview,
API) calls it, through `check_changes` or, for a streamed file, directly.
"""

import datetime as dt
from dataclasses import dataclass

from ..models import WidgetCount
from ..periods import describe_period, next_period_start, previous_period_start

# The fields the balance reads, besides the previous period's backlog.
FIELDS = ("demand", "delivered", "withdrawn", "backlog")


def _number(value):
    return f"{value:,}".replace("-", "\u2212")


@dataclass(frozen=True)
class Balance:
    previous_backlog: int
    demand: int
    delivered: int
    withdrawn: int
    backlog: int

    @property
    def expected(self):
        """What the backlog would be if nothing else came in or went out."""
        return self.previous_backlog + self.demand - self.delivered - self.withdrawn

    @property
    def difference(self):
        """How much higher the backlog is than expected (below zero: lower)."""
        return self.backlog - self.expected

    @property
    def balances(self):
        return self.difference == 0

    def sentence(self):
        """The gap in plain words, never as a signed number."""
        how = "higher" if self.difference > 0 else "lower"
        sums = " \u2212 ".join(
            [
                f"{_number(self.previous_backlog)} + {_number(self.demand)}",
                _number(self.delivered),
                _number(self.withdrawn),
            ]
        )
        return (
            f"The backlog is {_number(abs(self.difference))} {how} than last period's backlog "
            "+ demand \u2212 delivered \u2212 withdrawn "
            f"({sums} = {_number(self.expected)}; the backlog is {_number(self.backlog)})."
        )


def balance_of(values, previous_backlog):
    """The Balance of one period's values ({field: value}) after `previous_backlog`,
    or None when any part is unknown (blank is not zero: no check)."""
    parts = [values.get(name) for name in FIELDS]
    if previous_backlog is None or any(p is None for p in parts):
        return None
    return Balance(previous_backlog, *parts)


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


def check(rows, stored):
    """Findings for `rows` (Row, at most one per widget and period) as they will be.

    `stored`: {(widget_id, period_start): {field: value, "balance_note": text}} of
    the saved periods just before and after the rows (others are ignored). In the
    order of `rows`, each row's own finding before the later period's.
    """
    after = {(r.widget.pk, r.period_start): r for r in rows}
    found = []
    for row in rows:
        before_key, after_key = ((row.widget.pk, p) for p in _around(row.widget, row.period_start))
        previous = after.get(before_key)
        if previous is not None:
            previous_backlog = previous.values.get("backlog")
        else:
            previous_backlog = (stored.get(before_key) or {}).get("backlog")
        own = balance_of(row.values, previous_backlog)
        if own is not None and not own.balances:
            found.append(Finding(row.widget, row.period_start, own, row.note or ""))
        following = stored.get(after_key)
        backlog = row.values.get("backlog")
        if after_key in after or following is None or backlog == row.backlog_before:
            continue
        moved = balance_of(following, backlog)
        if moved is not None and not moved.balances:
            found.append(
                Finding(
                    row.widget,
                    after_key[1],
                    moved,
                    following.get("balance_note") or "",
                    later=True,
                )
            )
    return found


def stored_around(keys_by_widget):
    """{(widget_id, period_start): {field: value, "balance_note": text}} of the saved
    periods of `keys_by_widget` ({widget: {period_start}}) and of the periods just
    before and after each: one query."""
    wanted = set()
    for widget, periods in keys_by_widget.items():
        for period in periods:
            wanted.add((widget.pk, period))
            wanted.update((widget.pk, p) for p in _around(widget, period))
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
    one) is its reason."""
    periods = {}
    for change in changes:
        periods.setdefault(change.widget, set()).add(change.period_start)
    stored = stored_around(periods)
    rows = []
    for change in changes:
        current = stored.get(change.key) or {}
        values = {n: change.values.get(n, current.get(n)) for n in FIELDS}
        # A change's note: "" says nothing (the stored one stands), None clears it.
        note = current.get("balance_note", "") if change.balance_note == "" else change.balance_note
        rows.append(
            Row(change.widget, change.period_start, values, note or "", current.get("backlog"))
        )
    return check(rows, stored)
