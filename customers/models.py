"""Who receives the widgets: an agency's customer segments.

Satisfaction is recorded per widget (widgets.SurveyResult); pages here read it
through reverse relations and import nothing downstream (docs/domain.md, "Apps and layering").
"""

from django.db import models

from agencies.models import Agency, TimeStampedModel
from agencies.scoping import ScopedQuerySet


class SegmentKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individuals"
    BUSINESS = "business", "Businesses"
    NONPROFIT = "nonprofit", "Nonprofits"
    GOVERNMENT = "government", "Governments"
    INTERNAL = "internal", "Internal (other agency units)"
    FOREIGN = "foreign", "Foreign entities"


class CustomerSegmentQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def active(self):
        return self.filter(archived=False)


class CustomerSegment(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=200, help_text="Who they are, e.g. “Small businesses”.")
    kind = models.CharField(max_length=20, choices=SegmentKind.choices)
    description = models.TextField(blank=True)
    needs = models.TextField("what they need from us", blank=True)
    estimated_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Roughly how many customers are in this segment."
    )
    archived = models.BooleanField(default=False)

    objects = CustomerSegmentQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"], name="customers_customersegment_unique_name_per_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SegmentKind.values),
                name="customers_customersegment_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name
