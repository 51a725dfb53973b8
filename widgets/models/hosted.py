"""Surveys hosted here: customers answer for themselves (docs/surveys.md).

A **Survey** belongs to one widget: the standard OMB A-11 section 280 form
(overall satisfaction and the six drivers on the five-point agreement scale),
with the agency's own title and introduction in English and Spanish, optional
comment, channel and customer segment questions, and an optional information
collection control number with its expiry date. Staff make it, a manager
publishes it, and it is paused or closed at any time.

It is answered at its short link (`/s/<code>/`, also as a QR code), or through an
**invitation**: a link made for one delivered widget, answerable once, so that
"offered the survey" is counted. Invitations are made in **batches** (one period,
one channel, optionally one segment).

Each **SurveyResponse** is one respondent's answers. Its period is the
invitation's (the period the widget was delivered in) or, through the open link,
the period it was answered in. Responses roll up into the widget's
SurveyResult rows marked `collected` (widgets.surveys.rollup). No address, no
name, nothing that says who answered is stored.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agencies.models import TimeStampedModel
from agencies.scoping import ScopedQuerySet
from customers.models import CustomerSegment

from .definitions import Channel, OfWidgetQuerySet, Widget, _readable
from .surveys import SCALE, Question

# A short code people can type from a printed receipt: no 0/o, 1/l/i.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
COMMENT_MAX_LENGTH = 1000
TEXT_MAX_LENGTH = 1000


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_invitation_token():
    # 128 bits: an invitation cannot be guessed, only handed out.
    return secrets.token_urlsafe(16)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Open for answers"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class Survey(TimeStampedModel):
    widget = models.ForeignKey(Widget, on_delete=models.PROTECT, related_name="surveys")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    status = models.CharField(
        max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    title = models.CharField(
        "title (English)",
        max_length=200,
        help_text="What the customer sees first, e.g. “How was getting your air permit?”",
    )
    title_es = models.CharField(
        "title (Spanish)",
        max_length=200,
        blank=True,
        help_text="Leave empty to show the English title to Spanish readers.",
    )
    intro = models.TextField(
        "introduction (English)",
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text="One or two sentences: why you ask, how the answers are used.",
    )
    intro_es = models.TextField("introduction (Spanish)", max_length=TEXT_MAX_LENGTH, blank=True)
    ask_comment = models.BooleanField(
        "ask for a comment", default=True, help_text="A free-text box at the end, optional."
    )
    ask_channel = models.BooleanField(
        "ask how they were served",
        default=False,
        help_text="Online, in person, mail or phone. Invitations already say their channel.",
    )
    ask_segment = models.BooleanField(
        "ask which kind of customer they are",
        default=False,
        help_text="Lists the widget's customer segments. Invitations may already say it.",
    )
    control_number = models.CharField(
        "information collection control number",
        max_length=20,
        blank=True,
        help_text="If your state or OMB requires one, e.g. 1234-5678. Shown on the form.",
    )
    control_expires = models.DateField(
        "control number expires",
        null=True,
        blank=True,
        help_text="Required with a control number. The survey stops taking answers after it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Raised by every save; a form opened at an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = OfWidgetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["widget", "-created_at"]
        constraints = [
            # One survey of a widget at a time; a closed one may be followed by a new one.
            models.UniqueConstraint(
                fields=["widget"],
                condition=~Q(status="closed"),
                name="widgets_survey_one_open_per_widget",
            ),
            models.CheckConstraint(
                condition=Q(control_number="", control_expires__isnull=True)
                | (~Q(control_number="") & Q(control_expires__isnull=False)),
                name="widgets_survey_control_number_with_expiry",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values),
                name="widgets_survey_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.widget} — survey {self.code}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("widgets:hosted-survey", args=[self.pk])

    def text(self, name, language):
        """(text, language it is in): the Spanish text when asked and given, else English."""
        if language == Language.SPANISH:
            translated = getattr(self, f"{name}_es")
            if translated:
                return translated, Language.SPANISH
        return getattr(self, name), Language.ENGLISH

    def control_expired(self, today):
        return self.control_expires is not None and self.control_expires < today

    def takes_answers(self, today):
        return self.status == SurveyStatus.PUBLISHED and not self.control_expired(today)


class OfSurveyQuerySet(ScopedQuerySet):
    """Records of one survey: readable with its widget (another agency's draft stays private)."""

    agency_path = "survey__widget__agency"

    def for_user(self, user):
        return _readable(self, user, widget="survey__widget__")


class InvitationBatch(TimeStampedModel):
    """Invitations made at once for widgets delivered in one period, through one channel."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="batches")
    period_start = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    segment = models.ForeignKey(
        CustomerSegment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    size = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = OfSurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1), name="widgets_invitationbatch_size_positive"
            ),
        ]

    def __str__(self):
        return f"{self.size} invitations, {self.period_start:%Y-%m}, {self.get_channel_display()}"


class InvitationQuerySet(ScopedQuerySet):
    agency_path = "batch__survey__widget__agency"

    def for_user(self, user):
        return _readable(self, user, widget="batch__survey__widget__")


class SurveyInvitation(TimeStampedModel):
    """One link for one delivered widget; answerable once (its response is unique)."""

    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=32, unique=True, default=new_invitation_token)

    objects = InvitationQuerySet.as_manager()

    def __str__(self):
        return f"invitation {self.pk} of {self.batch.survey}"


def _on_scale(question):
    return models.CheckConstraint(
        condition=Q(**{f"{question}__isnull": True})
        | Q(**{f"{question}__gte": SCALE[0], f"{question}__lte": SCALE[-1]}),
        name=f"widgets_surveyresponse_{question}_on_scale",
    )


class SurveyResponse(TimeStampedModel):
    """One respondent's answers. A question left unanswered is None (unknown), never 0."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
    )
    period_start = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    segment = models.ForeignKey(
        CustomerSegment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=5, choices=Language.choices)
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    # A redacted comment is emptied; who, when and why stay (docs/surveys.md).
    comment_redacted_at = models.DateTimeField(null=True, blank=True)
    comment_redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    redaction_reason = models.CharField(max_length=200, blank=True)

    objects = OfSurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            *[_on_scale(q) for q in Question.values],
            models.CheckConstraint(
                condition=Q(comment_redacted_at__isnull=True) | Q(comment=""),
                name="widgets_surveyresponse_redacted_comment_empty",
            ),
        ]
        indexes = [models.Index(fields=["survey", "period_start"])]

    def __str__(self):
        return f"response {self.pk} to {self.survey}"

    @property
    def by_invitation(self):
        return self.invitation_id is not None


for _question in Question:
    SurveyResponse.add_to_class(
        _question.value,
        models.PositiveSmallIntegerField(_question.label, null=True, blank=True),
    )
