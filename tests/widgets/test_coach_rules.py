"""The definition coach on its edges: the standard's days and the score's weights."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from widgets.coach import (
    ADVICE,
    PROBLEM,
    Definition,
    Finding,
    as_notes,
    definition_from_widget,
    review,
    score,
)


def _complete(**changes):
    values = {
        "name": "Tax refund",
        "description": "The refund a taxpayer receives.",
        "customer_count": 1,
        "definition_of_done": "The refund is paid.",
        "unit_of_count": "refund paid",
        "standard_days": 21,
        "standard_share": Decimal("90.00"),
    }
    return Definition(**{**values, **changes})


def _findings(problems=0, advice=0):
    return [Finding("x", PROBLEM, "name", "m", "f")] * problems + [
        Finding("x", ADVICE, "name", "m", "f")
    ] * advice


def test_a_same_day_standard_of_zero_days_is_fine():
    assert review(_complete(standard_days=0)) == []


def test_one_day_below_zero_is_a_problem():
    [finding] = review(_complete(standard_days=-1))
    assert (finding.code, finding.severity) == ("standard-days-range", PROBLEM)


def test_a_share_that_is_not_a_number_is_a_problem():
    [finding] = review(_complete(standard_share="ninety"))
    assert finding.code == "standard-share-range"
    assert "ninety" in finding.message


def test_a_problem_costs_25_points_and_advice_10():
    assert score(_findings(problems=1)) == 75
    assert score(_findings(advice=1)) == 90
    assert score(_findings(problems=2, advice=3)) == 20


def test_the_score_stops_at_zero():
    assert score(_findings(problems=4)) == 0
    assert score(_findings(problems=3, advice=3)) == 0


def test_findings_as_notes_name_their_severity():
    assert as_notes([]) == ["Coach: no suggestions."]
    assert as_notes(_findings(problems=1, advice=1)) == [
        "Coach (problem): m",
        "Coach (advice): m",
    ]


@pytest.mark.parametrize(
    ("name", "singular"),
    [
        ("Certified copies", "Certified copy"),
        ("Business directories", "Business directory"),
        ("Beach passes", "Beach pass"),
        ("Tax boxes", "Tax box"),
        ("Car washes", "Car wash"),
        ("Fire matches", "Fire match"),
        ("Contest prizes", "Contest prize"),
        ("Buzzes", "Buzz"),
        ("Parking permits", "Parking permit"),
    ],
)
def test_a_plural_name_is_told_its_singular(name, singular):
    [finding] = review(_complete(name=name))
    assert finding.code == "name-plural"
    assert f"“{singular}”" in finding.fix


def test_a_hyphenated_activity_word_gets_the_suggestion_for_its_last_part():
    [finding] = review(_complete(name="Re-licensing applications"))
    assert finding.code == "name-gerund"
    assert "“Business license”" in finding.fix


def test_a_definition_from_a_widget_with_blank_fields_and_no_id():
    widget = SimpleNamespace(
        name=None,
        description=None,
        definition_of_done=None,
        unit_of_count=None,
        standard_days=None,
        standard_share=None,
    )
    assert definition_from_widget(widget) == Definition(name="")


@pytest.mark.parametrize(
    "name",
    [
        "Student IDs",
        "Student e-IDs",  # a hyphenated word is judged by its last part
        "Beach pass",
        "Tax bonus",
        "Master thesis",
        "Crime statistics",
    ],
)
def test_short_words_and_singulars_ending_in_s_are_not_plurals(name):
    assert review(_complete(name=name)) == []


def test_a_four_letter_plural_is_a_plural():
    [finding] = review(_complete(name="Road maps"))
    assert (finding.code, finding.fix) == (
        "name-plural",
        "Use the singular, “Road map”; the counts say how many.",
    )


def test_a_hyphenated_first_word_is_a_gerund_only_if_its_last_part_is():
    [finding] = review(_complete(name="Late-evening closures"))
    assert finding.code == "name-plural"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Outreach's", "name-process-word"),
        ("Outreach\u2019s", "name-process-word"),
        ("Inspections (annual) of boats", "name-plural-activity"),
        ("The permits", "name-plural"),
    ],
)
def test_possessives_asides_and_articles_are_read_past(name, code):
    assert [f.code for f in review(_complete(name=name))] == [code]


@pytest.mark.parametrize("name", ["Permit's", "Boat title (renewals)", "A title"])
def test_possessives_asides_and_articles_do_not_make_a_good_name_bad(name):
    assert review(_complete(name=name)) == []


def test_a_share_that_is_not_a_finite_number_is_a_problem():
    [finding] = review(_complete(standard_share="NaN"))
    assert finding.code == "standard-share-range"


def test_a_hyphenated_head_is_judged_by_its_last_part():
    [finding] = review(_complete(name="Boat re-inspections"))
    assert finding.code == "name-plural-activity"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Doing inspections", "name-gerund"),  # a five-letter -ing word
        ("Shredding services", "name-gerund"),  # no vowel in its first three letters
        ("Skiing lessons", "name-gerund"),  # its one vowel just before -ing
        ("Review", "name-process-word"),  # a leading verb alone
        ("Monitoring", "name-process-word"),  # an -ing process word alone: no verb before an object
    ],
)
def test_activity_words_of_every_shape_are_found(name, code):
    assert [f.code for f in review(_complete(name=name))] == [code]


@pytest.mark.parametrize(
    ("name", "better"),
    [("Site visits", "“Site visit report”"), ("Community projects", "“Inspection report”")],
)
def test_a_plural_activity_is_told_a_product_to_name_instead(name, better):
    [finding] = review(_complete(name=name))
    assert finding.code == "name-plural-activity"
    assert better in finding.fix


def test_messages_name_the_widget_and_the_days():
    [plural] = review(_complete(name="Boat titles"))
    assert plural.message == "“Boat titles” is plural; a widget name names one of them."
    [share] = review(_complete(standard_share=None, standard_days=21))
    assert share.message.startswith("The standard says 21 days,")
    [one] = review(_complete(standard_share=None, standard_days=1))
    assert one.message.startswith("The standard says 1 day,")


def test_a_definition_without_a_name_is_missing_one():
    assert "name-missing" in [f.code for f in review(Definition(name=None))]
