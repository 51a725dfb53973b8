"""The rules every count obeys, however it enters (grid, edit page, upload, API,
service inventory, admin). The one write that saves counts is widgets.counting.writes.

docs/domain.md, "Rules every count obeys": counts are whole numbers (cost in dollars and cents),
never negative; within standard and rework never exceed delivered; a period is
named by its first day at the widget's reporting frequency and is not in the
future; unknown is blank, never 0. The balance check (previous backlog + demand
- delivered - withdrawn = backlog) is a warning, not an error: widgets.counting.balance.
"""

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .. import measures
from ..models import COUNTED_STATUSES
from ..periods import describe_period, is_period_start

# What people type in the grid, the edit page, uploads and the API (widgets.measures).
VALUE_FIELDS = measures.typed_names()
# Everything the one write may change: the values and demand by channel (which
# only the service inventory import sends).
MEASURE_FIELDS = measures.all_names()
# In uploads and API batches a blank cell is "no change"; this word clears a
# stored value (docs/domain.md, "How a write treats what it was not told").
CLEAR_WORD = "clear"
# In any cell, this word says "this measure does not apply to this widget": taken
# for a field the widget declares not applicable (nothing to save), refused for
# one that applies (docs/domain.md, "Unknown, zero and not applicable").
NOT_APPLICABLE_WORDS = frozenset({measures.NOT_APPLICABLE_SHORT, measures.NOT_APPLICABLE_WORDS})
LABELS = measures.labels()
# Worked out once from the registry: these are read for every cell of every row.
_MONEY = frozenset(f.name for f in measures.COUNT_FIELDS if f.is_money)
_SHARES = tuple(
    (f.name, f.label, f.share_of, LABELS[f.share_of].lower())
    for f in measures.COUNT_FIELDS
    if f.share_of
)
_WHOLES = frozenset(whole for _name, _label, whole, _whole_label in _SHARES)
EARLIEST_PERIOD = dt.date(2000, 1, 1)
MAX_COUNT = 10**12
MAX_COST = Decimal("999999999999.99")


def parse_value(name, raw):
    """The value of one cell, or ValueError with a message for people."""
    money = name in _MONEY
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError("Enter a number.")
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str):
        if "," in text or " " in text or "\u00a0" in text:
            raise ValueError("Write the number without thousands separators, e.g. 1234.")
        if money:
            text = text.lstrip("$")
    if isinstance(text, float) and not math.isfinite(text):
        raise ValueError("Enter a number.")
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        raise ValueError("Enter a number.") from None
    if not number.is_finite():
        raise ValueError("Enter a number.")
    if number < 0:
        raise ValueError("Cannot be negative.")
    number = number.copy_abs()  # -0 and -0.00 are zero: stored and shown without a sign
    if money:
        # The size first: quantizing 1e30 to cents overflows the decimal context.
        if number > MAX_COST:
            raise ValueError("This is larger than any cost the system can hold.")
        if number != number.quantize(Decimal("0.01")):
            raise ValueError("Use at most two decimal places (cents).")
        return number.quantize(Decimal("0.01"))
    if number != number.to_integral_value():
        raise ValueError("Enter a whole number.")
    if number >= MAX_COUNT:
        raise ValueError("This is larger than any count the system can hold.")
    return int(number)


def is_blank(raw):
    return raw is None or (isinstance(raw, str) and not raw.strip())


def is_clear(raw):
    return isinstance(raw, str) and raw.strip().lower() == CLEAR_WORD


def is_not_applicable_word(raw):
    return isinstance(raw, str) and raw.strip().lower() in NOT_APPLICABLE_WORDS


