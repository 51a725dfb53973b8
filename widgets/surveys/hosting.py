"""Writes of hosted surveys: make and edit one, publish, pause, close, invite, redact.

Who may: staff of the widget's agency make, edit and pause or close a survey,
make invitations and redact comments; a manager publishes it (and resumes a
paused one), as a manager approves a definition (docs/surveys.md). The views
declare the same (tests/access_policy.py); these services check again.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.errors import EditConflict
from agencies.scoping import MANAGER, STAFF, can_change

from ..models import (
    LIVE_STATUSES,
    InvitationBatch,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyStatus,
)
from . import rollup

MAX_INVITATIONS = 5000

# action: (statuses it applies to, status it leads to, role it needs, past tense)
TRANSITIONS = {
    "publish": ((SurveyStatus.DRAFT,), SurveyStatus.PUBLISHED, MANAGER, "published"),
    "resume": ((SurveyStatus.PAUSED,), SurveyStatus.PUBLISHED, MANAGER, "open again"),
    "pause": ((SurveyStatus.PUBLISHED,), SurveyStatus.PAUSED, STAFF, "paused"),
    "close": (
        (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED, SurveyStatus.PAUSED),
        SurveyStatus.CLOSED,
        STAFF,
        "closed",
    ),
}


def _require(by, survey, role, what):
    if not can_change(by, survey.widget.agency_id, role):
        who = "managers" if role == MANAGER else "staff"
        raise PermissionDenied(f"Only {who} of {survey.widget.agency} can {what}.")


def _save(survey, *, reason):
    survey.version += 1
    survey._change_reason = reason
    survey.full_clean()
    survey.save()


@transaction.atomic
def create_survey(*, survey, by):
    """Save a new survey (a draft) of `survey.widget`."""
    _require(by, survey, STAFF, "make surveys of its widgets")
    if survey.widget.surveys.exclude(status=SurveyStatus.CLOSED).exists():
        raise ValidationError("This widget already has a survey; close it before making another.")
    survey.created_by = by
    survey._change_reason = "Made"
    survey.full_clean()
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as exc:  # made by someone else meanwhile
        raise ValidationError(
            "This widget already has a survey; close it before making another."
        ) from exc
    return survey


@transaction.atomic
def save_survey(*, survey, by, saw_version):
    """Save an edit made from the form opened at `saw_version`; EditConflict if stale."""
    _require(by, survey, STAFF, "change its surveys")
    current = Survey.objects.select_for_update().get(pk=survey.pk)
    if current.version != saw_version:
        raise EditConflict(current)
    if current.status == SurveyStatus.CLOSED:
        raise ValidationError("A closed survey cannot be changed.")
    survey.status = current.status  # the form does not move it through the workflow
    _save(survey, reason="Edited")
    return survey


@transaction.atomic
def transition_survey(*, survey, action, by):
    sources, target, role, done = TRANSITIONS[action]
    survey = Survey.objects.select_for_update().select_related("widget__agency").get(pk=survey.pk)
    _require(by, survey, role, f"{action} its surveys")
    if survey.status not in sources:
        raise ValidationError(
            f"A survey that is {survey.get_status_display().lower()} cannot be {done}."
        )
    if target == SurveyStatus.PUBLISHED:
        if survey.widget.status not in LIVE_STATUSES:
            raise ValidationError(
                "Only a survey of an approved widget can take answers; this widget is "
                f"{survey.widget.get_status_display().lower()}."
            )
        if survey.control_expired(timezone.localdate()):
            raise ValidationError(
                "The information collection control number has expired; enter the "
                "renewed number and its expiry date first."
            )
    if action == "publish":
        survey.published_by, survey.published_at = by, timezone.now()
    if target == SurveyStatus.CLOSED:
        survey.closed_at = timezone.now()
    survey.status = target
    _save(survey, reason=action.capitalize())
    return survey


@transaction.atomic
def make_invitations(*, survey, period_start, channel, segment, size, by):
    """A batch of `size` invitation links for widgets delivered in one period and channel.

    Each invitation counts as offered the survey, so the period's collected result
    is rolled up again at once.
    """
    _require(by, survey, STAFF, "invite customers to its surveys")
    widget = rollup.lock_widget(survey.widget)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError("A closed survey takes no more invitations.")
    if not 1 <= size <= MAX_INVITATIONS:
        raise ValidationError(f"Make between 1 and {MAX_INVITATIONS:,} invitations at a time.")
    if segment is not None and segment.agency_id != survey.widget.agency_id:
        raise ValidationError("That customer segment is another agency's.")
    period = rollup.survey_period(survey.widget, period_start)
    batch = InvitationBatch(
        survey=survey,
        period_start=period,
        channel=channel,
        segment=segment,
        size=size,
        created_by=by,
    )
    batch.full_clean()
    batch.save()
    SurveyInvitation.objects.bulk_create(SurveyInvitation(batch=batch) for _ in range(size))
    rollup.roll_up(widget=widget, period=period)
    return batch


@transaction.atomic
def redact_comment(*, response, by, reason):
    """Empty a comment (personal data, abuse); who, when and why are kept, the words are not."""
    response = (
        SurveyResponse.objects.select_for_update()
        .select_related("survey__widget__agency")
        .get(pk=response.pk)
    )
    _require(by, response.survey, STAFF, "redact its survey comments")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the comment is redacted (e.g. “names a person”).")
    if response.comment_redacted_at is not None:
        raise ValidationError("This comment was redacted already.")
    response.comment = ""
    response.comment_redacted_at = timezone.now()
    response.comment_redacted_by = by
    response.redaction_reason = reason  # full_clean refuses one longer than the field
    response.full_clean()
    response.save()
    return response
