"""Every database constraint rejects what it guards against, on the real database.

The table below names each constraint and a way to break it. A constraint added
to a model without a row here fails `test_every_constraint_is_tested`.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from agencies.models import Membership
from outcomes.models import Board, Tier
from widgets import measures
from widgets.models import CountRollup, InvitationBatch, SurveyResponse

from . import factories as f

pytestmark = pytest.mark.django_db

ALL_CONSTRAINTS = [
    constraint
    for app in ("agencies", "customers", "widgets", "outcomes")
    for model in apps.get_app_config(app).get_models()
    for constraint in model._meta.constraints
]
UNIQUE_CONSTRAINTS = {c.name for c in ALL_CONSTRAINTS if isinstance(c, UniqueConstraint)}


def _count(**kwargs):
    return lambda: f.WidgetCountFactory(**kwargs)


def _negative(spec):
    # Its shares unknown, so that only this constraint can refuse the row.
    shares = {f.name: None for f in measures.COUNT_FIELDS if f.share_of == spec.name}
    return _count(**{spec.name: Decimal("-0.01") if spec.is_money else -1, **shares})


def _above_whole(spec):
    # The other shares of the same whole at most the whole, so only this one is above.
    others = {
        f.name: 5 for f in measures.COUNT_FIELDS if f.share_of == spec.share_of and f is not spec
    }
    return _count(**{spec.share_of: 5, **others, spec.name: 6})


def _survey(**kwargs):
    return lambda: f.SurveyResultFactory(**kwargs)


def _second_open_survey():
    survey = f.SurveyFactory()
    f.SurveyFactory(widget=survey.widget, status="draft")


def _response(**kwargs):
    def make():
        survey = f.SurveyFactory()
        SurveyResponse.objects.create(
            survey=survey, period_start=dt.date(2026, 1, 1), language="en", **kwargs
        )

    return make


def _empty_batch():
    InvitationBatch.objects.create(
        survey=f.SurveyFactory(), period_start=dt.date(2026, 1, 1), channel="online", size=0
    )


def _duplicate_program():
    program = f.ProgramFactory()
    f.ProgramFactory(agency=program.agency, name=program.name)


def _duplicate_membership():
    membership = f.MembershipFactory()
    f.MembershipFactory(user=membership.user, agency=membership.agency, role="manager")


def _duplicate_segment():
    segment = f.CustomerSegmentFactory()
    f.CustomerSegmentFactory(agency=segment.agency, name=segment.name)


def _duplicate_widget():
    widget = f.WidgetFactory()
    f.WidgetFactory(agency=widget.agency, program=widget.program, name=widget.name)


def _duplicate_external_id():
    widget = f.WidgetFactory(external_id="S-1")
    f.WidgetFactory(agency=widget.agency, program=widget.program, external_id="S-1")


def _duplicate_count():
    count = f.WidgetCountFactory()
    f.WidgetCountFactory(widget=count.widget, period_start=count.period_start)


def _published_row(widget=None, **kwargs):
    def make():
        values = {"file": "services", "fiscal_year": 2024, "row_number": 2, **kwargs}
        return apps.get_model("widgets", "PublishedRow").objects.create(
            widget=widget or f.WidgetFactory(), **values
        )

    return make


def _duplicate_published_row():
    row = _published_row()()
    _published_row(widget=row.widget)()


def _finding(**kwargs):
    values = {"grade": "error", "file": "services", "column": "x", "message": "m", **kwargs}
    return lambda: apps.get_model("widgets", "InventoryFinding").objects.create(
        widget=f.WidgetFactory(), **values
    )


def _job(**kwargs):
    return lambda: apps.get_model("agencies", "UploadJob").objects.create(
        started_by=f.UserFactory(), path="/widgets/surveys/import/", **kwargs
    )


def _periodic(**kwargs):
    values = {"name": "reminders", "task_path": "x.y", "next_run_at": dt.datetime.now(dt.UTC)}
    values.update(kwargs)
    return lambda: apps.get_model("agencies", "PeriodicTask").objects.create(**values)


def _duplicate_overall_survey():
    result = f.SurveyResultFactory()
    f.SurveyResultFactory(widget=result.widget, period_start=result.period_start)


def _duplicate_segment_survey():
    segment = f.CustomerSegmentFactory()
    result = f.SurveyResultFactory(segment=segment, widget__agency=segment.agency)
    f.SurveyResultFactory(widget=result.widget, period_start=result.period_start, segment=segment)


def _too_many_answers(question):
    return _survey(respondents=10, **{f"{question}_{p}": 3 for p in range(1, 6)})


def _duplicate_outcome():
    outcome = f.OutcomeFactory()
    f.OutcomeFactory(agency=outcome.agency, name=outcome.name)


def _duplicate_measurement():
    m = f.MeasurementFactory()
    f.MeasurementFactory(outcome=m.outcome, date=m.date)


def _duplicate_step_change():
    step = f.StepChangeFactory()
    f.StepChangeFactory(outcome=step.outcome, starts_on=step.starts_on)


def _duplicate_contribution():
    c = f.ContributionFactory()
    f.ContributionFactory(outcome=c.outcome, widget=c.widget)


def _countermeasure_with_two_subjects():
    outcome = f.OutcomeFactory()
    f.CountermeasureFactory(outcome=outcome, widget=f.WidgetFactory(agency=outcome.agency))


def _countermeasure_without_subject():
    f.CountermeasureFactory(outcome=None, agency=f.AgencyFactory())


def _duplicate_review():
    review = f.ReviewFactory()
    f.ReviewFactory(agency=review.agency, month=review.month)


BREAKERS = {
    "agencies_program_unique_name_per_agency": _duplicate_program,
    "agencies_membership_one_per_user_and_agency": _duplicate_membership,
    "agencies_membership_role_valid": lambda: f.MembershipFactory(role="owner"),
    "agencies_accessrule_role_valid": lambda: apps.get_model(
        "agencies", "AccessRule"
    ).objects.create(
        kind="email_domain", email_domain="x.gov", role="owner", agency=f.AgencyFactory()
    ),
    # a domain rule may not grant admin (only claim rules may); an unknown kind fails it too
    "agencies_accessrule_fields_match_kind": lambda: apps.get_model(
        "agencies", "AccessRule"
    ).objects.create(
        kind="email_domain", email_domain="x.gov", grants_admin=True, agency=f.AgencyFactory()
    ),
    "agencies_accessrule_unique_rule": lambda: [
        apps.get_model("agencies", "AccessRule").objects.create(
            kind="claim", claim_name="groups", claim_value="a", agency=agency
        )
        for agency in [f.AgencyFactory()] * 2
    ],
    "agencies_uploadjob_status_valid": _job(status="lost"),
    "agencies_periodictask_one_timing": _periodic(at=dt.time(7), every=dt.timedelta(days=1)),
    "customers_customersegment_unique_name_per_agency": _duplicate_segment,
    "customers_customersegment_kind_valid": lambda: f.CustomerSegmentFactory(kind="alien"),
    "widgets_widget_unique_name_per_agency": _duplicate_widget,
    "widgets_widget_kind_valid": lambda: f.WidgetFactory(kind="activity"),
    "widgets_widget_status_valid": lambda: f.WidgetFactory(status="published"),
    "widgets_widget_frequency_valid": lambda: f.WidgetFactory(reporting_frequency="hourly"),
    "widgets_widget_standard_share_0_100": lambda: f.WidgetFactory(standard_share=Decimal("101")),
    "widgets_widget_fee_gte_0": lambda: f.WidgetFactory(fee=Decimal("-1")),
    "widgets_widget_unique_external_id_per_agency": _duplicate_external_id,
    "widgets_widgetcount_one_per_period": _duplicate_count,
    "widgets_widgetcount_source_valid": _count(source="fax"),
    # Every count field's (widgets.measures): never negative; a share never above its whole.
    **{f"widgets_widgetcount_{spec.name}_gte_0": _negative(spec) for spec in measures.COUNT_FIELDS},
    **{
        f"widgets_widgetcount_{spec.name}_lte_{spec.share_of}": _above_whole(spec)
        for spec in measures.COUNT_FIELDS
        if spec.share_of
    },
    "widgets_publishedrow_one_per_year": _duplicate_published_row,
    "widgets_publishedrow_file_valid": _published_row(file="fax"),
    "widgets_inventoryfinding_grade_valid": _finding(grade="fatal"),
    "widgets_inventoryfinding_file_valid": _finding(file="fax"),
    "widgets_surveyresult_one_overall_per_period": _duplicate_overall_survey,
    "widgets_surveyresult_one_per_segment_and_period": _duplicate_segment_survey,
    "widgets_surveyresult_offered_lte_served": _survey(customers_served=10, offered=11),
    "widgets_surveyresult_respondents_lte_offered": _survey(offered=10, respondents=11),
    **{
        f"widgets_surveyresult_{q}_within_respondents": _too_many_answers(q)
        for q in (
            "satisfaction",
            "trust",
            "ease",
            "efficiency",
            "effectiveness",
            "transparency",
            "helpfulness",
        )
    },
    "widgets_surveyresult_source_known": _survey(source="guessed"),
    "widgets_survey_one_open_per_widget": _second_open_survey,
    "widgets_survey_control_number_with_expiry": lambda: f.SurveyFactory(
        control_number="1234-5678", control_expires=None
    ),
    "widgets_survey_status_known": lambda: f.SurveyFactory(status="deleted"),
    "widgets_invitationbatch_size_positive": _empty_batch,
    **{
        f"widgets_surveyresponse_{q}_on_scale": _response(**{q: 6})
        for q in (
            "satisfaction",
            "trust",
            "ease",
            "efficiency",
            "effectiveness",
            "transparency",
            "helpfulness",
        )
    },
    "widgets_surveyresponse_redacted_comment_empty": _response(
        comment="Jane Roe", comment_redacted_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    ),
    "outcomes_outcome_unique_name_per_agency": _duplicate_outcome,
    "outcomes_outcome_target_after_baseline": lambda: f.OutcomeFactory(
        baseline_date=dt.date(2026, 1, 1), target_date=dt.date(2026, 1, 1)
    ),
    "outcomes_outcome_direction_valid": lambda: f.OutcomeFactory(direction="left"),
    "outcomes_outcome_frequency_valid": lambda: f.OutcomeFactory(frequency="hourly"),
    "outcomes_measurement_one_per_date": _duplicate_measurement,
    "outcomes_stepchange_one_per_date": _duplicate_step_change,
    "outcomes_stepchange_reason_given": lambda: f.StepChangeFactory(reason=""),
    "outcomes_contribution_one_per_pair": _duplicate_contribution,
    "outcomes_countermeasure_one_subject": _countermeasure_with_two_subjects,
    "outcomes_countermeasure_state_valid": lambda: f.CountermeasureFactory(state="forgotten"),
    "outcomes_review_one_per_month": _duplicate_review,
    "outcomes_review_status_valid": lambda: f.ReviewFactory(
        status="pending", closed_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    ),
    "outcomes_review_closed_has_time": lambda: f.ReviewFactory(status="closed", closed_at=None),
    # A kept pack says when it was made.
    "outcomes_review_pack_has_time": lambda: f.ReviewFactory(
        pack="review-packs/a/2026-10-review-pack.pdf", pack_made_at=None
    ),
}


def _duplicate_team():
    team = f.TeamFactory()
    f.TeamFactory(program=team.program, name=team.name)


def _board(**kwargs):
    return lambda: Board.objects.create(**kwargs)


def _second_board(tier):
    """A second board of a program or an agency (each got its first when made)."""

    def make():
        program = f.ProgramFactory()
        unit = {"program": program} if tier == Tier.PROGRAM else {}
        Board.objects.create(tier=tier, agency=program.agency, **unit)

    return make


def _second_state_board():
    Board.objects.state()
    Board.objects.create(tier=Tier.STATE)


def _problem(**kwargs):
    return lambda: f.ProblemFactory(**kwargs)


def _problem_of_two_measures():
    outcome = f.OutcomeFactory()
    f.ProblemFactory(widget=f.WidgetFactory(agency=outcome.agency), outcome=outcome)


def _rollup(**kwargs):
    """A roll-up beside the one the triggers made of a count (widgets.rollups)."""

    def make():
        count = f.WidgetCountFactory(period_start=dt.date(2026, 1, 1))
        row = {"grain": "month", "period_start": count.period_start, "rows": 1, **kwargs}
        CountRollup.objects.create(widget=count.widget, last_period=count.period_start, **row)

    return make


SOLVED = {"status": "solved", "solved_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC)}

BREAKERS.update(
    {
        "agencies_team_unique_name_per_program": _duplicate_team,
        "outcomes_board_tier_names_its_unit": lambda: _board(
            tier=Tier.STATE, agency=f.AgencyFactory()
        )(),
        "outcomes_board_one_per_program": _second_board(Tier.PROGRAM),
        "outcomes_board_one_per_agency": _second_board(Tier.AGENCY),
        "outcomes_board_one_state": _second_state_board,
        "outcomes_problem_status_valid": _problem(status="lost"),
        "widgets_countrollup_one_per_period": _rollup(),
        "widgets_countrollup_grain_valid": _rollup(grain="week"),
        "outcomes_problem_depth_valid": _problem(depth="deep"),
        "outcomes_problem_one_measure": _problem_of_two_measures,
        # Solved says how at its depth: an A3 closes only with the measure after.
        "outcomes_problem_solved_says_how": _problem(
            **SOLVED, depth="a3", follow_up="Checked in March.", measure_after=None
        ),
        "outcomes_problem_solved_has_time": _problem(
            status="solved", depth="four_box", result="Down to 5 days.", solved_at=None
        ),
        # Sent back down says why (and only a problem that came up goes back).
        "outcomes_problem_sent_back_says_why": _problem(status="sent_back", sent_back_note=""),
    }
)


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_constraint_rejects_violation(name):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        BREAKERS[name]()
    # The named constraint fired, not some other rule. PostgreSQL names every
    # constraint; SQLite names check constraints but only columns for unique ones.
    message = str(excinfo.value)
    if connection.vendor == "sqlite" and "UNIQUE constraint failed" in message:
        assert name in UNIQUE_CONSTRAINTS
    else:
        assert name in message


def test_countermeasure_without_subject_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        _countermeasure_without_subject()


def test_unknown_counts_are_allowed_and_stay_unknown():
    count = f.WidgetCountFactory(
        demand=None, delivered=None, within_standard=None, rework=None, backlog=None
    )
    count.refresh_from_db()
    assert count.demand is None
    assert count.delivered is None


def test_valid_rows_pass_every_constraint():
    f.WidgetCountFactory(delivered=0, within_standard=0, rework=0)
    f.SurveyResultFactory(respondents=15, **{f"satisfaction_{p}": 3 for p in range(1, 6)})
    f.CountermeasureFactory()
    assert Membership.objects.count() == 0


def test_widgets_without_external_id_may_share_the_blank():
    widget = f.WidgetFactory()
    f.WidgetFactory(agency=widget.agency, program=widget.program)
    assert widget.external_id == ""


def test_every_constraint_is_tested():
    names = {constraint.name for constraint in ALL_CONSTRAINTS}
    assert names - set(BREAKERS) == set()
    assert set(BREAKERS) - names == set()
