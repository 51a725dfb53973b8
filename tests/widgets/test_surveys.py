"""Survey results: derived figures, CSAT and low sample, the entry form and its rules."""

import datetime as dt

import pytest
from django.urls import reverse

from customers import satisfaction
from widgets.models import SCALE, Question, SurveyResult, WidgetStatus, answer_field
from widgets.surveys.forms import SurveyResultForm
from widgets.surveys.results import question_figures, survey_summary_for_widget

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_customers_satisfaction_mirrors_the_survey_model():
    assert satisfaction.SCALE == SCALE
    assert satisfaction.SATISFACTION == Question.SATISFACTION
    assert satisfaction.answer_fields("trust") == [answer_field("trust", p) for p in SCALE]


def test_share_agreeing_mean_and_response_rate():
    answers = [10, 10, 20, 30, 30]
    assert satisfaction.share_agreeing(answers) == 0.6
    assert satisfaction.mean_score(answers) == pytest.approx(3.6)
    assert satisfaction.response_rate(100, 400) == 0.25
    assert satisfaction.response_rate(100, None) is None
    assert satisfaction.share_agreeing([None] * 5) is None


def test_csat_is_satisfied_over_responses_with_the_count():
    csat = satisfaction.Csat([0, 0, 10, 20, 10])
    assert (csat.satisfied, csat.responses, csat.percent) == (30, 40, 75.0)
    assert str(csat) == "75.0% satisfied (30 of 40)"


def test_fewer_than_the_minimum_responses_is_a_low_sample_not_hidden(settings):
    assert satisfaction.Csat([0, 0, 0, 29, 0]).low_sample
    assert not satisfaction.Csat([0, 0, 0, 30, 0]).low_sample
    settings.SURVEY_MIN_RESPONSES = 10
    csat = satisfaction.Csat([0, 0, 0, 9, 0])
    assert csat.low_sample and str(csat) == "100.0% satisfied (9 of 9), low sample"


def test_no_answers_is_no_responses_not_zero_percent():
    csat = satisfaction.Csat([None] * 5)
    assert csat.percent is None and not csat.low_sample and str(csat) == "No responses"


def test_summary_for_widget_has_every_driver(agency_a):
    widget = f.WidgetFactory(agency=agency_a)
    f.SurveyResultFactory(widget=widget, trust_5=10, trust_1=10, satisfaction_4=40)
    f.SurveyResultFactory(widget=widget, period_start=dt.date(2026, 2, 1))
    newest, older = survey_summary_for_widget(widget)
    assert newest.result.period_start == dt.date(2026, 2, 1)
    assert older.csat.percent == 100.0 and not older.csat.low_sample
    assert older.response_rate_percent == 20.0
    trust = next(d for d in older.drivers if d.question == "trust")
    assert (trust.percent_agreeing, trust.mean, trust.low_sample) == (50.0, 3.0, True)
    assert len(older.drivers) == 6


def test_question_figures_cover_all_seven_questions(agency_a):
    result = f.SurveyResultFactory(widget=f.WidgetFactory(agency=agency_a))
    assert [q.question for q in question_figures(result)] == Question.values


def test_summary_include_renders(agency_a, rf):
    from django.template.loader import render_to_string

    widget = f.WidgetFactory(agency=agency_a)
    f.SurveyResultFactory(widget=widget, satisfaction_5=5)
    html = render_to_string(
        "widgets/surveys/survey_summary.html",
        {"survey_results": survey_summary_for_widget(widget), "widget": widget},
    )
    assert "100.0% satisfied" in html and "Low sample" in html and "<caption>" in html


# The form --------------------------------------------------------------------------


def _data(**overrides):
    data = {
        "period_start": "2026-01-01",
        "segment": "",
        "customers_served": "1000",
        "offered": "500",
        "respondents": "100",
    }
    for q in Question.values:
        for p in SCALE:
            data[answer_field(q, p)] = ""
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def _form(widget, **overrides):
    return SurveyResultForm(_data(**overrides), widget=widget)


@pytest.fixture
def widget(agency_a):
    return f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)


def test_valid_form_saves(widget):
    form = _form(widget, satisfaction_4=50, satisfaction_5=50)
    assert form.is_valid(), form.errors
    assert form.save().widget == widget


