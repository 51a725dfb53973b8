"""Widgets (the countable products an agency hands to customers), their counts
per reporting period, and what customers said about them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Program, TimeStampedModel
from agencies.scoping import ScopedQuerySet, agency_roles, is_admin
from customers.models import CustomerSegment

from . import coach
from .periods import Frequency, describe_period, is_period_start


class WidgetKind(models.TextChoices):
    PERMIT = "permit", "Permit"
    LICENSE = "license", "License"
    CERTIFICATE = "certificate", "Certificate"
    REGISTRATION = "registration", "Registration"
    REPORT = "report", "Report"
    INSPECTION = "inspection", "Inspection"
    PAYMENT = "payment", "Payment"
    GRANT = "grant", "Grant"
    DECISION = "decision", "Decision"
    RECORD = "record", "Record"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    MAIL = "mail", "Mail"
    PHONE = "phone", "Phone"


class WidgetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"
    RETIRED = "retired", "Retired"


# Statuses everyone signed in may see; drafts and returned definitions are the
# agency's own work in progress.
PUBLISHED_STATUSES = (WidgetStatus.APPROVED, WidgetStatus.RETIRED)


class WidgetQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def for_user(self, user):
        """Every agency's approved and retired widgets; all of one's own agencies'."""
        if is_admin(user):
            return self.all()
        own = list(agency_roles(user))
        if not own:
            return self.none()
        return self.filter(Q(status__in=PUBLISHED_STATUSES) | Q(agency_id__in=own))

    def approved(self):
        return self.filter(status=WidgetStatus.APPROVED)

    def published(self):
        """What the public page may show: approved widgets of publishing agencies."""
        return self.approved().filter(agency__publishes=True)


class Widget(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="widgets")
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="widgets",
        help_text="The part of the agency that runs the system producing this widget.",
    )
    name = models.CharField(
        max_length=200,
        help_text="A noun you can count and hand to someone, e.g. “Air quality permit”.",
    )
    kind = models.CharField(max_length=20, choices=WidgetKind.choices)
    description = models.TextField(
        blank=True, help_text="What the customer receives and why it matters to them."
    )
    customer_segments = models.ManyToManyField(
        CustomerSegment,
        blank=True,
        related_name="widgets",
        help_text="Who receives this widget.",
    )
    definition_of_done = models.TextField(
        blank=True, help_text="When is one widget delivered? e.g. “The permit is issued.”"
    )
    unit_of_count = models.CharField(
        max_length=100, blank=True, help_text="What one counts, e.g. “permit issued”."
    )
    channels = models.JSONField(
        default=list, blank=True, help_text="How customers ask for and receive it."
    )
    reporting_frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTH
    )
    standard_days = models.PositiveIntegerField(
        "service standard: days",
        null=True,
        blank=True,
        help_text="The promise to customers: delivered within this many days.",
    )
    standard_share = models.DecimalField(
        "service standard: share (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The share of widgets that should meet the standard, 0 to 100.",
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    fee = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    legal_authority = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_widgets",
    )
    status = models.CharField(
        max_length=10, choices=WidgetStatus.choices, default=WidgetStatus.DRAFT
    )
    review_comment = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The definition coach's verdict, kept in step with the definition (see
    # Widget.refresh_quality and widgets.signals) so that lists can filter and
    # sort by it in the database.
    quality_score = models.PositiveSmallIntegerField(default=0)
    problem_count = models.PositiveSmallIntegerField(default=0)
    # Optimistic locking: every save increments it; a form posted with an older
    # version is refused instead of overwriting someone else's change.
    version = models.PositiveIntegerField(default=1)

    objects = WidgetQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[customer_segments])

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"], name="widgets_widget_unique_name_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=WidgetKind.values), name="widgets_widget_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WidgetStatus.values), name="widgets_widget_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reporting_frequency__in=Frequency.values),
                name="widgets_widget_frequency_valid",
            ),
            models.CheckConstraint(
                condition=Q(standard_share__isnull=True)
                | Q(standard_share__gte=0, standard_share__lte=100),
                name="widgets_widget_standard_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="widgets_widget_fee_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["status", "agency"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("widgets:detail", kwargs={"pk": self.pk})

    def coach_findings(self, customer_count=None):
        return coach.review(coach.definition_from_widget(self, customer_count))

    def refresh_quality(self, customer_count=None):
        findings = self.coach_findings(customer_count)
        self.quality_score = coach.score(findings)
        self.problem_count = sum(1 for f in findings if f.severity == coach.PROBLEM)

    def save(self, *args, **kwargs):
        self.refresh_quality()
        super().save(*args, **kwargs)

    @property
    def channel_labels(self):
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.channels or []]

    def clean(self):
        if self.program_id and self.agency_id and self.program.agency_id != self.agency_id:
            raise ValidationError({"program": "Choose a program of the same agency."})
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError({"channels": f"Unknown channel: {', '.join(sorted(unknown))}."})


class CountSource(models.TextChoices):
    FORM = "form", "Entry form"
    IMPORT = "import", "File upload"
    API = "api", "API"


COUNT_FIELDS = ("demand", "delivered", "within_standard", "withdrawn", "backlog", "rework")


def _non_negative(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"widgets_widgetcount_{field}_gte_0",
    )


def _not_above_delivered(field):
    # NULL on either side is unknown, and unknown passes (Unknown is not zero).
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(delivered__isnull=True)
        | Q(**{f"{field}__lte": F("delivered")}),
        name=f"widgets_widgetcount_{field}_lte_delivered",
    )


