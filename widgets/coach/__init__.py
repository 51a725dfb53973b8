"""The definition coach: reads a widget definition and says, in plain words, where
it looks like an activity and what is missing. Pure functions over plain values:
`definition.py` reads a whole definition and scores it, `names.py` reads the name,
`texts.py` holds what it says and `words.py` the word lists.

A *problem* means it is not yet a widget definition; *advice* means it would be
better with. Judgement calls:

* Name. It should end in a countable noun handed to a customer. The *head noun*
  is the last word before the first preposition, ignoring text in parentheses
  and reading past participles ("Certificate of occupancy" -> certificate,
  "Coordination of services" -> coordination, "Claims not selected for a review"
  -> claims). At most one name finding, the first that applies of:
  1. head is a contact channel (centre, office, desk, hotline, hub, enquiries,
     correspondence; a line or service reached by phone, in person or for
     information), or the name is a website ("Canada.ca") -> name-channel.
  2. a leading -ing verb ("Processing applications", "Managing grants") ->
     name-gerund; a leading -ing word is a modifier, not a verb, when it is a
     known one ("Building permit", "Fishing license", "Hearing decision") or the
     name ends in a singular product noun ("Blasting permit").
  3. a leading plain verb with an object ("Issue permits") -> name-process-word.
  4. a task the customer does ("Register a vessel", "Apply for a passport") ->
     name-task, with the product it ends in ("Vessel registration", "Passport").
  5. head is what the customer sends in (application, request, claim, complaint,
     objection, a tax or information return) -> name-request, with the product
     the name mentions when it does ("Luxury Tax Rebate Applications" -> "Luxury
     Tax Rebate").
  6. head is a field of work: a discipline (research, awareness, relations,
     protection, security...) or a function of an area ("Emergency management",
     "Policy development", "Law enforcement"); "Statistics" and "Policy" alone too,
     but "Crime statistics" and "Insurance policy" are products -> name-field.
  7. head is a process word (management, outreach, support, monitoring, program,
     process, "review": "Plan review" is the activity, "Review decision" the
     product) or an activity event (visit, meeting) -> name-process-word.
  8. head is a plural activity ("Inspections", "Site visits", "Aviation exams") ->
     name-plural-activity. Singular "inspection", "audit", "investigation" pass:
     the catalogue has an inspection kind, read as the inspection's result.
  9. head ends in -ing and is not a countable -ing noun (ruling, listing, filing,
     hearing, rating, reading...) -> name-gerund. "Briefing" and "training" are
     activities: the product is the briefing paper or training certificate.
  10. head is a plain plural ("Permits") -> name-plural, advice only, with the
     singular. Never for a name that 1-9 call something else: the singular of an
     activity ("Enquiry", "Application") is not a product.
  A name of several parts ("X - Y", "X : Y") one of which ends in a product noun
  ("Compliance Reviews / Certifications - Cryptographic Module Validation Program")
  gets no problem: the other parts name the program or the work around it.
  Tested on every service name of the Government of Canada service inventory
  sample, labelled by hand (tests/widgets/test_coach_service_names.py).
* No customer and no definition of done are problems. No unit of count is
  advice: the name and definition of done already say what one widget is.
* No service standard, or days without a share, is advice; a share outside
  0..100 or negative days is a problem.
* A description is an activity (advice) when it uses activity phrases ("we
  process", "responsible for", "oversees") and never says what the customer
  receives, gets or is allowed to do.
"""

from .definition import (
    ADVICE_COST,
    FIELD_ORDER,
    PROBLEM_COST,
    Definition,
    as_notes,
    definition_from_widget,
    review,
    score,
)
from .names import name_findings
from .texts import ADVICE, PROBLEM, TEXTS, Finding

__all__ = [
    "ADVICE",
    "ADVICE_COST",
    "FIELD_ORDER",
    "PROBLEM",
    "PROBLEM_COST",
    "TEXTS",
    "Definition",
    "Finding",
    "as_notes",
    "definition_from_widget",
    "name_findings",
    "review",
    "score",
]
