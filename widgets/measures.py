"""Every count field and every measure derived from counts, declared once.

A count field is a number stored per widget and period (docs/domain.md,
"Counting"); a measure is derived from summed count fields and never stored.
Everything that shows, takes or checks them reads this module: the model's
fields and their constraints, the rules, the grid, the edit page, the upload's
columns and template, the API's schemas, the admin, the history page, the flow
roll-ups, the dashboard's tables and the demo data.

Adding a count field: an entry in COUNT_FIELDS, `makemigrations`, and its values
in the demo data. Adding a measure: an entry in MEASURES.
tests/widgets/test_measures.py adds a throwaway one of each and looks for it on
every page and file that should show it.
"""

from dataclasses import dataclass
from decimal import Decimal

# What a count field holds.
COUNT = "count"  # a whole number, never negative
MONEY = "money"  # dollars and cents, never negative

# How a measure is shown.
PERCENT = "percent"
DOLLARS = "dollars"
DAYS = "days"

# Which way is better.
UP = "up"
DOWN = "down"


class _NotApplicable:
    """The value of a measure that does not apply to a widget (docs/domain.md,
    "Unknown, zero and not applicable"): neither unknown (None) nor zero.

    One instance, NOT_APPLICABLE; compare with `is`. It is not a number: adding
    or dividing it raises, so it can never slip into a sum as 0. Shown as "n/a",
    exported as "not applicable".
    """

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "NOT_APPLICABLE"

    def __str__(self):
        return NOT_APPLICABLE_SHORT

    def __reduce__(self):
        return (_NotApplicable, ())


NOT_APPLICABLE = _NotApplicable()
# How it is shown on a page, and how it is written in a file or the API.
NOT_APPLICABLE_SHORT = "n/a"
NOT_APPLICABLE_WORDS = "not applicable"


def is_not_applicable(value):
    return value is NOT_APPLICABLE


def exported(value):
    """A value as files and the API write it: "not applicable" for NOT_APPLICABLE;
    unknown (None) stays blank, numbers stay numbers."""
    return NOT_APPLICABLE_WORDS if value is NOT_APPLICABLE else value


@dataclass(frozen=True)
class CountField:
    name: str
    label: str
    help: str
    kind: str = COUNT
    # Typed by people (grid, edit page, upload, API). Demand by channel is not: only
    # the service inventory import sends it.
    typed: bool = True
    # Never more than this other field (within standard and rework are shares of delivered).
    share_of: str | None = None
    # A level at the end of the period (the backlog), not a flow through it: a
    # roll-up takes the last period's, never a sum.
    stock: bool = False
    # Shown among a widget's flow on the dashboard.
    headline: bool = False
    # The upload template's example row.
    example: str = ""
    # A widget may declare it does not apply to it (no fee or cost tracked, no
    # service standard, a channel not offered): docs/domain.md, "Unknown, zero and
    # not applicable". Demand and delivered always apply: they are what a widget is.
    may_be_not_applicable: bool = False

    @property
    def is_money(self):
        return self.kind == MONEY


@dataclass(frozen=True)
class Measure:
    """numerator / denominator over the periods where both are known; with
    `per_day`, numerator / (denominator per day of the window) (Little's law)."""

    name: str
    label: str
    numerator: str
    denominator: str
    format: str
    better: str | None
    how: str  # one sentence: how it is computed, shown beside it
    per_day: bool = False
    # Meaningful over unlike widgets when computed from their sums (a share is; a
    # unit cost of permits and certificates together is not).
    across_widgets: bool = True


COUNT_FIELDS = (
    CountField("demand", "Demand", "Requests received.", headline=True, example="120"),
    CountField("delivered", "Delivered", "Widgets completed.", headline=True, example="110"),
    CountField(
        "within_standard",
        "Within standard",
        "Delivered within the service standard.",
        share_of="delivered",
        example="100",
        may_be_not_applicable=True,
    ),
    CountField(
        "withdrawn",
        "Withdrawn",
        "Requests closed without a widget.",
        example="2",
        may_be_not_applicable=True,
    ),
    CountField(
        "backlog",
        "Backlog",
        "Open at the end of the period.",
        stock=True,
        headline=True,
        example="30",
        may_be_not_applicable=True,
    ),
    CountField(
        "rework",
        "Rework",
        "Delivered widgets sent back to be corrected.",
        share_of="delivered",
        example="3",
        may_be_not_applicable=True,
    ),
    CountField(
        "cost",
        "Cost",
        "What producing them cost, in dollars and cents.",
        kind=MONEY,
        example="15400.00",
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_online",
        "Requests online",
        "Demand received online.",
        typed=False,
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_in_person",
        "Requests in person",
        "Demand received in person.",
        typed=False,
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_mail",
        "Requests by mail",
        "Demand received by mail.",
        typed=False,
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_phone",
        "Requests by phone",
        "Demand received by phone.",
        typed=False,
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_email",
        "Requests by email",
        "Demand received by email.",
        typed=False,
        may_be_not_applicable=True,
    ),
    CountField(
        "channel_other",
        "Requests by other channels",
        "Fax and any other channel.",
        typed=False,
        may_be_not_applicable=True,
    ),
)

