"""Hosted surveys: customers answer for themselves (docs/surveys.md).

The answer's path (public page -> SurveyResponse -> the widget's collected
SurveyResult), the once-only invitation, the abuse guards, the rule that entered
and collected results never mix, and the A-11 export of collected answers.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.satisfaction import Csat
from widgets.interop import a11
from widgets.models import (
    Question,
    ResultSource,
    SurveyResponse,
    SurveyResult,
    SurveyStatus,
    WidgetStatus,
)
from widgets.surveys import hosting, rollup
from widgets.surveys.funnel import funnel
from widgets.surveys.hosted_forms import SurveyForm

from .. import factories as f

pytestmark = pytest.mark.django_db

ALL_FIVE = dict.fromkeys(Question.values, 5)


def answer(client, survey, data, *, lang="en", path=None, **extra):
    url = path or reverse("answer:survey", args=[survey.code])
    return client.post(f"{url}?lang={lang}", data, **extra)


def collected(widget, period=None, segment=None):
    period = period or rollup.survey_period(widget, timezone.localdate())
    return SurveyResult.objects.get(
        widget=widget, period_start=period, segment=segment, source=ResultSource.COLLECTED
    )


@pytest.fixture
def survey(agency_a):
    widget = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    return f.SurveyFactory(widget=widget)


# --- the answer rolls up: a hand-computed example ---------------------------------


def test_answers_roll_up_into_the_periods_collected_result_as_computed_by_hand(client, survey):
    # Three customers. Satisfaction 5, 4, 2: CSAT 2 of 3 = 66.7%. Trust 3, skipped, 1.
    answers = [
        {"satisfaction": 5, "trust": 3, "ease": 4, "comment": "Quick and clear."},
        {"satisfaction": 4, "ease": 4, "helpfulness": 5},
        {"satisfaction": 2, "trust": 1, "ease": 2},
    ]
    for data in answers:
        assert answer(client, survey, data).status_code == 302
    result = collected(survey.widget)
    assert result.respondents == 3
    assert result.offered is None  # no invitations: nobody counts who saw the link
    assert result.customers_served is None
    assert result.answers("satisfaction") == [0, 1, 0, 1, 1]
    assert result.answers("trust") == [1, 0, 1, 0, 0]
    assert result.answers("ease") == [0, 1, 0, 2, 0]
    assert result.answers("helpfulness") == [0, 0, 0, 0, 1]
    assert result.answers("transparency") == [0, 0, 0, 0, 0]
    csat = Csat(result.answers("satisfaction"))
    assert (csat.satisfied, csat.responses, csat.percent) == (2, 3, 66.7)
    assert csat.low_sample  # 3 < SURVEY_MIN_RESPONSES (30)
    assert SurveyResponse.objects.filter(survey=survey).count() == 3


def test_the_collected_result_shows_on_the_widget_page_marked_as_collected(client, survey, staff_a):
    answer(client, survey, {"satisfaction": 5})
    client.force_login(staff_a)
    page = client.get(reverse("widgets:detail", args=[survey.widget.pk])).content.decode()
    assert "Collected here" in page
    assert "From answers" in page  # not editable by hand


def test_a_collected_result_cannot_be_edited_by_hand(client, survey, staff_a):
    answer(client, survey, {"satisfaction": 5})
    client.force_login(staff_a)
    url = reverse("widgets:survey-edit", args=[collected(survey.widget).pk])
    assert client.get(url).status_code == 404


def test_segment_results_roll_up_beside_the_overall_one(client, agency_a, survey):
    small = f.CustomerSegmentFactory(agency=agency_a, name="Small businesses")
    survey.widget.customer_segments.add(small)
    survey.ask_segment = True
    survey.save()
    answer(client, survey, {"satisfaction": 5, "segment": small.pk})
    answer(client, survey, {"satisfaction": 1})
    assert collected(survey.widget).respondents == 2
    mine = collected(survey.widget, segment=small)
    assert (mine.respondents, mine.answers("satisfaction")) == (1, [0, 0, 0, 0, 1])


# --- invitations ---------------------------------------------------------------------


def test_an_invitation_answered_twice_counts_once(client, survey, staff_a):
    batch = hosting.make_invitations(
        survey=survey,
        period_start=timezone.localdate(),
        channel="online",
        segment=None,
        size=3,
        by=staff_a,
    )
    token = batch.invitations.first().token
    path = reverse("answer:invitation", args=[token])
    assert answer(client, survey, {"satisfaction": 5}, path=path).status_code == 302
    again = answer(client, survey, {"satisfaction": 1}, path=path)
    assert again.status_code == 409
    assert "This invitation has been answered" in again.content.decode()
    assert "has been answered" in client.get(path).content.decode()
    result = collected(survey.widget)
    assert (result.offered, result.respondents) == (3, 1)
    assert result.answers("satisfaction") == [0, 0, 0, 0, 1]
    assert SurveyResponse.objects.get().channel == "online"  # the invitation's


def test_a_segment_named_by_the_customer_is_not_one_of_its_invitations(
    client, agency_a, survey, staff_a
):
    small = f.CustomerSegmentFactory(agency=agency_a, name="Small businesses")
    survey.widget.customer_segments.add(small)
    survey.ask_segment = True
    survey.save()
    today = timezone.localdate()
    for_small = hosting.make_invitations(
        survey=survey, period_start=today, channel="mail", segment=small, size=1, by=staff_a
    )
    for_anyone = hosting.make_invitations(
        survey=survey, period_start=today, channel="mail", segment=None, size=2, by=staff_a
    )
    answer(
        client,
        survey,
        {"satisfaction": 5},
        path=reverse("answer:invitation", args=[for_small.invitations.get().token]),
    )
    # An invitation for no segment, whose customer says they are a small business.
    answer(
        client,
        survey,
        {"satisfaction": 4, "segment": small.pk},
        path=reverse("answer:invitation", args=[for_anyone.invitations.first().token]),
    )
    overall, mine = collected(survey.widget), collected(survey.widget, segment=small)
    assert (overall.offered, overall.respondents) == (3, 2)
    assert (mine.offered, mine.respondents) == (None, 2)  # 1 invitation, 2 answers: unknown
    assert mine.answers("satisfaction") == [0, 0, 0, 1, 1]


def test_invitations_count_as_offered_at_once(survey, staff_a):
    hosting.make_invitations(
        survey=survey,
        period_start=timezone.localdate(),
        channel="mail",
        segment=None,
        size=40,
        by=staff_a,
    )
    result = collected(survey.widget)
    assert (result.offered, result.respondents) == (40, 0)


def test_offered_is_unknown_once_an_answer_came_through_the_open_link(client, survey, staff_a):
    batch = hosting.make_invitations(
        survey=survey,
        period_start=timezone.localdate(),
        channel="online",
        segment=None,
        size=2,
        by=staff_a,
    )
    path = reverse("answer:invitation", args=[batch.invitations.first().token])
    answer(client, survey, {"satisfaction": 4}, path=path)
    answer(client, survey, {"satisfaction": 4})
    result = collected(survey.widget)
    assert (result.offered, result.respondents) == (None, 2)  # never respondents > offered
    total = funnel(survey)[0]
    assert (total.offered, total.by_invitation, total.by_link) == (2, 1, 1)
    assert total.response_rate == 0.5


def test_the_funnel_reads_delivered_from_the_widgets_counts(client, survey, staff_a):
    today = timezone.localdate()
    f.WidgetCountFactory(widget=survey.widget, period_start=today.replace(day=1), delivered=120)
    hosting.make_invitations(
        survey=survey,
        period_start=today,
        channel="in_person",
        segment=None,
        size=100,
        by=staff_a,
    )
    rows = funnel(survey)
    assert (rows[0].channel_label, rows[0].delivered, rows[0].offered) == ("All channels", 120, 100)
    assert (rows[1].channel_label, rows[1].delivered, rows[1].offered) == ("In person", None, 100)
    assert rows[0].response_rate == 0


# --- abuse ------------------------------------------------------------------------


def test_the_rate_limit_per_address_refuses_with_a_clear_message(client, survey, settings):
    settings.SURVEY_ADDRESS_RATE = "2/h"
    assert answer(client, survey, {"satisfaction": 5}).status_code == 302
    assert answer(client, survey, {"satisfaction": 5}).status_code == 302
    refused = answer(client, survey, {"satisfaction": 5})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    text = refused.content.decode()
    assert "Too many answers came from your connection" in text
    assert "Your answer was not saved" in text
    assert collected(survey.widget).respondents == 2
    # Another address is not held back by this one.
    assert answer(client, survey, {"satisfaction": 5}, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_rate_limit_per_survey_bounds_many_addresses(client, survey, settings):
    settings.SURVEY_RATE = "3/m"
    for n in range(3):
        answer(client, survey, {"satisfaction": 3}, REMOTE_ADDR=f"10.0.1.{n}")
    refused = answer(client, survey, {"satisfaction": 3}, REMOTE_ADDR="10.0.1.99", lang="es")
    assert refused.status_code == 429
    assert "Esta encuesta está recibiendo demasiadas respuestas" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    assert collected(survey.widget).respondents == 3


def test_the_honeypot_saves_nothing_and_says_nothing(client, survey):
    response = answer(client, survey, {"satisfaction": 5, "fax_number": "555-0100"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("answer:thanks", args=[survey.code]))
    assert not SurveyResponse.objects.exists()
    assert not SurveyResult.objects.exists()


def test_an_answer_too_large_is_refused_unread(client, survey, settings):
    settings.SURVEY_MAX_BODY_BYTES = 2000
    response = answer(client, survey, {"satisfaction": 5, "comment": "x" * 3000})
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_comment_longer_than_the_limit_is_refused_next_to_the_field(client, survey):
    response = answer(client, survey, {"satisfaction": 5, "comment": "x" * 1001})
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_empty_answer_is_refused_with_a_message(client, survey):
    response = answer(client, survey, {}, lang="es")
    assert response.status_code == 200
    assert "Responda al menos una pregunta" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_answer_off_the_scale_is_refused(client, survey):
    response = answer(client, survey, {"satisfaction": 6})
    assert "Choose one of the five answers" in response.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (SurveyStatus.CLOSED, "This survey is closed"),
        (SurveyStatus.PAUSED, "This survey is paused"),
    ],
)
def test_a_closed_or_paused_survey_takes_no_answer(client, survey, status, words):
    survey.status = status
    survey.save()
    page = client.get(reverse("answer:survey", args=[survey.code]))
    assert words in page.content.decode()
    assert 'name="satisfaction"' not in page.content.decode()
    refused = answer(client, survey, {"satisfaction": 5})
    assert refused.status_code == 409
    assert words in refused.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_survey_past_its_control_number_expiry_takes_no_answer(client, survey):
    survey.control_number = "1234-5678"
    survey.control_expires = timezone.localdate() - dt.timedelta(days=1)
    survey.save()
    assert answer(client, survey, {"satisfaction": 5}).status_code == 409
    assert not SurveyResponse.objects.exists()


def test_a_draft_survey_is_not_found(client, survey):
    survey.status = SurveyStatus.DRAFT
    survey.save()
    assert client.get(reverse("answer:survey", args=[survey.code])).status_code == 404


def test_the_public_page_shows_no_other_respondents_comment(client, survey):
    answer(client, survey, {"satisfaction": 5, "comment": "Secret words of customer one"})
    for url in (
        reverse("answer:survey", args=[survey.code]),
        reverse("answer:thanks", args=[survey.code]),
    ):
        assert "Secret words" not in client.get(url).content.decode()


# --- languages ----------------------------------------------------------------------


def test_the_survey_speaks_spanish_through_the_translation_catalogue(client, survey):
    page = client.get(reverse("answer:survey", args=[survey.code]) + "?lang=es")
    text = page.content.decode()
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in text
    assert "Muy de acuerdo" in text
    assert "Fue fácil hacer lo que necesitaba hacer." in text
    assert survey.title_es in text
    assert 'lang="en" hreflang="en">English</a>' in text  # the switch


def test_the_language_header_is_a_plain_string_whichever_way_it_was_chosen(client, survey):
    # wsgiref (runserver) refuses a header whose value is a str subclass, such as an enum.
    url = reverse("answer:survey", args=[survey.code])
    for response in (client.get(url), client.get(url, HTTP_ACCEPT_LANGUAGE="es")):
        assert type(response.headers["Content-Language"]) is str


def test_the_browser_language_chooses_spanish_and_the_link_overrides_it(client, survey):
    url = reverse("answer:survey", args=[survey.code])
    assert (
        "Muy de acuerdo" in client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    )
    english = client.get(f"{url}?lang=en", HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    assert "Strongly agree" in english


def test_an_untranslated_title_is_shown_in_english_and_marked_so(client, survey):
    survey.title_es = ""
    survey.save()
    text = client.get(reverse("answer:survey", args=[survey.code]) + "?lang=es").content.decode()
    assert f'<h1 class="margin-top-3" lang="en">{survey.title}</h1>' in text


def test_the_answers_language_is_kept(client, survey):
    answer(client, survey, {"satisfaction": 5}, lang="es")
    assert SurveyResponse.objects.get().language == "es"


# --- entered and collected results never mix -----------------------------------------


def test_staff_cannot_enter_a_result_for_a_quarter_with_collected_answers(client, survey, staff_a):
    answer(client, survey, {"satisfaction": 5})
    client.force_login(staff_a)
    period = rollup.quarter_of(timezone.localdate())[0]
    response = client.post(
        reverse("widgets:survey-create", args=[survey.widget.pk]),
        {"period_start": period.isoformat(), "respondents": 10, "satisfaction_5": 10},
    )
    assert response.status_code == 200
    assert "collected by the widget&#x27;s hosted survey" in response.content.decode()
    assert not SurveyResult.objects.filter(source=ResultSource.ENTERED).exists()


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_the_quarter_rule_holds_at_the_ends_of_the_calendar(survey, day):
    # Found by the fuzz test of the survey form: year 10000 does not exist.
    assert rollup.entry_refusal(survey.widget, day) is None
    assert rollup.quarter_of(day)[0] <= day


def test_answers_for_a_quarter_with_entered_results_are_kept_but_held(client, survey):
    today = timezone.localdate()
    entered = f.SurveyResultFactory(
        widget=survey.widget,
        period_start=rollup.quarter_of(today)[0],
        offered=None,
        customers_served=None,
        respondents=50,
        satisfaction_5=50,
    )
    answer(client, survey, {"satisfaction": 1})
    assert SurveyResponse.objects.count() == 1  # the customer's answer is kept
    assert not SurveyResult.objects.filter(source=ResultSource.COLLECTED).exists()
    assert rollup.held_periods(survey.widget) == [rollup.survey_period(survey.widget, today)]
    entered.refresh_from_db()
    assert (entered.respondents, entered.satisfaction_5, entered.satisfaction_1) == (50, 50, None)
    # Once the entered results are gone, the answers roll up.
    entered.delete()
    assert rollup.roll_up_all(widget=survey.widget) == 1
    assert collected(survey.widget).answers("satisfaction") == [1, 0, 0, 0, 0]


# --- the A-11 export ------------------------------------------------------------------


def test_the_a11_export_comes_out_of_collected_answers(client, agency_a, survey, staff_a):
    for score in (5, 5, 4, 1):
        answer(client, survey, {"satisfaction": score, "ease": 4})
    headers, rows = a11.rows(agency_a, user=staff_a)
    [row] = rows
    line = dict(zip(headers, row, strict=True))
    assert line["service"] == "Air permit"
    assert (line["surveys_offered"], line["respondents"]) == (None, 4)
    sat = [line[f"satisfaction_{p}"] for p in range(1, 6)]
    assert sat == [1, 0, 0, 1, 2]
    assert line["ease_4"] == 4
    assert line["source"] == "collected"


def test_the_a11_export_keeps_entered_and_collected_apart(agency_a, survey, staff_a):
    f.SurveyResultFactory(widget=survey.widget, period_start=dt.date(2024, 1, 1))
    f.SurveyResultFactory(
        widget=survey.widget,
        period_start=dt.date(2024, 4, 1),
        source=ResultSource.COLLECTED,
    )
    headers, rows = a11.rows(agency_a, user=staff_a)
    assert [r[headers.index("source")] for r in rows] == ["entered", "collected"]


# --- making, publishing, closing -----------------------------------------------------


def test_staff_make_a_draft_and_only_a_manager_publishes_it(agency_a, staff_a, manager_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    survey = hosting.create_survey(
        survey=f.SurveyFactory.build(widget=widget, status=SurveyStatus.DRAFT), by=staff_a
    )
    with pytest.raises(PermissionDenied):
        hosting.transition_survey(survey=survey, action="publish", by=staff_a)
    survey = hosting.transition_survey(survey=survey, action="publish", by=manager_a)
    assert (survey.status, survey.published_by) == (SurveyStatus.PUBLISHED, manager_a)
    survey = hosting.transition_survey(survey=survey, action="pause", by=staff_a)
    assert survey.status == SurveyStatus.PAUSED
    survey = hosting.transition_survey(survey=survey, action="close", by=staff_a)
    assert survey.status == SurveyStatus.CLOSED and survey.closed_at is not None
    with pytest.raises(ValidationError):
        hosting.transition_survey(survey=survey, action="resume", by=manager_a)


def test_a_survey_of_a_draft_widget_cannot_be_published(agency_a, manager_a):
    survey = f.SurveyFactory(
        widget=f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT),
        status=SurveyStatus.DRAFT,
    )
    with pytest.raises(ValidationError, match="approved widget"):
        hosting.transition_survey(survey=survey, action="publish", by=manager_a)


def test_one_open_survey_per_widget(survey, staff_a):
    with pytest.raises(ValidationError, match="already has a survey"):
        hosting.create_survey(survey=f.SurveyFactory.build(widget=survey.widget), by=staff_a)


@pytest.mark.parametrize(
    ("number", "expires", "field", "message"),
    [
        ("1234-5678", "", "control_expires", "Enter the date the control number expires."),
        ("", "2030-01-31", "control_number", "Enter the control number that expires then."),
        ("12 34", "2030-01-31", "control_number", "Letters, digits and hyphens only"),
        ("1234-5678", "2020-01-31", "control_expires", "This date has passed"),
    ],
)
def test_the_control_number_and_its_expiry_are_validated_together(
    survey, number, expires, field, message
):
    form = SurveyForm(
        {"title": "T", "control_number": number, "control_expires": expires},
        widget=survey.widget,
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_the_control_number_is_shown_on_the_form(client, survey):
    survey.control_number = "1234-5678"
    survey.control_expires = dt.date(2030, 1, 31)
    survey.save()
    text = client.get(reverse("answer:survey", args=[survey.code])).content.decode()
    assert "Information collection control number 1234-5678, expires 2030-01-31." in text


# --- comments stay inside the agency ------------------------------------------------------


def test_comments_are_for_the_agencys_staff_and_redaction_keeps_no_words(
    client, survey, staff_a, staff_b
):
    answer(client, survey, {"satisfaction": 2, "comment": "Call me at 555-0100, Jane Roe"})
    url = reverse("widgets:hosted-survey-comments", args=[survey.pk])
    client.force_login(staff_b)
    assert client.get(url).status_code == 403
    client.force_login(staff_a)
    page = client.get(url).content.decode()
    assert "Jane Roe" in page
    assert "Never ask a customer for personal information" in page
    response = SurveyResponse.objects.get()
    client.post(
        reverse("widgets:hosted-survey-redact", args=[response.pk]), {"reason": "a phone number"}
    )
    response.refresh_from_db()
    assert response.comment == ""
    assert (response.comment_redacted_by, response.redaction_reason) == (staff_a, "a phone number")
    page = client.get(url).content.decode()
    assert "Jane Roe" not in page
    assert "Redacted by" in page and "a phone number" in page
    # The numbers do not move.
    assert collected(survey.widget).answers("satisfaction") == [0, 1, 0, 0, 0]


def test_the_qr_code_is_an_svg_of_the_short_link(client, survey, staff_b):
    client.force_login(staff_b)  # any member may print another agency's published survey
    response = client.get(reverse("widgets:hosted-survey-qr", args=[survey.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert b"<title>" in response.content


def test_the_admin_cannot_type_over_a_collected_result_or_mix_a_quarter(client, survey, admin_user):
    answer(client, survey, {"satisfaction": 5})
    result = collected(survey.widget)
    client.force_login(admin_user)
    change = reverse("admin:widgets_surveyresult_change", args=[result.pk])
    client.post(
        change, {"widget": survey.widget.pk, "period_start": result.period_start, "respondents": 99}
    )
    result.refresh_from_db()
    assert result.respondents == 1
    response = client.post(
        reverse("admin:widgets_surveyresult_add"),
        {
            "widget": survey.widget.pk,
            "period_start": rollup.quarter_of(result.period_start)[0],
            "respondents": 5,
        },
    )
    assert response.status_code == 200
    assert "collected by the widget" in response.content.decode()
    assert not SurveyResult.objects.filter(source=ResultSource.ENTERED).exists()
