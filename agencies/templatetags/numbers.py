"""Numbers in people's words: every figure a page shows goes through these filters.

    {% load numbers %}
    {{ count.demand|whole }}                         2,109,757
    {{ count.cost|money }}                           $99,600    and $12.50
    {{ flow.rework_rate|percent }}                   5.1%       (a share, 0..1)
    {{ widget.standard_share|percent:100 }}          95.0%      (a number out of 100)
    within {{ widget.standard_days|days }}           within 1 day, within 3 days
    {{ outcome.latest_value|quantity:outcome.unit }} 671 sites, 95.7%, 30 days
    {{ limits.centre|number }}                       1,234.5    (at most 2 decimals)
    {% change latest previous direction %}           ↗ Worse (rose)
    {{ flows|field:"current" }}                      a key of a dict or an attribute

The rules, one for each kind of figure (docs/architecture.md, "Numbers on pages"):

- whole numbers (counts) with thousands separators: 2,109,757;
- money with cents only where cents matter: an amount (a cost, a fee) is shown in
  whole dollars when it is a whole number of dollars once rounded to the cent
  ($99,600), and with two decimals otherwise ($12.50, never $12.5); a unit cost (a
  ratio such as cost per widget: `money:"cents"`) always has its cents ($5,700.00
  beside $5,762.50); a negative amount is -$35;
- one percentage format everywhere: one decimal, 5.1%, 95.0%, 100.0%;
- days with the plural they need: 1 day, 0 days, 1.5 days, 12 days;
- other measured values (an outcome's) with at most 2 decimals, trailing zeros
  dropped, and separators: 95.7, 1,234.25, 671;
- a change says which way the number moved (the arrow, and in words for screen
  readers) and whether that is better or worse for this measure (the word),
  judged only by the measure's better direction ("up" or "down"); a measure with
  no better direction says only "Up" or "Down".

Unknown (None, or "") is a dash, with the word "unknown" for screen readers,
everywhere and for every kind (never 0, never "None"). Not applicable (a value
that is not a number and prints as "n/a": widgets.measures.NOT_APPLICABLE) is
"n/a", with "not applicable" for screen readers. Exports (CSV, XLSX, the API)
keep raw machine values and do not use this module.

Built on Django's localisation: the active language's separators and grouping
(`get_format`, as `number_format`, `floatformat` and humanize's `intcomma` read
them) applied by `django.utils.numberformat.format`, after rounding half up as
`floatformat` does; plurals through `ngettext`. The separators and the day plurals
are read once per language (`Formats`), not for every value; a loop that formats a
table's thousands of numbers also asks for the active language once
(`active_formats()`, passed on as `formats=`) instead of once per number. The
functions return text a template can show as it is; Python that words a number for
a page (a message, a table cell, a history entry) calls them too.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django import template
from django.core.signals import setting_changed
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext

register = template.Library()

UNKNOWN = mark_safe('<span aria-hidden="true">—</span><span class="usa-sr-only">unknown</span>')
NOT_APPLICABLE = mark_safe(
    '<span aria-hidden="true">n/a</span><span class="usa-sr-only">not applicable</span>'
)
NOT_APPLICABLE_SHORT = "n/a"

UP = "up"
DOWN = "down"


class Formats:
    """One language's number formats: its separators (`get_format`) and the words of
    its day plurals (`ngettext`), each read once. `active_formats()` gives the active
    language's; a loop that formats thousands of numbers (a dashboard's tables)
    takes it once and passes it on (`whole(value, formats=f)`), instead of each
    number asking Django for the active language (a third of formatting one)."""

    def __init__(self, language):
        self.decimal, self.grouping, self.thousands = (
            get_format(name, language, use_l10n=True)
            for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        )
        self._days = {}

    def days_words(self, count):
        """ "%(days)s day" or "%(days)s days" in this language, for a count of 1 or
        more (read while this language is active, as `active_formats()` reads it)."""
        words = self._days.get(count)
        if words is None:
            words = self._days[count] = ngettext("%(days)s day", "%(days)s days", count)
        return words


_FORMATS = {}  # language -> Formats


def active_formats():
    """The active language's Formats."""
    language = get_language()
    found = _FORMATS.get(language)
    if found is None:
        found = _FORMATS[language] = Formats(language)
    return found