MEASURES = (
    Measure(
        "on_time_share",
        "On time",
        numerator="within_standard",
        denominator="delivered",
        format=PERCENT,
        better=UP,
        how="Within standard ÷ delivered, over the periods where both are known.",
    ),
    Measure(
        "lead_time_days",
        "Lead time",
        numerator="backlog",
        denominator="delivered",
        format=DAYS,
        better=DOWN,
        per_day=True,
        how="Little's law: backlog at the end ÷ delivered per day.",
    ),
    Measure(
        "cost_per_widget",
        "Cost per widget",
        numerator="cost",
        denominator="delivered",
        format=DOLLARS,
        better=DOWN,
        how="Cost ÷ delivered, over the periods where both are known.",
        across_widgets=False,
    ),
    Measure(
        "rework_rate",
        "Rework rate",
        numerator="rework",
        denominator="delivered",
        format=PERCENT,
        better=DOWN,
        how="Rework ÷ delivered, over the periods where both are known.",
    ),
)


_MEASURES_BY_NAME = {m.name: m for m in MEASURES}


def field(name):
    for spec in COUNT_FIELDS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def typed_fields():
    """The count fields people type, in the order of every page and file."""
    return [f for f in COUNT_FIELDS if f.typed]


def typed_names():
    return tuple(f.name for f in typed_fields())


def all_names():
    return tuple(f.name for f in COUNT_FIELDS)


def summed_fields():
    """Typed fields that add up over periods (every one but the stock)."""
    return [f for f in typed_fields() if not f.stock]


def may_be_not_applicable():
    """The count fields a widget may declare do not apply to it."""
    return [f for f in COUNT_FIELDS if f.may_be_not_applicable]


def labels():
    return {f.name: f.label for f in COUNT_FIELDS}


def flow_rows():
    """(name, label) of what the dashboard shows of each widget's flow."""
    return [(f.name, f.label) for f in COUNT_FIELDS if f.headline] + [
        (m.name, m.label) for m in MEASURES
    ]


def across_widgets():
    """(summed count fields, measures) that mean something over several unlike
    widgets: totals that add up, and shares computed from those totals."""
    fields = [f for f in COUNT_FIELDS if f.headline and not f.stock]
    return fields, [m for m in MEASURES if m.across_widgets and not m.per_day]


def measure_applies(spec, not_applicable):
    """A measure applies to a widget when both of its parts do."""
    return spec.numerator not in not_applicable and spec.denominator not in not_applicable


def with_not_applicable(values, not_applicable):
    """{name: value} with NOT_APPLICABLE for every count field and measure (by
    name) that does not apply, given the names of the count fields that do not."""
    if not not_applicable:
        return values
    shown = dict(values)
    for name in shown:
        spec = _MEASURES_BY_NAME.get(name)
        if name in not_applicable or (spec and not measure_applies(spec, not_applicable)):
            shown[name] = NOT_APPLICABLE
    return shown


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def value_of(spec, numerator, denominator, *, days=None):
    """A measure's value from its summed parts (None when unknown)."""
    if spec.per_day:
        if numerator is None or not denominator or not days:
            return None
        return Decimal(numerator) / (Decimal(denominator) / Decimal(days))
    return ratio(numerator, denominator)


def is_measure(name):
    """A measure derived from count fields (not a count field)."""
    return any(spec.name == name for spec in MEASURES)


def format_of(name):
    """PERCENT, DOLLARS or DAYS for a measure; DOLLARS for money; None for a count."""
    for spec in MEASURES:
        if spec.name == name:
            return spec.format
    return DOLLARS if field(name).is_money else None