def test_answers_for_a_driver_above_respondents_are_refused(widget):
    form = _form(widget, trust_4=60, trust_5=50)
    assert not form.is_valid()
    assert form.errors["trust_1"] == ["Trust: 110 answers in all, more than the 100 respondents."]


def test_satisfied_above_responses_is_refused(widget):
    form = _form(widget, satisfaction_5=101)
    assert not form.is_valid()
    assert "more than the 100 respondents" in form.errors["satisfaction_1"][0]


def test_respondents_above_offered_and_offered_above_served_are_refused(widget):
    form = _form(widget, customers_served=10, offered=20, respondents=30)
    assert not form.is_valid()
    assert form.errors["offered"] == ["Offered (20) cannot be more than customers served (10)."]
    assert form.errors["respondents"] == [
        "Respondents (30) cannot be more than customers offered (20)."
    ]


@pytest.mark.parametrize("field", ["customers_served", "offered", "respondents", "ease_3"])
def test_negative_counts_are_refused_with_a_clear_message(widget, field):
    form = _form(widget, **{field: -1})
    assert not form.is_valid()
    assert form.errors[field] == ["Cannot be negative."]


def test_answers_without_respondents_are_refused(widget):
    form = _form(widget, respondents="", satisfaction_5=10)
    assert not form.is_valid()
    assert "respondents" in form.errors


def test_a_second_result_for_the_same_period_and_segment_is_refused(widget):
    f.SurveyResultFactory(widget=widget)
    form = _form(widget)
    assert not form.is_valid()
    assert "already a survey result" in form.errors["period_start"][0]
    segment = f.CustomerSegmentFactory(agency=widget.agency)
    assert _form(widget, segment=segment.pk).is_valid()


def test_segment_must_belong_to_the_widgets_agency(widget, agency_b):
    other = f.CustomerSegmentFactory(agency=agency_b)
    assert "segment" in _form(widget, segment=other.pk).errors


# The views -------------------------------------------------------------------------


def test_staff_enters_a_survey_result(client, staff_a, widget):
    client.force_login(staff_a)
    url = reverse("widgets:survey-create", args=[widget.pk])
    page = client.get(url).content.decode()
    assert '<legend class="usa-legend text-bold">Employee helpfulness</legend>' in page
    response = client.post(url, _data(satisfaction_4=30, satisfaction_5=20))
    assert response.status_code == 302
    assert response["Location"] == widget.get_absolute_url()
    assert SurveyResult.objects.get().satisfaction_4 == 30


def test_refused_entry_saves_nothing_and_names_the_problem(client, staff_a, widget):
    client.force_login(staff_a)
    response = client.post(
        reverse("widgets:survey-create", args=[widget.pk]), _data(helpfulness_2=500)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please fix 1 problem below" in body
    assert "Employee helpfulness: 500 answers in all, more than the 100 respondents." in body
    assert not SurveyResult.objects.exists()


def test_staff_edits_a_survey_result(client, staff_a, widget):
    result = f.SurveyResultFactory(widget=widget)
    client.force_login(staff_a)
    response = client.post(
        reverse("widgets:survey-edit", args=[result.pk]), _data(respondents=90, trust_3=90)
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.respondents, result.trust_3) == (90, 90)


def test_staff_of_agency_b_cannot_enter_or_edit_agency_a_surveys(client, staff_b, widget):
    result = f.SurveyResultFactory(widget=widget)
    client.force_login(staff_b)
    assert client.get(reverse("widgets:survey-create", args=[widget.pk])).status_code == 403
    response = client.post(reverse("widgets:survey-edit", args=[result.pk]), _data(respondents=1))
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.respondents == 100


def test_surveys_of_another_agencys_draft_are_out_of_scope(client, staff_b, agency_a):
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    result = f.SurveyResultFactory(widget=draft)
    client.force_login(staff_b)
    assert client.get(reverse("widgets:survey-create", args=[draft.pk])).status_code == 404
    assert client.get(reverse("widgets:survey-edit", args=[result.pk])).status_code == 404


def test_database_refusal_is_a_message_not_a_500(client, staff_a, widget, monkeypatch):
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("widgets_surveyresult_offered_lte_served")

    monkeypatch.setattr(SurveyResult, "save", refuse)
    client.force_login(staff_a)
    response = client.post(reverse("widgets:survey-create", args=[widget.pk]), _data())
    assert response.status_code == 200
    assert "The database refused these figures" in response.content.decode()