def _clear_formats(**kwargs):
    _FORMATS.clear()


setting_changed.connect(_clear_formats)


def _grouped(value, places=None, formats=None):
    """`value` (an int, or a Decimal already rounded to `places`) with the language's
    separators, grouped; `places` decimals, or as many as it has."""
    f = formats or active_formats()
    decimal, grouping, thousands = f.decimal, f.grouping, f.thousands
    if grouping == 3 and _plain(value, places):
        # Python's own grouping gives what Django's numberformat gives for these
        # (tests/agencies/test_numbers.py compares them), in a fraction of the time:
        # a dashboard formats thousands of numbers.
        text = f"{value:,}" if type(value) is int else f"{value:,f}"
        return (
            text
            if (decimal, thousands) == (".", ",")
            else text.translate({ord(","): thousands, ord("."): decimal})
        )
    return numberformat.format(
        value, decimal, places, grouping, thousands, force_grouping=True, use_l10n=True
    )


def _plain(value, places):
    """An int, or a finite non-zero Decimal with exactly `places` decimals (any when
    None) and fewer than 200 digits: what _grouped formats itself. Django's
    numberformat pads, cuts or zeroes the rest, and writes huge ones in
    scientific notation."""
    if type(value) is int:
        return places is None
    if type(value) is not Decimal or not value.is_finite() or not value:
        return False
    _sign, digits, exponent = value.as_tuple()
    if places is not None and exponent != -places:
        return False
    return abs(exponent) + len(digits) <= 200


# Below 10**_ROOM a number, to a few decimals and times 100, fits the default decimal
# context's 28 digits. A larger one is worked out in a context with a digit for each of
# its own: in 28, quantizing 10**30 to tenths raised InvalidOperation (a 500), and
# normalize() or a product rounded away the digits past the 28th.
_ROOM = 20


def _wide(number, places=0):
    """A decimal context that holds every digit of `number` (a Decimal) to `places`
    decimals, and of it times 100."""
    return localcontext(prec=max(28, number.adjusted() + places + 5))


def _quantized(value, places):
    """`value` rounded half up to exactly `places` decimals (-0 is 0)."""
    number = _decimal(value)
    step = Decimal(1).scaleb(-places)
    if number.adjusted() < _ROOM:
        exact = number.quantize(step, rounding=ROUND_HALF_UP)
    else:
        with _wide(number, places):
            exact = number.quantize(step, rounding=ROUND_HALF_UP)
    return exact if exact else abs(exact)


def _normalized(number):
    """`number` (a Decimal) without trailing zeros, every digit kept (0 for zero)."""
    if not number:
        return Decimal(0)
    if number.adjusted() < _ROOM:
        return number.normalize()
    with _wide(number, -number.as_tuple().exponent):
        return number.normalize()


def _is_unknown(value):
    return value is None or value == ""


def _is_not_applicable(value):
    """widgets.measures.NOT_APPLICABLE (agencies may not import widgets): any value
    that is not a number and prints as "n/a"."""
    return not isinstance(value, int | float | Decimal | str) and str(value) == "n/a"


def _decimal(value):
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _blank(value):
    """The markup for unknown or not applicable, else None (a number to format)."""
    if _is_unknown(value):
        return UNKNOWN
    if _is_not_applicable(value):
        return NOT_APPLICABLE
    return None


def _rounded(value, places):
    """`value` to at most `places` decimals, trailing zeros dropped (95.70 -> 95.7)."""
    return _normalized(_quantized(value, places))


@register.simple_tag
def not_applicable():
    """ "n/a", said "not applicable" to screen readers: for a place that holds no
    value to format (a channel the widget does not offer)."""
    return NOT_APPLICABLE


@register.filter
def number(value, places=2, *, formats=None):
    """A measured value with at most `places` decimals, as many as it needs."""
    blank = _blank(value)
    if blank is not None:
        return blank
    return _grouped(_rounded(value, int(places)), formats=formats)


def exact(value):
    """Every digit of a number, trailing zeros dropped, with separators: a value
    echoed back to the person who typed it (an upload's preview), never rounded."""
    blank = _blank(value)
    if blank is not None:
        return blank
    return _grouped(_normalized(_decimal(value)))