def parse_values(raw_values, *, blank_clears):
    """(values, errors) for the cells the writer sent: a field missing from
    `raw_values` is not in `values`, so the write leaves it as it is.

    `blank_clears`: in the grid and the edit page an emptied cell clears the
    stored value (True); in uploads and the API a blank cell is no change and
    the word "clear" clears (False). A clear is `None` in `values`; the word
    "n/a" is measures.NOT_APPLICABLE, for `check_not_applicable` to judge.
    """
    values, errors = {}, {}
    for name in VALUE_FIELDS:
        if name not in raw_values:
            continue
        raw = raw_values[name]
        if is_not_applicable_word(raw):
            values[name] = measures.NOT_APPLICABLE
            continue
        if not blank_clears:
            if is_blank(raw):
                continue
            if is_clear(raw):
                values[name] = None
                continue
        try:
            values[name] = parse_value(name, raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return values, errors


def does_not_apply_message(widget, name):
    return (
        f"{LABELS[name]} does not apply to “{widget.name}”: leave it out. To count it, "
        "untick it under “Measures that do not apply” on the widget's edit page."
    )


def applies_message(widget, name):
    return (
        f"“n/a” is only for a measure that does not apply to the widget, and "
        f"{LABELS[name].lower()} applies to “{widget.name}”: give a number, or leave it "
        "blank if it is not known."
    )


def check_not_applicable(widget, values):
    """(values, errors): `values` less the fields that do not apply to the widget
    (their "n/a", or a clear of what is never stored, saves nothing); an error for
    a number sent for a field that does not apply, and for "n/a" sent for one
    that applies."""
    not_applicable = widget.not_applicable_fields
    kept, errors = {}, {}
    for name, value in values.items():
        if name in not_applicable:
            if value is not None and value is not measures.NOT_APPLICABLE:
                errors[name] = [does_not_apply_message(widget, name)]
        elif value is measures.NOT_APPLICABLE:
            errors[name] = [applies_message(widget, name)]
        else:
            kept[name] = value
    return kept, errors


def merged(current, values):
    """Every measure as it would be after writing `values` over `current` (a
    WidgetCount, or None for a count not saved yet): what the rules judge."""
    return {
        name: values[name] if name in values else getattr(current, name, None)
        for name in MEASURE_FIELDS
    }


def check_period(widget, period_start, today=None):
    """Errors about the widget and period, as a list of messages.

    Whether there are any depends on the widget only through its status and
    reporting frequency (its name is in the messages): the count upload
    remembers a period found good per (status, frequency, period).
    """
    today = today or timezone.localdate()
    errors = []
    if widget.status not in COUNTED_STATUSES:
        errors.append(
            f"“{widget.name}” is {widget.get_status_display().lower()}: "
            "it can be counted once it is approved."
        )
    if not is_period_start(period_start, widget.reporting_frequency):
        errors.append(
            f"{period_start:%Y-%m-%d} is not the first day of a "
            f"{widget.get_reporting_frequency_display().lower()} period of “{widget.name}”."
        )
    elif period_start < EARLIEST_PERIOD:
        errors.append("Counts before the year 2000 are not kept.")
    elif period_start > today:
        errors.append(
            f"{describe_period(period_start, widget.reporting_frequency)} has not started yet."
        )
    return errors


def check_rules(values):
    """Errors that involve more than one field, keyed by the field to show them at."""
    errors = {}
    for name, label, whole_name, whole_label in _SHARES:
        value, whole = values.get(name), values.get(whole_name)
        if measures.is_not_applicable(value) or measures.is_not_applicable(whole):
            # No share to judge: whether "n/a" may stand in this field is the
            # widget's declaration (check_not_applicable), not a rule among numbers.
            continue
        if value is not None and whole is not None and value > whole:
            errors[name] = [f"{label} ({value}) cannot be more than {whole_label} ({whole})."]
        elif value is not None and whole is None:
            errors[name] = [f"Enter {whole_label} too: {label.lower()} is a share of it."]
    return errors


def with_sent_rules(values, errors):
    """`errors` (of parse_values) with the rules among the cells that parsed
    (`values`), judged before the stored values are read: only when the wholes
    (delivered) are among them; otherwise the rules wait for the row as it will be
    (`merged`)."""
    if not values.keys() >= _WHOLES:
        return errors
    return {**check_rules(values), **errors}
