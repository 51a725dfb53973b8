"""Mission outcomes the widgets exist to move, their measurements, the widgets'
contributions, countermeasures for what is off track, and the monthly review.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Program, TimeStampedModel
from agencies.scoping import ScopedQuerySet
from widgets.models import Widget


class Direction(models.TextChoices):
    UP = "up", "Up is better"
    DOWN = "down", "Down is better"


class MeasurementFrequency(models.TextChoices):
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"
    YEAR = "year", "Yearly"


class OutcomeQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def published(self):
        return self.filter(agency__publishes=True)


class Outcome(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="outcomes")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    name = models.CharField(
        max_length=200, help_text="The result for the public, e.g. “Cleaner air”."
    )
    measure = models.CharField(
        max_length=300, help_text="What is measured, e.g. “Days with unhealthy air quality”."
    )
    unit = models.CharField(max_length=50, help_text="e.g. days, %, tonnes")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    target_date = models.DateField()
    frequency = models.CharField(
        max_length=10, choices=MeasurementFrequency.choices, default=MeasurementFrequency.MONTH
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_outcomes",
    )
    widgets = models.ManyToManyField(Widget, through="Contribution", related_name="outcomes")
    version = models.PositiveIntegerField(default=1)

    objects = OutcomeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"], name="outcomes_outcome_unique_name_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=F("baseline_date")),
                name="outcomes_outcome_target_after_baseline",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="outcomes_outcome_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=MeasurementFrequency.values),
                name="outcomes_outcome_frequency_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.program_id and self.agency_id and self.program.agency_id != self.agency_id:
            raise ValidationError({"program": "Choose a program of the same agency."})
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            raise ValidationError({"target_date": "The target date must be after the baseline."})


class MeasurementQuerySet(ScopedQuerySet):
    agency_path = "outcome__agency"


class Measurement(TimeStampedModel):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(help_text="The day (or first day of the period) measured.")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MeasurementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "date"], name="outcomes_measurement_one_per_date"
            )
        ]

    def __str__(self):
        return f"{self.outcome}: {self.value} on {self.date:%Y-%m-%d}"


class StepChangeQuerySet(ScopedQuerySet):
    agency_path = "outcome__agency"


class StepChange(TimeStampedModel):
    """The process behind an outcome changed on purpose (or was found to): its run
    chart's limits restart at the first measurement on or after `starts_on`
    (widgets.spc, docs/outcomes.md)."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="step_changes")
    starts_on = models.DateField(
        help_text="The date of the first measurement of the new period.",
    )
    reason = models.TextField(help_text="What changed, e.g. “New inspection process from May”.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = StepChangeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "starts_on"], name="outcomes_stepchange_one_per_date"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="outcomes_stepchange_reason_given"
            ),
        ]

    def __str__(self):
        return f"{self.outcome}: step change from {self.starts_on:%Y-%m-%d}"


class ContributionQuerySet(ScopedQuerySet):
    agency_path = "outcome__agency"


class Contribution(TimeStampedModel):
    """A widget moves an outcome; the rationale says how."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="contributions")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="contributions")
    rationale = models.TextField(help_text="How delivering this widget moves the outcome.")

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["outcome", "widget__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "widget"], name="outcomes_contribution_one_per_pair"
            )
        ]

    def __str__(self):
        return f"{self.widget} → {self.outcome}"


class CountermeasureState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class CountermeasureQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def open(self):
        return self.filter(state=CountermeasureState.OPEN)


class Countermeasure(TimeStampedModel):
    """What the agency does about an item off track: for an outcome or a widget."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="countermeasures")
    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, null=True, blank=True, related_name="countermeasures"
    )
    widget = models.ForeignKey(
        Widget, on_delete=models.CASCADE, null=True, blank=True, related_name="countermeasures"
    )
    problem = models.TextField()
    root_cause = models.TextField(blank=True)
    action = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="countermeasures",
    )
    due_date = models.DateField()
    state = models.CharField(
        max_length=10, choices=CountermeasureState.choices, default=CountermeasureState.OPEN
    )
    # Worked as a problem of a huddle board at one of the three depths (a quick fix,
    # a four-box or an A3; outcomes.models.huddles): solving it marks this done.
    huddle_problem = models.ForeignKey(
        "outcomes.Problem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="countermeasures",
        verbose_name="worked as",
        help_text="The huddle problem (quick fix, four-box or A3) it is worked as.",
    )
    version = models.PositiveIntegerField(default=1)

    objects = CountermeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome__isnull=False) & Q(widget__isnull=True))
                | (Q(outcome__isnull=True) & Q(widget__isnull=False)),
                name="outcomes_countermeasure_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(state__in=CountermeasureState.values),
                name="outcomes_countermeasure_state_valid",
            ),
        ]

    def __str__(self):
        return f"Countermeasure: {self.problem[:60]}"

    @property
    def subject(self):
        return self.outcome or self.widget

    def clean(self):
        subject = self.outcome if self.outcome_id else self.widget if self.widget_id else None
        if subject is not None and self.agency_id and subject.agency_id != self.agency_id:
            raise ValidationError("The countermeasure must belong to the agency of its subject.")


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReviewQuerySet(ScopedQuerySet):
    agency_path = "agency"


def review_pack_path(review, filename):
    """Where a review's pack is kept in media storage (never served from there:
    outcomes.review_views.review_pack_pdf hands it to those who may read the review)."""
    return f"review-packs/{review.agency.slug}/{review.month:%Y-%m}-review-pack.pdf"


class Review(TimeStampedModel):
    """The monthly business review of one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reviews")
    month = models.DateField(help_text="First day of the month reviewed.")
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    attendees = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    countermeasures = models.ManyToManyField(Countermeasure, blank=True, related_name="reviews")
    # The review pack as a PDF (outcomes.packs), made when the review closes (or on
    # demand while it is open) and kept as it was, whatever the data do next.
    pack = models.FileField(upload_to=review_pack_path, blank=True, max_length=200)
    pack_made_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month"], name="outcomes_review_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="outcomes_review_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.OPEN) | Q(closed_at__isnull=False),
                name="outcomes_review_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(pack="") | Q(pack_made_at__isnull=False),
                name="outcomes_review_pack_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.agency.abbreviation} review, {self.month:%B %Y}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Use the first day of the month."})
