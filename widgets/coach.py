"""The definition coach: reads a widget definition and says, in plain words, where
it looks like an activity and what is missing. Pure functions over plain values.

A *problem* means it is not yet a widget definition; *advice* means it would be
better with. Judgement calls:

* Name. It should end in a countable noun handed to a customer. The *head noun*
  is the last word before the first preposition, ignoring text in parentheses
  ("Certificate of occupancy" -> certificate, "Coordination of services" ->
  coordination). At most one name finding, the first that applies of:
  1. a leading -ing verb ("Processing applications", "Managing grants") ->
     name-gerund; a leading -ing word is a modifier, not a verb, when it is a
     known one ("Building permit", "Fishing license", "Hearing decision") or the
     name ends in a singular product noun ("Blasting permit").
  2. a leading plain verb with an object ("Issue permits") -> name-process-word.
  3. head is a process word (management, outreach, support, monitoring, program,
     "review": "Plan review" is the activity, "Review decision" the product) or
     an activity event (visit, meeting) -> name-process-word.
  4. head is a plural activity ("Inspections", "Site visits", "Trainings") ->
     name-plural-activity. Singular "inspection", "audit", "investigation" pass:
     the catalogue has an inspection kind, read as the inspection's result.
  5. head ends in -ing and is not a countable -ing noun (ruling, listing, filing,
     hearing, rating, reading...) -> name-gerund. "Briefing" and "training" are
     activities: the product is the briefing paper or training certificate.
  6. head is a plain plural ("Permits") -> name-plural, advice only.
* No customer and no definition of done are problems. No unit of count is
  advice: the name and definition of done already say what one widget is.
* No service standard, or days without a share, is advice; a share outside
  0..100 or negative days is a problem.
* A description is an activity (advice) when it uses activity phrases ("we
  process", "responsible for", "oversees") and never says what the customer
  receives, gets or is allowed to do.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from agencies.templatetags import numbers

PROBLEM = "problem"
ADVICE = "advice"
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


# _set and _pairs run once, at import, before any test can switch a mutant on: a
# mutation of them is never tested (docs/testing.md); every word list test reads them.
def _set(words):
    return frozenset(words.split())  # pragma: no mutate


def _pairs(text):
    return dict(pair.split("=") for pair in text.split("; "))  # pragma: no mutate


EXAMPLES = "for example “Building permit” or “Benefit decision”"

# -ing nouns that name a countable thing handed over, so fine as a head noun.
COUNTABLE_ING = _set(
    "ruling listing filing finding hearing building opening drawing recording posting "
    "offering booking rating setting marking warning reading holding earning clearing "
    "crossing dwelling painting clipping printing"
)
# -ing words that only modify the noun after them ("Housing voucher").
MODIFIER_ING = COUNTABLE_ING | _set(
    "housing parking fishing hunting boating wedding training drinking mining lodging "
    "banking plumbing trucking gaming vending catering nursing camping farming driving "
    "swimming shipping mailing marketing boarding sporting logging burning blasting "
    "welding recycling towing roofing wiring heating sailing diving trapping"
)
# Words ending in -ing that are not verbs at all.
NOT_GERUND = _set("ceiling evening morning pudding awning sibling seedling herring")
PROCESS_WORDS = _set(
    "processing management administration outreach support coordination oversight "
    "operation operations service program programme assistance engagement compliance "
    "enforcement monitoring development planning implementation analysis analytics "
    "education communication communications liaison facilitation maintenance review "
    "research handling delivery administering"
)
# Singular events of work: the time spent, not the thing left behind.
ACTIVITY_EVENTS = _set(
    "visit meeting session workshop event call contact interaction activity effort "
    "initiative task project presentation consultation"
)
# Plural activities: they count work done ("Site visits"), not products.
PLURAL_ACTIVITIES = _set(
    "inspections visits meetings consultations trainings activities efforts initiatives "
    "investigations audits assessments evaluations reviews sessions workshops events calls "
    "contacts interactions presentations briefings projects tasks services programs programmes"
)
# A better name to suggest for common activity words, to make the fix concrete.
SUGGESTIONS = _pairs(
    "permitting=Air quality permit; licensing=Business license; "
    "reviewing=Plan approval; review=Plan approval; reviews=Review decision; "
    "inspecting=Inspection report; inspections=Inspection report; monitoring=Monitoring "
    "report; enforcement=Notice of violation; compliance=Compliance certificate; "
    "registering=Vehicle registration; training=Training certificate; trainings=Training "
    "certificate; sessions=Training certificate; workshops=Training certificate; "
    "briefing=Briefing paper; briefings=Briefing paper; presentations=Briefing paper; "
    "analysis=Analysis report; assistance=Grant award; support=Answer to a question; "
    "calls=Answer to a question; contacts=Answer to a question; visits=Site visit report; "
    "investigations=Investigation report; audits=Audit report; assessments=Assessment "
    "report; evaluations=Evaluation report; meetings=Meeting decision letter; "
    "consultations=Consultation advice letter; outreach=Benefit enrollment; "
    "education=Training certificate; events=Event permit; services=Benefit decision"
)
PRODUCT_NOUNS = _set(
    "permit license licence certificate certification registration report inspection "
    "payment grant award decision determination record card id title plate tag stamp "
    "passport visa refund benefit loan voucher notice order ruling letter approval "
    "authorization variance exemption waiver citation plan map copy transcript diploma "
    "badge placard sticker renewal response answer receipt statement check lease "
    "contract deed opinion forecast alert warrant judgment settlement agreement "
    "assessment estimate bill verification"
)
NOT_PLURAL = _set(
    "news series species lens gas bus plus status census analysis diagnosis basis "
    "earnings savings proceedings minutes damages premises headquarters arrears goods "
    "contents means thanks"
)
LEADING_VERBS = _set(
    "process manage review issue conduct provide coordinate administer oversee handle "
    "perform deliver respond answer support monitor enforce"
)
DETERMINERS = _set("a an the our all any each every")
PREPOSITIONS = _set("of for to in on at from with by under about per")

ACTIVITY_PHRASES = re.compile(
    r"\b(?:responsible for|in charge of|provides? support|conducts? outreach"
    r"|administers? the|(?:we|staff|our (?:office|team|staff|division|unit))"
    r" (?:process|manage|review|coordinate|oversee|administer|conduct|monitor|handle|support)"
    r"|manages|oversees|coordinates|administers|processes|conducts|monitors|facilitates)\b",
    re.IGNORECASE,
)
RECEIVES = re.compile(
    r"\b(?:receives?|receiving|gets?|obtains?|issued|given|sent|mailed|delivered|handed"
    r"|entitles?|authori[sz]es?|allows?|lets|proves?|so (?:that|they|you)|you (?:can|will))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message: str
    fix: str


@dataclass(frozen=True)
class Definition:
    name: str
    description: str = ""
    customer_count: int = 0
    definition_of_done: str = ""
    unit_of_count: str = ""
    standard_days: int | None = None
    standard_share: Decimal | float | None = None


def _tokens(name):
    text = re.sub(r"\([^)]*\)", " ", name.lower()).replace("\u2019", "'")
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text)
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return words


def _head(words):
    for i, word in enumerate(words):
        if i and word in PREPOSITIONS:
            return words[i - 1]
    return words[-1]


def _is_gerund(word):
    word = word.split("-")[-1]
    return (
        word.endswith("ing")
        and len(word) >= 5
        and re.search(r"[aeiouy]", word[:-3]) is not None
        and word not in NOT_GERUND
    )


def _is_plural(word):
    return (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "ics"))
        and word not in NOT_PLURAL
    )


def _singular(word):
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def _quote(text):
    return f"“{text.strip()}”"


ACTIVITY_TEXT = (
    PROBLEM,
    "name",
    "{name} describes work you do, not something a customer receives.",
    "Name the thing handed over at the end, {better}.",
)
# code: (severity, field, message, fix); {name}, {better}, {days}, {share} are filled in.
TEXTS = {
    "name-missing": (
        PROBLEM,
        "name",
        "The widget has no name yet.",
        f"Name the thing a customer receives, {EXAMPLES}.",
    ),
    "name-gerund": ACTIVITY_TEXT,
    "name-process-word": ACTIVITY_TEXT,
    "name-plural-activity": (
        PROBLEM,
        "name",
        "{name} counts work done, not something a customer receives.",
        "Name what one of them leaves the customer with, in the singular, "
        "for example {better} rather than {name}.",
    ),
    "name-plural": (
        ADVICE,
        "name",
        "{name} is plural; a widget name names one of them.",
        "Use the singular, {better}; the counts say how many.",
    ),
    "description-activity": (
        ADVICE,
        "description",
        "The description tells what staff do, not what the customer receives.",
        "Say what the customer gets and why it matters to them, for example "
        "“The permit lets a restaurant open and shows it passed inspection.”",
    ),
    "no-customer": (
        PROBLEM,
        "customer_segments",
        "No customer is chosen: nobody is named as receiving this widget.",
        "Choose who receives it, for example “Small businesses” or “Vehicle owners”.",
    ),
    "no-definition-of-done": (
        PROBLEM,
        "definition_of_done",
        "It does not say when one widget is delivered, so it cannot be counted.",
        "Describe the moment it is finished, for example "
        "“The permit is issued and emailed to the applicant.”",
    ),
    "no-unit": (
        ADVICE,
        "unit_of_count",
        "It does not say what exactly is counted.",
        "Name one countable item, for example “permit issued” or “payment sent”.",
    ),
    "no-standard": (
        ADVICE,
        "standard_days",
        "There is no service standard: customers are not told how long it takes.",
        "Set a promise in days and the share of widgets to meet it, "
        "for example “within 30 days, 90% of the time”.",
    ),
    "standard-days-range": (
        PROBLEM,
        "standard_days",
        "The service standard has a negative number of days.",
        "Enter the days as 0 or more, for example 30.",
    ),
    "no-standard-share": (
        ADVICE,
        "standard_share",
        "The standard says {days}, but not how often that promise should be met.",
        "Add the share of widgets to deliver in time, for example 90%.",
    ),
    "standard-share-range": (
        PROBLEM,
        "standard_share",
        "The share to meet the standard is {share}%; a share is 0 to 100.",
        "Enter a percentage from 0 to 100, for example 90.",
    ),
}


def _finding(code, **values):
    severity, field, message, fix = TEXTS[code]
    return Finding(code, severity, field, message.format(**values), fix.format(**values))


def _activity(code, name, word):
    example = SUGGESTIONS.get(word.split("-")[-1])
    better = f"for example {_quote(example)}" if example else EXAMPLES
    return _finding(code, name=_quote(name), better=better)


def _name_findings(name):
    words = _tokens(name)
    if not words:
        return [_finding("name-missing")]
    head, first = _head(words), words[0]
    core_head = head.split("-")[-1]
    verb_ing = _is_gerund(first) and first not in MODIFIER_ING
    if len(words) > 1 and verb_ing and core_head not in PRODUCT_NOUNS:
        return [_activity("name-gerund", name, first)]
    if len(words) > 1 and first in LEADING_VERBS and (words[1] in DETERMINERS or _is_plural(head)):
        return [_activity("name-process-word", name, first)]
    if core_head in PROCESS_WORDS or core_head in ACTIVITY_EVENTS:
        return [_activity("name-process-word", name, core_head)]
    if core_head in PLURAL_ACTIVITIES:
        better = _quote(SUGGESTIONS.get(core_head, "Inspection report"))
        return [_finding("name-plural-activity", name=_quote(name), better=better)]
    if _is_gerund(core_head) and core_head not in COUNTABLE_ING:
        return [_activity("name-gerund", name, core_head)]
    if _is_plural(core_head):
        last = re.escape(core_head)
        singular = re.sub(
            rf"(?i)\b{last}\b(?!.*\b{last}\b)", lambda m: _singular(m.group(0)), name.strip()
        )
        if "and" in words:  # "Permits and licenses": one widget per thing handed over
            singular = _singular(core_head).capitalize()
        return [_finding("name-plural", name=_quote(name), better=_quote(singular))]
    return []


def _share(value):
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return share if share.is_finite() else None


def _standard_findings(days, share):
    findings = []
    if days is None:
        findings.append(_finding("no-standard"))
    elif days < 0:
        findings.append(_finding("standard-days-range"))
    elif share is None:
        findings.append(_finding("no-standard-share", days=numbers.days(days)))
    if share is not None:
        value = _share(share)
        if value is None or not 0 <= value <= 100:
            findings.append(_finding("standard-share-range", share=share))
    return findings


def review(definition: Definition) -> list[Finding]:
    """Everything that looks wrong or missing; problems first, then advice."""
    findings = _name_findings(definition.name or "")
    description = (definition.description or "").strip()
    if ACTIVITY_PHRASES.search(description) and not RECEIVES.search(description):
        findings.append(_finding("description-activity"))
    if not definition.customer_count:
        findings.append(_finding("no-customer"))
    if not (definition.definition_of_done or "").strip():
        findings.append(_finding("no-definition-of-done"))
    if not (definition.unit_of_count or "").strip():
        findings.append(_finding("no-unit"))
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
