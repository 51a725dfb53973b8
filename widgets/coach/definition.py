"""The coach's reading of a whole definition: the name (names.py), the description,
the customer, the definition of done, the unit and the service standard, and the
score."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from agencies.templatetags import numbers

from .names import name_findings
from .texts import PROBLEM, Finding, finding
from .words import ACTIVITY_PHRASES, RECEIVES

PROBLEM_COST = 25
ADVICE_COST = 10

FIELD_ORDER = (
    "name",
    "description",
    "customer_segments",
    "definition_of_done",
    "unit_of_count",
    "standard_days",
    "standard_share",
)


@dataclass(frozen=True)
class Definition:
    name: str
    description: str = ""
    customer_count: int = 0
    definition_of_done: str = ""
    unit_of_count: str = ""
    standard_days: int | None = None
    standard_share: Decimal | float | None = None


def _share(value):
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return share if share.is_finite() else None


def _standard_findings(days, share):
    findings = []
    if days is None:
        findings.append(finding("no-standard"))
    elif days < 0:
        findings.append(finding("standard-days-range"))
    elif share is None:
        findings.append(finding("no-standard-share", days=numbers.days(days)))
    if share is not None:
        value = _share(share)
        if value is None or not 0 <= value <= 100:
            findings.append(finding("standard-share-range", share=share))
    return findings


def review(definition: Definition) -> list[Finding]:
    """Everything that looks wrong or missing; problems first, then advice."""
    findings = name_findings(definition.name or "")
    description = (definition.description or "").strip()
    if ACTIVITY_PHRASES.search(description) and not RECEIVES.search(description):
        findings.append(finding("description-activity"))
    if not definition.customer_count:
        findings.append(finding("no-customer"))
    if not (definition.definition_of_done or "").strip():
        findings.append(finding("no-definition-of-done"))
    if not (definition.unit_of_count or "").strip():
        findings.append(finding("no-unit"))
    findings += _standard_findings(definition.standard_days, definition.standard_share)
    rank = {field: i for i, field in enumerate(FIELD_ORDER)}
    return sorted(findings, key=lambda f: (f.severity != PROBLEM, rank[f.field], f.code))


def score(findings: Iterable[Finding]) -> int:
    """100 with no findings; each problem costs 25, each piece of advice 10; never below 0."""
    cost = sum(PROBLEM_COST if f.severity == PROBLEM else ADVICE_COST for f in findings)
    return max(0, 100 - cost)


def definition_from_widget(widget, customer_count=None) -> Definition:
    """A Definition from a Widget (or anything with the same attributes)."""
    if customer_count is None:
        customer_count = widget.customer_segments.count() if getattr(widget, "pk", None) else 0
    return Definition(
        name=widget.name or "",
        description=widget.description or "",
        customer_count=customer_count,
        definition_of_done=widget.definition_of_done or "",
        unit_of_count=widget.unit_of_count or "",
        standard_days=widget.standard_days,
        standard_share=widget.standard_share,
    )


def as_notes(findings):
    """The coach's findings as notes beside a previewed row (agencies.previews)."""
    if not findings:
        return ["Coach: no suggestions."]
    return [
        f"Coach ({'problem' if f.severity == 'problem' else 'advice'}): {f.message}"
        for f in findings
    ]
