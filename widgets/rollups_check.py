"""A fresh sum of the counts, made in Python apart from the triggers' SQL
(widgets.rollups), to check the roll-ups against: the tests after every kind of
write and `manage.py rebuild_rollups --check` compare them (`differences`).

Kept apart from the triggers on purpose: it is the second, independent statement
of what a roll-up holds, including its balance gaps (as widgets.flow.balance_failures
judges them).
"""

from collections import defaultdict
from decimal import Decimal

from . import measures
from .models import Widget
from .models.rollups import FIGURES, Grain
from .periods import Frequency, period_start, previous_period_start

_FREQUENCY = {
    Grain.MONTH: Frequency.MONTH,
    Grain.QUARTER: Frequency.QUARTER,
    Grain.FISCAL_YEAR: Frequency.YEAR,
}
_CHECKED = FIGURES


def _add(total, value):
    if value is None:
        return total
    return value if total is None else total + value


def fresh(counts):
    """{(widget id, grain, period start): {column: value}} summed in Python from
    `counts` (WidgetCount rows in (widget, period) order), independently of the
    triggers' SQL."""
    found = defaultdict(lambda: dict.fromkeys(_CHECKED))
    widgets = {
        pk: (frequency, "withdrawn" in (not_applicable or []))
        for pk, frequency, not_applicable in Widget.objects.values_list(
            "pk", "reporting_frequency", "not_applicable"
        )
    }
    last = None, None, None  # widget id, period, backlog of the last count with a backlog
    seen = None
    for count in counts:
        day = count.period_start
        if seen is not None and (count.widget_id, day) < seen:
            raise ValueError("fresh() reads counts in (widget, period) order.")
        seen = count.widget_id, day
        gap = _is_gap(count, last, *widgets[count.widget_id])
        if count.backlog is not None:
            last = count.widget_id, day, count.backlog
        for grain in Grain:
            key = (count.widget_id, grain.value, period_start(day, _FREQUENCY[grain]))
            row = found[key]
            row["rows"] = (row["rows"] or 0) + 1
            row["balance_gaps"] = (row["balance_gaps"] or 0) + gap
            for f in measures.summed_fields():
                row[f"total_{f.name}"] = _add(row[f"total_{f.name}"], getattr(count, f.name))
            for spec in measures.MEASURES:
                num, den = getattr(count, spec.numerator), getattr(count, spec.denominator)
                if spec.per_day or num is None or den is None:
                    continue
                row[f"{spec.name}_num"] = _add(row[f"{spec.name}_num"], num)
                row[f"{spec.name}_den"] = _add(row[f"{spec.name}_den"], den)
            if count.backlog is not None:  # the counts come in period order: the latest
                row["closing_backlog"] = count.backlog
            row["last_period"] = max(row["last_period"] or day, day)
            if count.delivered is not None:
                row["first_delivered_period"] = min(row["first_delivered_period"] or day, day)
                row["last_delivered_period"] = max(row["last_delivered_period"] or day, day)
    return dict(found)


def _is_gap(count, last, frequency, withdrawn_applies_not):
    """1 when `count` does not balance with `last` (the widget, period and backlog of
    the nearest earlier count with a known backlog), as balance_failures judges it."""
    widget, period, backlog = last
    if count.backlog is None or widget != count.widget_id:
        return 0
    if period != previous_period_start(count.period_start, frequency):
        return 0
    withdrawn = count.withdrawn
    if withdrawn is None and withdrawn_applies_not:
        withdrawn = 0
    if count.demand is None or count.delivered is None or withdrawn is None:
        return 0
    return int(backlog + count.demand - count.delivered - withdrawn != count.backlog)


def stored(rollups):
    return {
        (r.widget_id, r.grain, r.period_start): {c: getattr(r, c) for c in _CHECKED}
        for r in rollups
    }


def _same(a, b):
    if isinstance(a, Decimal | int) and isinstance(b, Decimal | int):
        return Decimal(a) == Decimal(b)
    return a == b


def differences(counts, rollups):
    """[(key, column, stored, fresh)] where the stored roll-ups differ from a fresh
    sum of the counts (a roll-up missing or left over shows as column "rows")."""
    if hasattr(counts, "order_by"):
        counts = counts.order_by("widget_id", "period_start")
    want, have = fresh(counts), stored(rollups)
    found = []
    for key in sorted(set(want) | set(have)):
        a, b = have.get(key), want.get(key)
        if a is None or b is None:
            found.append((key, "rows", a and a["rows"], b and b["rows"]))
            continue
        found += [(key, c, a[c], b[c]) for c in _CHECKED if not _same(a[c], b[c])]
    return found
