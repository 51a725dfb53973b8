"""The coach's classes of names that are not products: contact channels, fields of
work, what the customer sends in, and tasks the customer does; each with a fix that
names a product, never the singular of the activity."""

import pytest

from widgets.coach import ADVICE, PROBLEM, Definition, name_findings, review


def _one(name):
    [finding] = name_findings(name)
    return finding


def _code(name):
    return [f.code for f in name_findings(name)]


# Contact channels


@pytest.mark.parametrize(
    "name",
    [
        "Benefit Enquiries (Contact Centre)",
        "Media enquiries",
        "General Inquiries related to the TDG Program",
        "Motor Vehicle Safety Call Centre",
        "Child support call center",
        "Office for Client Satisfaction",
        "IT help desk",
        "Helpdesk",
        "Tax hotline",
        "Crime stoppers tip lines",
        "Information line",
        "In-Person Service",
        "General Enquiry and Referral Telephone Service (1-800 O Canada)",
        "CCOHS Inquiries Service",
        "National Information Services",
        "Ministerial and Deputy Correspondence",
        "Transportation Data and Information Hub",
        "Canada.ca",
        "www.example.gov",
    ],
)
def test_a_contact_channel_is_named_as_one(name):
    assert _code(name) == ["name-channel"]


def test_the_channel_message_says_what_to_name_instead():
    finding = _one("Business Enquiries (Contact Centre)")
    assert (finding.severity, finding.field) == (PROBLEM, "name")
    assert finding.message == (
        "“Business Enquiries (Contact Centre)” names a way to reach you (a contact channel), "
        "not something a customer receives."
    )
    assert finding.fix == (
        "Name what the customer leaves with, for example “Answer to a question” or "
        "“Referral to a service”; the calls, messages and visits are its demand."
    )


def test_a_line_reached_by_phone_is_named_in_the_channel_message():
    finding = _one("Tax information line")
    assert finding.message == (
        "“Tax information line” names a way to reach you (a contact channel), "
        "not something a customer receives."
    )


@pytest.mark.parametrize(
    "name",
    [
        "Child care centre licence",
        "Canada.ca account",
        "Register of enquiries copy",
        "Water service line permit",
        "Voter Contact Registry",
    ],
)
def test_a_product_of_a_channel_is_not_a_channel(name):
    assert name_findings(name) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Customer service", "name-process-word"),  # not how it is reached
        ("Transmission lines", "name-plural"),  # not a line one calls
        ("Fishing line", None),
        ("Line of credit by phone", None),  # the last word is not the word before
    ],
)
def test_a_line_or_a_service_is_a_channel_only_when_the_word_before_says_so(name, code):
    assert _code(name) == ([code] if code else [])


# Fields of work


@pytest.mark.parametrize(
    ("name", "better"),
    [
        ("Research", "“Research report”"),
        ("Statistics", "“Statistical report”"),
        ("Policy", "“Policy decision letter”"),
        ("Policy development", "“Policy decision letter”"),
        ("Tax policy", "“Policy decision letter”"),
        ("Emergency management", "“Emergency alert”"),
        ("Wildfire Emergency Response", "“Emergency alert”"),
        ("Law Enforcement", "“Notice of violation”"),
        ("Media Relations", "“Answer to a media question”"),
        ("Dispute Resolution", "“Dispute decision”"),
        ("Risk management", "“Risk assessment report”"),
        ("Federal Mediation and Conciliation Service (FMCS)", "“Settlement agreement”"),
        ("Visitor Safety", "“Safety certificate”"),
        ("Cyber security", "“Security clearance”"),
        ("Cyber-security", "“Security clearance”"),  # a hyphenated head: its last part
        ("Access to Information and Privacy", None),
        ("Care and Custody", None),
        ("Environmental Protection Services", None),
        ("Water and Wastewater Treatment", None),
    ],
)
def test_a_field_of_work_is_named_as_one_with_a_product_of_it(name, better):
    if name.startswith("Access to"):  # the head is "access": not read as a field
        assert name_findings(name) == []
        return
    finding = _one(name)
    assert (finding.code, finding.severity, finding.field) == ("name-field", PROBLEM, "name")
    assert finding.message == f"“{name}” names a field of work, not something a customer receives."
    examples = better or "“Research report”, “Emergency alert” or “Security clearance”"
    assert finding.fix == f"Name one thing this work hands to a customer, for example {examples}."


@pytest.mark.parametrize(
    "name",
    [
        "Crime statistics",  # the numbers handed over
        "Insurance policy",  # a contract
        "Research permit",
        "Security clearance",
        "Emergency alert",
        "Public records request response",
    ],
)
def test_a_product_named_after_a_field_is_a_product(name):
    assert name_findings(name) == []


@pytest.mark.parametrize(
    "name", ["Grant management", "Case management", "Data analysis", "Public education"]
)
def test_work_on_things_stays_a_process_word(name):
    assert _code(name) == ["name-process-word"]


# What the customer sends in