class WidgetCountQuerySet(ScopedQuerySet):
    agency_path = "widget__agency"


class WidgetCount(TimeStampedModel):
    """One widget's counts for one reporting period. Blank means unknown, never 0."""

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="counts")
    period_start = models.DateField(help_text="First day of the period.")
    demand = models.BigIntegerField(null=True, blank=True, help_text="Requests received.")
    delivered = models.BigIntegerField(null=True, blank=True, help_text="Widgets completed.")
    within_standard = models.BigIntegerField(
        null=True, blank=True, help_text="Delivered within the service standard."
    )
    withdrawn = models.BigIntegerField(
        null=True, blank=True, help_text="Requests closed without a widget."
    )
    backlog = models.BigIntegerField(null=True, blank=True, help_text="Open at period end.")
    rework = models.BigIntegerField(
        null=True, blank=True, help_text="Delivered widgets sent back to be corrected."
    )
    cost = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="What producing cost."
    )
    source = models.CharField(max_length=10, choices=CountSource.choices, default=CountSource.FORM)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    balance_note = models.TextField(
        blank=True, help_text="Why the backlog does not balance, when it does not."
    )
    version = models.PositiveIntegerField(default=1)

    objects = WidgetCountQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["widget", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "period_start"], name="widgets_widgetcount_one_per_period"
            ),
            *[_non_negative(f) for f in (*COUNT_FIELDS, "cost")],
            _not_above_delivered("within_standard"),
            _not_above_delivered("rework"),
            models.CheckConstraint(
                condition=Q(source__in=CountSource.values), name="widgets_widgetcount_source_valid"
            ),
        ]
        indexes = [models.Index(fields=["period_start", "widget"])]

    def __str__(self):
        return f"{self.widget} — {self.period_label}"

    @property
    def period_label(self):
        return describe_period(self.period_start, self.widget.reporting_frequency)

    def clean(self):
        if (
            self.widget_id
            and self.period_start
            and not is_period_start(self.period_start, self.widget.reporting_frequency)
        ):
            raise ValidationError(
                {
                    "period_start": "This is not the first day of a "
                    f"{self.widget.get_reporting_frequency_display().lower()} period."
                }
            )


class Question(models.TextChoices):
    """Overall satisfaction and the six A-11 section 280 customer-experience drivers."""

    SATISFACTION = "satisfaction", "Overall satisfaction"
    TRUST = "trust", "Trust"
    EASE = "ease", "Ease"
    EFFICIENCY = "efficiency", "Efficiency"
    EFFECTIVENESS = "effectiveness", "Effectiveness / quality"
    TRANSPARENCY = "transparency", "Transparency"
    HELPFULNESS = "helpfulness", "Employee helpfulness"


# The 1-5 agreement scale, strongly disagree .. strongly agree.
SCALE = (1, 2, 3, 4, 5)


def answer_field(question, point):
    return f"{question}_{point}"


def _answers_within_respondents(question):
    total = sum((F(answer_field(question, p)) for p in SCALE[1:]), F(answer_field(question, 1)))
    return models.CheckConstraint(
        condition=Q(respondents__isnull=True) | Q(respondents__gte=total),
        name=f"widgets_surveyresult_{question}_within_respondents",
    )


class SurveyResultQuerySet(ScopedQuerySet):
    agency_path = "widget__agency"


class SurveyResult(TimeStampedModel):
    """What customers said about a widget in a period, optionally for one segment.

    For each question the number of answers at each point of the 1-5 scale, as
    the U.S. federal customer-experience data collection records them. The 35
    answer columns (`satisfaction_1` .. `helpfulness_5`) are added below.
    """

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="survey_results")
    period_start = models.DateField()
    segment = models.ForeignKey(
        CustomerSegment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_results",
        help_text="Leave empty for all customers of the widget.",
    )
    customers_served = models.PositiveIntegerField(null=True, blank=True)
    offered = models.PositiveIntegerField("customers offered the survey", null=True, blank=True)
    respondents = models.PositiveIntegerField(null=True, blank=True)

    objects = SurveyResultQuerySet.as_manager()

    class Meta:
        ordering = ["widget", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "period_start"],
                condition=Q(segment__isnull=True),
                name="widgets_surveyresult_one_overall_per_period",
            ),
            models.UniqueConstraint(
                fields=["widget", "period_start", "segment"],
                condition=Q(segment__isnull=False),
                name="widgets_surveyresult_one_per_segment_and_period",
            ),
            models.CheckConstraint(
                condition=Q(offered__isnull=True)
                | Q(customers_served__isnull=True)
                | Q(offered__lte=F("customers_served")),
                name="widgets_surveyresult_offered_lte_served",
            ),
            models.CheckConstraint(
                condition=Q(respondents__isnull=True)
                | Q(offered__isnull=True)
                | Q(respondents__lte=F("offered")),
                name="widgets_surveyresult_respondents_lte_offered",
            ),
            *[_answers_within_respondents(q) for q in Question.values],
        ]

    def __str__(self):
        return f"{self.widget} — survey {self.period_start:%Y-%m-%d}"

    def answers(self, question):
        """Counts at points 1..5 for a question (None where unknown)."""
        return [getattr(self, answer_field(question, p)) for p in SCALE]


for _question in Question:
    for _point in SCALE:
        SurveyResult.add_to_class(
            answer_field(_question.value, _point),
            models.PositiveIntegerField(
                f"{_question.label}: answers at {_point}", null=True, blank=True
            ),
        )
