"""A customer answers a hosted survey (docs/surveys.md) in a real Chromium.

The acceptance journey: on a phone-sized screen (390 px), by keyboard alone, a
person switches the survey to Spanish, answers it and sends it; the answer is
then in the widget's survey results for its period, marked as collected here.
And axe-core on the survey in both languages, in its error state, and on the
pages that follow (thanks, closed).
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Role
from tests import factories as f
from widgets.models import ResultSource, SurveyResult, SurveyStatus, WidgetStatus
from widgets.surveys import rollup

from .conftest import assert_no_axe_violations, fit_problems
from .test_keyboard import FOCUS_VISIBLE, by_text, tab_to

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def survey():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    f.MembershipFactory(user=f.UserFactory(username="staff@deq"), agency=agency, role=Role.STAFF)
    widget = f.WidgetFactory(
        agency=agency, name="Open burning permit", status=WidgetStatus.APPROVED
    )
    return f.SurveyFactory(
        widget=widget,
        title="How was getting your burning permit?",
        title_es="¿Cómo le fue con su permiso de quema?",
        intro="Two minutes, no name needed.",
        intro_es="Dos minutos, sin dar su nombre.",
        control_number="2040-0117",
        control_expires=timezone.localdate().replace(year=timezone.localdate().year + 1),
    )


def radio_of(name):
    return f"el => el.type === 'radio' && el.name === {name!r}"


def test_a_person_answers_in_spanish_on_a_phone_by_keyboard(page, base, survey, sign_in):
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/s/{survey.code}/?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)

    # The language switch is a link: Tab to it, Enter.
    tab_to(page, by_text("Español"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title_es)
    assert page.evaluate("document.documentElement.lang") == "es"

    # Satisfaction: Tab into the group (its first answer), four times down: "Muy de acuerdo".
    tab_to(page, radio_of("satisfaction"))
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Muy de acuerdo").first).to_be_checked()
    # Trust: "De acuerdo" (4). Ease: Space on the first answer, "Muy en desacuerdo" (1).
    tab_to(page, radio_of("trust"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    tab_to(page, radio_of("ease"))
    page.keyboard.press("Space")
    tab_to(page, "el => el.tagName === 'TEXTAREA'")
    page.keyboard.type("Todo muy claro.")
    tab_to(page, by_text("Enviar mis respuestas"))
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("Gracias: sus respuestas se enviaron")
    assert fit_problems(page, widths=(390,)) == []

    period = rollup.survey_period(survey.widget, timezone.localdate())
    result = SurveyResult.objects.get(
        widget=survey.widget, period_start=period, segment=None, source=ResultSource.COLLECTED
    )
    assert result.respondents == 1
    assert result.answers("satisfaction") == [0, 0, 0, 0, 1]
    assert result.answers("trust") == [0, 0, 0, 1, 0]
    assert result.answers("ease") == [1, 0, 0, 0, 0]

    # The answer is in the widget's results for its period, marked as collected here.
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/{survey.widget.pk}/")
    results = page.get_by_role("region", name=re.compile("Survey results of Open burning permit"))
    row = results.get_by_role("row").filter(has_text=period.strftime("%b %Y"))
    expect(row).to_contain_text("Collected here")
    expect(row).to_contain_text("100.0% satisfied")
    expect(row).to_contain_text("1 of 1")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_survey_has_no_axe_violations_blank_in_error_and_after(page, base, survey, language):
    for size in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(size)
        page.goto(f"{base}/s/{survey.code}/?lang={language}")
        assert_no_axe_violations(page)
        # Sent with nothing answered: the error state.
        page.get_by_role("button").last.click()
        page.wait_for_load_state()
        expect(page.locator(".usa-alert--error")).to_be_visible()
        assert_no_axe_violations(page)
        # The error summary has focus, so a screen reader hears it first.
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.locator("label[for=id_satisfaction_3]").click()  # USWDS draws the label, not the input
    page.get_by_role("button").last.click()
    page.wait_for_load_state()
    assert "/thanks/" in page.url
    assert_no_axe_violations(page)
    survey.status = SurveyStatus.CLOSED
    survey.save()
    page.goto(f"{base}/s/{survey.code}/?lang={language}")
    expect(page.get_by_role("heading", level=2)).to_be_visible()
    assert_no_axe_violations(page)
