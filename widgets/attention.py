"""What needs someone now: the kinds of the attention lists, and the hooks through
which a higher app adds its kinds to the home page (docs/outcomes.md, "The
attention list").

The home page lives in `widgets` and may not import `outcomes` (apps import one
way only, docs/architecture.md). So the home page asks every registered
*provider* for its items: `outcomes` registers its kinds (off-track outcomes
without an open countermeasure, countermeasures past due, concerning signals)
when the app is ready (`outcomes.apps`). A provider is a function

    provider(user, *, roles, today) -> list[AttentionItem]

where `roles` is `{agency_id: role}` of the user's memberships; it must read a
fixed number of queries whatever the number of rows (tests/test_query_scaling.py).

Data-quality errors (`data_quality_errors`) are the findings of widgets.quality
graded "error".
"""

from dataclasses import dataclass

from . import quality
from .flow import BALANCE_FIELDS, balance_failures, balance_of, balance_values


@dataclass
class AttentionItem:
    text: str
    url: str
    link_text: str
    kind: str = ""


# In the order the home page lists them.
KINDS = {
    "outcomes": "Outcomes off track without an open countermeasure",
    "countermeasures": "Countermeasures past due",
    "late": "Late counts",
    "reviews": "Definitions waiting for review",
    "signals": "Concerning signals",
    "balance": "Unexplained balance gaps",
    "quality": "Data-quality errors",
    "returned": "Definitions returned to you",
}

_PROVIDERS = []


def register(provider):
    """Add a provider of home-page items (see the module's docstring). Idempotent."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def from_providers(user, *, roles, today):
    items = []
    for provider in _PROVIDERS:
        items.extend(provider(user, roles=roles, today=today))
    return items


def in_order(items):
    rank = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(items, key=lambda item: rank.get(item.kind, len(rank)))


def balance_gaps(counts):
    """(unexplained, explained): counts whose backlog does not balance with the period
    before, without and with a `balance_note` saying why, each with `.balance`
    (widgets.counting.Balance, whose `sentence()` says it in words). One query; the
    window runs over `counts`, so the noted rows still serve as the previous period
    of the next."""
    unexplained, explained = [], []
    for count in balance_failures(counts):
        values = {name: getattr(count, name) for name in BALANCE_FIELDS}
        count.balance = balance_of(balance_values(values, count.widget), count.previous_backlog)
        (explained if count.balance_note.strip() else unexplained).append(count)
    return unexplained, explained


def unexplained_gaps(counts):
    """Counts whose backlog does not balance with the period before and that carry
    no `balance_note` saying why (balance_gaps)."""
    return balance_gaps(counts)[0]


def data_quality_errors(widgets, *, today):
    """The data-quality findings graded "error" for these widgets (widgets.quality:
    a share above its whole, such as within standard above delivered), each with
    `widget`, `period_label` and a `message` saying what is wrong and how to fix it.
    One query; the home page and the dashboard list what this returns."""
    return quality.errors(widgets, today=today)
