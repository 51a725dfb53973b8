"""What the coach says: every finding's severity, field, message and fix."""

from dataclasses import dataclass

PROBLEM = "problem"
ADVICE = "advice"

EXAMPLES = "for example “Building permit” or “Benefit decision”"
FIELD_EXAMPLES = "for example “Research report”, “Emergency alert” or “Security clearance”"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message: str
    fix: str


def quote(text):
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
    "name-channel": (
        PROBLEM,
        "name",
        "{name} names a way to reach you (a contact channel), not something a customer receives.",
        "Name what the customer leaves with, for example “Answer to a question” or "
        "“Referral to a service”; the calls, messages and visits are its demand.",
    ),
    "name-field": (
        PROBLEM,
        "name",
        "{name} names a field of work, not something a customer receives.",
        "Name one thing this work hands to a customer, {better}.",
    ),
    "name-request": (
        PROBLEM,
        "name",
        "{name} names what the customer sends in, not what they receive.",
        "Name what they get back, {better}; what they send in is its demand.",
    ),
    "name-task": (
        PROBLEM,
        "name",
        "{name} names a task the customer does, not what they receive.",
        "Name the thing they have at the end, {better}.",
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


def finding(code, **values):
    severity, field, message, fix = TEXTS[code]
    return Finding(code, severity, field, message.format(**values), fix.format(**values))