@pytest.mark.parametrize(
    ("name", "better"),
    [
        ("Luxury Tax Rebate Applications", "“Luxury Tax Rebate”"),
        ("Clearance Certificate Requests", "“Clearance Certificate”"),
        ("Canada child benefit (CCB)  applications", "“Canada child benefit (CCB)”"),
        (
            "Applications for Charitable registration or re-registration",
            "“Charitable registration or re-registration”",
        ),
        ("GST/HST Returns", "“Notice of assessment”"),
        ("Tax return", "“Notice of assessment”"),
        ("Information return", "“Notice of assessment”"),
        ("Make a Complaint", "“Complaint response letter”"),
        ("Service Feedback - Complaints", "“Complaint response letter”"),
        ("Tax Credit Application", "“Building permit” or “Benefit decision”"),
        ("Formal Review Request (Objections)", "“Building permit” or “Benefit decision”"),
        ("Applications received", "“Building permit” or “Benefit decision”"),
        ("Refundable claims not selected for a review", "“Building permit” or “Benefit decision”"),
        ("Permit applications to the board", "“Permit”"),
        ("X-ray permit applications", "“X-ray permit”"),  # its own capital X is kept
        ("Boat permit, applications", "“Boat permit”"),  # without the comma
    ],
)
def test_what_the_customer_sends_in_is_not_what_they_receive(name, better):
    finding = _one(name)
    assert (finding.code, finding.severity) == ("name-request", PROBLEM)
    assert finding.message == f"“{name}” names what the customer sends in, not what they receive."
    assert finding.fix == (
        f"Name what they get back, for example {better}; what they send in is its demand."
    )


@pytest.mark.parametrize(
    "name", ["Return of seized property", "Tax refund", "Claim payment", "Complaint decision"]
)
def test_a_product_about_a_request_is_a_product(name):
    assert name_findings(name) == []


# Tasks the customer does


@pytest.mark.parametrize(
    ("name", "better"),
    [
        ("Register a vessel", "“Vessel registration”"),
        ("Register a mortgage for a vessel", "“Mortgage registration”"),
        ("Authorize a Representative", "“Representative authorization”"),
        ("Authorise an agent", "“Agent authorisation”"),
        ("Renew the lease", "“Lease”"),
        ("Renew a membership", "“Membership renewal”"),
        ("Replace a lost card", "“Lost card”"),
        ("Replace a lost wallet", "“Lost wallet replacement”"),
        ("Apply for a passport", "“Passport”"),
        ("Apply for an e-permit", "“E-permit”"),  # a hyphenated product: its last part
        ("Get your fishing licence", "“Fishing licence”"),
        ("Obtain a copy of a deed", "“Copy of a deed”"),
        (
            "Request a Motor Vehicle Transport Act Exemption",
            "“Motor Vehicle Transport Act Exemption”",
        ),
        ("Request a Review", "“Building permit” or “Benefit decision”"),
        ("Report a safety defect", "“Building permit” or “Benefit decision”"),
    ],
)
def test_a_task_the_customer_does_is_told_the_product_it_ends_in(name, better):
    finding = _one(name)
    assert (finding.code, finding.severity) == ("name-task", PROBLEM)
    assert finding.message == f"“{name}” names a task the customer does, not what they receive."
    assert finding.fix == f"Name the thing they have at the end, for example {better}."


@pytest.mark.parametrize(
    "name",
    [
        "Report for a vessel",  # only "apply" takes "for"
        "Register of deeds copy",
        "Report card",
        "Get-well card",
    ],
)
def test_a_product_that_starts_with_a_task_verb_is_not_a_task(name):
    assert "name-task" not in _code(name)


# Never the singular of an activity


@pytest.mark.parametrize(
    ("name", "better"),
    [
        ("Aviation Exams", "“Exam result”"),
        ("Flight Tests Conducted by the Department of Transport", "“Test result”"),
        ("Correctional Interventions", "“Program completion certificate”"),
    ],
)
def test_a_plural_activity_is_told_a_product_not_its_singular(name, better):
    finding = _one(name)
    assert finding.code == "name-plural-activity"
    assert f"for example {better} rather than “{name}”" in finding.fix


@pytest.mark.parametrize(
    "name",
    [
        "Adjudication of refugee cases",
        "Collaboration with owners",
        "Community Supervision",
        "Critical Construction Project Assurance",
        "Air carrier review and authorization process",
    ],
)
def test_more_process_words(name):
    assert _code(name) == ["name-process-word"]


# Names of several parts


@pytest.mark.parametrize(
    "name",
    [
        "Compliance Reviews / Certifications - Cryptographic Module Validation Program",
        "Coasting Trade inspections : Letters of Compliance Issued",
        "Grant administration \u2013 Award letter",
        "Housing program\u2014Voucher",
        "Licensing- Permits",
        "E-permits - Outreach to farms",  # a hyphenated product: its last part
    ],
)
def test_a_part_that_names_a_product_keeps_the_name_from_an_alarm(name):
    assert name_findings(name) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Cyber Centre Learning Hub - Curriculum Review", "name-process-word"),
        ("GST/HST rulings and interpretations - telephone enquiries", "name-channel"),
        ("Grant-writing assistance", "name-gerund"),  # a hyphen in a word: no break
        ("Permit processing -", "name-process-word"),  # an empty part names nothing
    ],
)
def test_parts_without_a_product_are_read_as_one_name(name, code):
    assert _code(name) == [code]


def test_a_plural_product_still_gets_its_singular_as_advice():
    finding = _one("Heritage Designations")
    assert (finding.code, finding.severity) == ("name-plural", ADVICE)
    assert "“Heritage Designation”" in finding.fix


def test_the_name_finding_is_the_one_review_reports():
    definition = Definition(name="Media enquiries", customer_count=1)
    assert [f for f in review(definition) if f.field == "name"] == name_findings("Media enquiries")
