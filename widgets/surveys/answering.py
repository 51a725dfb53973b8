"""A customer answers a hosted survey: the form and the one write of an answer.

The form is the standard one of OMB Circular A-11 section 280: overall
satisfaction and the six drivers, each a statement on the five-point agreement
scale, every one optional (a question left unanswered is unknown, not 0), and
the survey's optional comment, channel and customer-segment questions. Its
words go through Django's translation machinery (locale/es); the agency's own
title and introduction are the survey's (`Survey.text`).

`record_answer` saves one answer and rolls the period's results up again, in one
transaction, with the widget's row locked (widgets.surveys.rollup): the answer
and the figures it changes are saved together or not at all. An invitation is
answered once: its row is locked, and the database holds one response per
invitation (a unique key), so a second answer, or two at once, is refused.
"""

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import (
    SCALE,
    Channel,
    Question,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyStatus,
)
from ..models.hosted import COMMENT_MAX_LENGTH
from . import rollup

# The A-11 statements; %(service)s is the widget's name, %(agency)s the agency's.
STATEMENTS = {
    Question.SATISFACTION: _("I am satisfied with the service I received: %(service)s."),
    Question.TRUST: _("This interaction increased my confidence in %(agency)s."),
    Question.EASE: _("It was easy to complete what I needed to do."),
    Question.EFFICIENCY: _("It took a reasonable amount of time to do what I needed to do."),
    Question.EFFECTIVENESS: _("My need was addressed."),
    Question.TRANSPARENCY: _("I understood what was being asked of me throughout the process."),
    Question.HELPFULNESS: _("Employees I interacted with were helpful."),
}
POINTS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}
CHANNELS = {
    Channel.ONLINE: pgettext_lazy("channel", "Online"),
    Channel.IN_PERSON: pgettext_lazy("channel", "In person"),
    Channel.MAIL: pgettext_lazy("channel", "By mail"),
    Channel.PHONE: pgettext_lazy("channel", "By phone"),
}
# A field no person sees or fills (hidden by CSS, out of the tab order and of the
# accessibility tree); a form that arrives with it filled was filled by a program.
HONEYPOT = "fax_number"


class AnswerForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything else you want to tell us? (optional)"),
        help_text=_(
            "Please do not include your name, address, phone number, case number or any "
            "other personal information."
        ),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    channel = forms.ChoiceField(
        label=_("How were you served? (optional)"), required=False, widget=forms.RadioSelect
    )
    segment = forms.TypedChoiceField(
        label=_("Which describes you best? (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    fax_number = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, survey, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey, self.invitation = survey, invitation
        widget = survey.widget
        names = {"service": widget.name, "agency": widget.agency.name}
        self.question_names = []
        for question in Question:
            field = forms.TypedChoiceField(
                label=STATEMENTS[question] % names,
                choices=[(p, POINTS[p]) for p in SCALE],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the five answers.")},
            )
            self.fields[question.value] = field
            self.question_names.append(question.value)
        # An invitation already says how the customer was served and who they are.
        batch = invitation.batch if invitation else None
        if not survey.ask_channel or batch is not None:
            del self.fields["channel"]
        else:
            self.fields["channel"].choices = list(CHANNELS.items())
        segments = list(widget.customer_segments.order_by("name"))
        if not survey.ask_segment or not segments or (batch and batch.segment_id):
            del self.fields["segment"]
        else:
            self.fields["segment"].choices = [(s.pk, s.name) for s in segments]
        if not survey.ask_comment:
            del self.fields["comment"]
        self.fields[HONEYPOT].widget.attrs.update(autocomplete="off", tabindex="-1")
        self.order_fields([*self.question_names, "channel", "segment", "comment", HONEYPOT])

    def questions(self):
        return [self[name] for name in self.question_names]

    def extra_fields(self):
        return [self[n] for n in ("channel", "segment", "comment") if n in self.fields]

    @property
    def is_bot(self):
        return bool(self.data.get(HONEYPOT))

    def clean(self):
        cleaned = super().clean()
        answered = [n for n in self.question_names if cleaned.get(n) is not None]
        if not answered and not cleaned.get("comment") and not self.errors:
            raise forms.ValidationError(
                _("Answer at least one question before you send the survey."),
                code="empty",
            )
        return cleaned


class AnswerRefused(Exception):
    """The answer cannot be taken; `reason` names why ("closed", "paused", "answered")."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def refusal(survey, invitation=None, *, today=None):
    """Why `survey` takes no answer now ("draft", "closed", "paused", "answered"), or None."""
    today = today or timezone.localdate()
    if survey.status == SurveyStatus.DRAFT:
        return "draft"
    if survey.status == SurveyStatus.CLOSED or survey.control_expired(today):
        return "closed"
    if survey.status == SurveyStatus.PAUSED:
        return "paused"
    if invitation is not None and SurveyResponse.objects.filter(invitation=invitation).exists():
        return "answered"
    return None


@transaction.atomic
def record_answer(*, survey, invitation, cleaned, language):
    """Save one answer and roll up its period; AnswerRefused when it cannot be taken."""
    widget = rollup.lock_widget(survey.widget)
    survey = Survey.objects.select_for_update().select_related("widget").get(pk=survey.pk)
    if invitation is not None:
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .select_related("batch")
            .get(pk=invitation.pk)
        )
    why = refusal(survey, invitation)
    if why:
        raise AnswerRefused(why)
    if invitation is not None:
        batch = invitation.batch
        period, channel, segment_id = batch.period_start, batch.channel, batch.segment_id
        segment_id = segment_id or cleaned.get("segment")
    else:
        period = rollup.survey_period(survey.widget, timezone.localdate())
        channel, segment_id = cleaned.get("channel") or "", cleaned.get("segment")
    response = SurveyResponse(
        survey=survey,
        invitation=invitation,
        period_start=period,
        channel=channel,
        segment_id=segment_id,
        language=language,
        comment=(cleaned.get("comment") or "").strip(),
        **{q: cleaned.get(q) for q in Question.values},
    )
    response.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # the invitation was answered in a race
        raise AnswerRefused("answered") from exc
    rollup.roll_up(widget=widget, period=period)
    return response
