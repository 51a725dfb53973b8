"""The definition coach: pure functions, no database."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from widgets.coach import (
    ADVICE,
    PROBLEM,
    Definition,
    Finding,
    definition_from_widget,
    review,
    score,
)

NAME_CODES = {"name-gerund", "name-process-word", "name-plural-activity", "name-plural"}


def complete(**changes):
    """A definition with nothing missing; override one thing per test."""
    values = {
        "name": "Building permit",
        "description": "The permit lets the owner start construction legally.",
        "customer_count": 2,
        "definition_of_done": "The permit is issued and emailed to the applicant.",
        "unit_of_count": "permit issued",
        "standard_days": 30,
        "standard_share": Decimal("90"),
    }
    values.update(changes)
    return Definition(**values)


def codes(definition):
    return [f.code for f in review(definition)]


def name_codes(name):
    return {f.code for f in review(complete(name=name))} & NAME_CODES


GOOD_NAMES = [
    "Air quality permit",
    "Driver license",
    "Driver\u2019s license",
    "Vehicle title",
    "Unemployment insurance benefit payment",
    "Building permit",
    "Business license",
    "Birth certificate",
    "Restaurant inspection report",
    "Hearing decision",
    "Professional license renewal",
    "Small business grant award",
    "Fishing license",
    "Hunting license",
    "Water discharge permit",
    "Tax refund",
    "Passport",
    "Medicaid eligibility determination",
    "Court ruling",
    "Property listing",
    "Foodborne illness investigation report",
    "Boating registration",
    "Concealed carry permit",
    "Housing voucher",
    "Parking citation",
    "Filing receipt",
    "Training certificate",
    "Wedding license",
    "Certificate of occupancy",
    "Notice of violation",
    "Marriage license",
    "Social Security card",
    "Review decision",
    "Meter reading",
    "Severe weather warning",
    "Blasting permit",
    "Landscaping contractor license",
    "Food processing license",
    "Well-drilling permit",
    "Trademark registration",
    "Disability benefit decision",
    "Public records request response",
    "Building inspection",
    "Federal student loan",
    "Title V operating permit (air)",
]

BAD_NAMES = [
    ("Processing applications", {"name-gerund"}),
    ("Permitting", {"name-gerund"}),
    ("Licensing", {"name-gerund"}),
    ("Reviewing applications", {"name-gerund"}),
    ("Managing grants", {"name-gerund"}),
    ("Training", {"name-gerund"}),
    ("Briefing", {"name-gerund"}),
    ("Outreach", {"name-process-word"}),
    ("Customer support", {"name-process-word"}),
    ("Customer service", {"name-process-word"}),
    ("Program administration", {"name-process-word"}),
    ("Grant management", {"name-process-word"}),
    ("Stakeholder engagement", {"name-process-word"}),
    ("Compliance monitoring", {"name-process-word"}),
    ("Case management", {"name-process-word"}),
    ("Technical assistance", {"name-process-word"}),
    ("Enforcement", {"name-process-word"}),
    ("Plan review", {"name-process-word"}),
    ("Data analysis", {"name-process-word"}),
    ("Public education", {"name-process-word"}),
    ("Coordination of services", {"name-process-word"}),
    ("Workforce development program", {"name-process-word"}),
    ("Issue permits", {"name-process-word"}),
    ("Site visit", {"name-process-word"}),
    ("Inspections", {"name-plural-activity"}),
    ("Site visits", {"name-plural-activity"}),
    ("Trainings", {"name-plural-activity"}),
    ("Meetings", {"name-plural-activity"}),
    ("Consultations", {"name-plural-activity"}),
    ("Outreach activities", {"name-plural-activity"}),
    ("Community initiatives", {"name-plural-activity"}),
    ("Permits", {"name-plural"}),
    ("Vital records", {"name-plural"}),
    ("Certificates of occupancy", {"name-plural"}),
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_have_no_name_findings(name):
    assert name_codes(name) == set()


@pytest.mark.parametrize(("name", "expected"), BAD_NAMES)
def test_bad_names(name, expected):
    assert name_codes(name) == expected


def test_enough_real_world_names():
    assert len(GOOD_NAMES) + len(BAD_NAMES) >= 40


def test_complete_definition_has_no_findings():
    assert review(complete()) == []
    assert score(review(complete())) == 100


def test_gerund_message_is_plain_and_has_an_example():
    (finding,) = review(complete(name="Processing applications"))
    assert finding.severity == PROBLEM
    assert finding.field == "name"
    assert finding.message == (
        "“Processing applications” describes work you do, not something a customer receives."
    )
    assert "for example" in finding.fix


def test_plural_activity_fix_suggests_a_singular_product():
    (finding,) = review(complete(name="Inspections"))
    assert "“Inspection report” rather than “Inspections”" in finding.fix


def test_plural_product_is_advice_with_the_singular():
    (finding,) = review(complete(name="Permits"))
    assert finding.severity == ADVICE
    assert "“Permit”" in finding.fix


def test_fix_names_a_concrete_better_widget():
    (finding,) = review(complete(name="Permitting"))
    assert "“Air quality permit”" in finding.fix


def test_plural_of_two_products_suggests_one_widget_each():
    (finding,) = review(complete(name="Permits and licenses"))
    assert finding.code == "name-plural"
    assert "“License”" in finding.fix


def test_blank_name_is_a_problem():
    assert codes(complete(name="  ")) == ["name-missing"]


def test_no_customer_is_a_problem():
    (finding,) = review(complete(customer_count=0))
    assert (finding.code, finding.severity, finding.field) == (
        "no-customer",
        PROBLEM,
        "customer_segments",
    )


@pytest.mark.parametrize("done", ["", "   \n"])
def test_no_definition_of_done_is_a_problem(done):
    (finding,) = review(complete(definition_of_done=done))
    assert (finding.code, finding.severity, finding.field) == (
        "no-definition-of-done",
        PROBLEM,
        "definition_of_done",
    )


def test_no_unit_is_advice():
    (finding,) = review(complete(unit_of_count=""))
    assert (finding.code, finding.severity, finding.field) == ("no-unit", ADVICE, "unit_of_count")


def test_no_standard_is_advice():
    (finding,) = review(complete(standard_days=None, standard_share=None))
    assert (finding.code, finding.severity, finding.field) == (
        "no-standard",
        ADVICE,
        "standard_days",
    )


def test_days_without_share_is_advice():
    (finding,) = review(complete(standard_share=None))
    assert (finding.code, finding.severity) == ("no-standard-share", ADVICE)


def test_negative_days_is_a_problem():
    assert codes(complete(standard_days=-5)) == ["standard-days-range"]


@pytest.mark.parametrize("share", [101, -1, Decimal("100.01"), -0.5])
def test_share_out_of_range_is_a_problem(share):
    (finding,) = review(complete(standard_share=share))
    assert (finding.code, finding.severity, finding.field) == (
        "standard-share-range",
        PROBLEM,
        "standard_share",
    )
    assert str(share) in finding.message


@pytest.mark.parametrize("share", [0, 100, Decimal("95.50"), 80.0])
def test_share_in_range_is_fine(share):
    assert review(complete(standard_share=share)) == []


@pytest.mark.parametrize(
    "description",
    [
        "We process applications and coordinate with other divisions.",
        "The office is responsible for reviewing building plans.",
        "Oversees the grant program and conducts outreach to partners.",
        "Staff provide support; the unit administers the program statewide.",
    ],
)
def test_activity_description_is_advice(description):
    (finding,) = review(complete(description=description))
    assert (finding.code, finding.severity, finding.field) == (
        "description-activity",
        ADVICE,
        "description",
    )


@pytest.mark.parametrize(
    "description",
    [
        "",
        "The license lets a business sell alcohol at one location.",
        "We process the application; the applicant receives a decision letter.",
        "Proof that a vehicle is registered, so that it may be driven on public roads.",
    ],
)
def test_description_about_what_the_customer_receives_is_fine(description):
    assert review(complete(description=description)) == []


def test_problems_come_before_advice_in_a_stable_order():
    definition = Definition(name="Permits", description="We manage the program.")
    findings = review(definition)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != PROBLEM)
    assert [f.code for f in findings] == [
        "no-customer",
        "no-definition-of-done",
        "name-plural",
        "description-activity",
        "no-unit",
        "no-standard",
    ]
    assert review(definition) == findings


def test_every_finding_has_plain_text_and_a_known_field():
    definition = Definition(name="Outreach", standard_days=10, standard_share=150)
    for finding in review(definition):
        assert isinstance(finding, Finding)
        assert finding.severity in (PROBLEM, ADVICE)
        assert finding.field in {
            "name",
            "customer_segments",
            "definition_of_done",
            "unit_of_count",
            "standard_days",
            "standard_share",
            "description",
        }
        assert finding.message.strip()
        assert finding.fix.strip()


def _finding(severity):
    return Finding("x", severity, "name", "message", "fix")


def test_score():
    assert score([]) == 100
    problems = [_finding(PROBLEM)] * 2
    advice = [_finding(ADVICE)] * 2
    assert score(problems) < score(advice) < 100
    assert score(problems + advice) < score(problems)
    assert score([_finding(PROBLEM)] * 20) == 0
    assert score(iter(advice)) == score(advice)


def test_score_of_a_bare_name_is_low_but_not_negative():
    assert 0 <= score(review(Definition(name="Outreach"))) < 50


def _widget(**changes):
    values = {
        "pk": None,
        "name": "Tax refund",
        "description": "",
        "definition_of_done": "The refund is paid.",
        "unit_of_count": "refund paid",
        "standard_days": 21,
        "standard_share": Decimal("90.00"),
    }
    values.update(changes)
    return SimpleNamespace(**values)


def test_definition_from_widget_with_customer_count():
    definition = definition_from_widget(_widget(), customer_count=3)
    assert definition == Definition(
        name="Tax refund",
        description="",
        customer_count=3,
        definition_of_done="The refund is paid.",
        unit_of_count="refund paid",
        standard_days=21,
        standard_share=Decimal("90.00"),
    )
    assert review(definition) == []


def test_definition_from_unsaved_widget_has_no_customers():
    definition = definition_from_widget(_widget(description=None))
    assert definition.customer_count == 0
    assert definition.description == ""
    assert codes(definition) == ["no-customer"]


def test_definition_from_saved_widget_counts_its_segments():
    segments = SimpleNamespace(count=lambda: 4)
    widget = _widget(pk=7, customer_segments=segments)
    assert definition_from_widget(widget).customer_count == 4
    assert definition_from_widget(widget, customer_count=0).customer_count == 0


def test_definition_from_widget_keeps_the_widgets_description():
    definition = definition_from_widget(_widget(description="Staff process the refund."))
    assert definition.description == "Staff process the refund."
    assert "description-activity" in codes(definition)
