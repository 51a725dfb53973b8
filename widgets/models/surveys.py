"""What customers said about a widget in a period."""

from django.db import models
from django.db.models import F, Q

from agencies.models import TimeStampedModel
from customers.models import CustomerSegment

from .definitions import OfWidgetQuerySet, Widget


class Question(models.TextChoices):
    """Overall satisfaction and the six A-11 section 280 customer-experience drivers."""

    SATISFACTION = "satisfaction", "Overall satisfaction"
    TRUST = "trust", "Trust"
    EASE = "ease", "Ease"
    EFFICIENCY = "efficiency", "Efficiency"
    EFFECTIVENESS = "effectiveness", "Effectiveness / quality"
    TRANSPARENCY = "transparency", "Transparency"
    HELPFULNESS = "helpfulness", "Employee helpfulness"


class ResultSource(models.TextChoices):
    """Where a survey result came from. Entered results (typed or imported by staff) and
    results collected here (rolled up from answers to a hosted survey) are never mixed:
    a widget's fiscal quarter holds one kind or the other (widgets.surveys.rollup)."""

    ENTERED = "entered", "Entered by staff"
    COLLECTED = "collected", "Collected here"


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
    source = models.CharField(
        max_length=10, choices=ResultSource.choices, default=ResultSource.ENTERED, editable=False
    )

    objects = OfWidgetQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=Q(source__in=ResultSource.values),
                name="widgets_surveyresult_source_known",
            ),
        ]

    def __str__(self):
        return f"{self.widget} — survey {self.period_start:%Y-%m-%d}"

    @property
    def collected(self):
        return self.source == ResultSource.COLLECTED

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