@register.filter
def whole(value, *, formats=None):
    """A count: a whole number with thousands separators (2,109,757)."""
    blank = _blank(value)
    if blank is not None:
        return blank
    if isinstance(value, int) and not isinstance(value, bool):
        return _grouped(value, formats=formats)
    exact = _decimal(value)
    if exact != exact.to_integral_value():
        return number(exact, formats=formats)  # a count is whole; never hide what is there
    return _grouped(int(exact), formats=formats)


@register.filter
def money(value, cents=None, *, formats=None):
    """Dollars: cents only where the amount has cents, once rounded to the cent
    ($99,600, $12.50, -$35); with "cents", always ($5,700.00: a unit cost)."""
    blank = _blank(value)
    if blank is not None:
        return blank
    amount = _quantized(value, 2)
    sign = "-" if amount < 0 else ""
    if cents != "cents" and amount == amount.to_integral_value():
        return f"{sign}${_grouped(int(amount.copy_abs()), formats=formats)}"
    return f"{sign}${_grouped(amount.copy_abs(), 2, formats)}"


@register.filter
def percent(value, scale=1, *, formats=None):
    """A share as a percentage with one decimal (0.051 -> 5.1%). `scale` is what
    100% is: 1 for a share, 100 for a number already out of 100 (the standard)."""
    blank = _blank(value)
    if blank is not None:
        return blank
    share = _decimal(value)
    if share.adjusted() < _ROOM:
        points = _quantized(share * 100 / _decimal(scale), 1)
    else:
        with _wide(share, 3):
            points = _quantized(share * 100 / _decimal(scale), 1)
    return f"{_grouped(points, 1, formats)}%"


@register.filter
def days(value, *, formats=None):
    """A number of days with its plural: 1 day, 0 days, 1.5 days, 12 days."""
    blank = _blank(value)
    if blank is not None:
        return blank
    f = formats or active_formats()
    shown = _rounded(value, 1)
    words = f.days_words(1 if shown == 1 else 2)
    return words % {"days": number(shown, 1, formats=f)}


@register.filter
def quantity(value, unit=""):
    """A measured value with its unit: "671 sites", "95.7%", "30 days", "$1,200"."""
    blank = _blank(value)
    if blank is not None:
        return blank
    unit = (unit or "").strip()
    if unit == "%":
        return f"{number(value)}%"
    if unit.lower() in {"day", "days"}:
        return days(value)
    if unit == "$" or unit.lower() in {"dollar", "dollars"}:
        return money(value)
    return f"{number(value)} {unit}".strip()


def movement(latest, previous, better=None):
    """(moved, judgement) of a change from `previous` to `latest`: moved is "up",
    "down" or None (no change); judgement is "better", "worse", or None when it
    did not move or the measure has no better direction. None when either is unknown."""
    if _is_unknown(latest) or _is_unknown(previous):
        return None
    if _is_not_applicable(latest) or _is_not_applicable(previous):
        return None
    delta = _decimal(latest) - _decimal(previous)
    if delta == 0:
        return None, None
    moved = UP if delta > 0 else DOWN
    if better not in (UP, DOWN):
        return moved, None
    return moved, "better" if moved == better else "worse"


ARROWS = {UP: "↗", DOWN: "↘", None: "→"}
ROSE_OR_FELL = {UP: "rose", DOWN: "fell"}


@register.simple_tag
def change(latest, previous, better=None):
    """The change from `previous` to `latest` in words: the arrow shows which way
    the number moved, the word whether that is better or worse for a measure whose
    `better` is "up" or "down" ("↗ Worse", and "rose" for screen readers)."""
    moved = movement(latest, previous, better)
    if moved is None:
        return UNKNOWN
    direction, judgement = moved
    if direction is None:
        return format_html('<span aria-hidden="true">{} </span>No change', ARROWS[None])
    word = (judgement or direction).capitalize()
    return format_html(
        '<span aria-hidden="true">{} </span>{}<span class="usa-sr-only"> (it {})</span>',
        ARROWS[direction],
        word,
        ROSE_OR_FELL[direction],
    )


@register.filter
def field(obj, name):
    """obj[name] for a dict, else the attribute `name`; None when there is none
    (count fields and measures by name, flows and CSAT by window name)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
