"""A service inventory as it was published: its rows and what the import found.

An inventory import (widgets.interop) maps each published service to a widget
and its yearly counts, and keeps beside them what was published: every cell of
every row of both files (`PublishedRow`), and the department's own data errors
as findings on those rows (`InventoryFinding`), graded error / warning /
suggestion like the data-quality checks of counts. Figures that break the rules
of counts (a standard met more often than it was delivered) stay here, as
published and flagged, instead of becoming counts. The export writes every
published cell back unless the widget or its counts have changed since
(docs/interop.md, "Export (same layout): the round trip").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import TimeStampedModel

from .definitions import OfWidgetQuerySet, Widget


class Grade(models.TextChoices):
    """How serious a finding is: the words of the data-quality checks of counts."""

    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    SUGGESTION = "suggestion", "Suggestion"


class InventoryFile(models.TextChoices):
    SERVICES = "services", "Services file"
    STANDARDS = "standards", "Standards file"


class InventoryImport(TimeStampedModel):
    """One saved import of a service inventory: who, when, which files, what it did."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    services_file = models.CharField(max_length=255, blank=True)
    standards_file = models.CharField(max_length=255, blank=True)
    # The columns of each file in their order, as published.
    service_columns = models.JSONField(default=list, blank=True)
    standard_columns = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)

    def __str__(self):
        return f"Service inventory import of {self.created_at:%Y-%m-%d %H:%M}"


class PublishedRow(TimeStampedModel):
    """One row of a published services or standards file, every cell as published.

    `baseline` is what the export computed from the widget and its counts right
    after the import saved them: a cell the app computes the same way today is
    written as published ("ND" stays "ND", "NA" stays "NA"); one that differs has
    been changed here since, and the export writes the new value.
    """

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="published_rows")
    inventory_import = models.ForeignKey(
        InventoryImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="rows"
    )
    file = models.CharField(max_length=10, choices=InventoryFile.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    # The service_standard_id of a standards row; blank for a services row.
    standard_id = models.CharField(max_length=100, blank=True)
    row_number = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    baseline = models.JSONField(default=dict, blank=True)
    # The timeliness standard whose volumes became the year's delivered and
    # within-standard counts (one per service and year at most).
    counted = models.BooleanField(default=False)

    objects = OfWidgetQuerySet.as_manager()

    class Meta:
        ordering = ["inventory_import_id", "file", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "file", "fiscal_year", "standard_id"],
                name="widgets_publishedrow_one_per_year",
            ),
            models.CheckConstraint(
                condition=Q(file__in=InventoryFile.values), name="widgets_publishedrow_file_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_file_display()}, row {self.row_number}"


class InventoryFinding(TimeStampedModel):
    """A data-quality finding on a published row: what is wrong, where, how bad."""

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="inventory_findings")
    inventory_import = models.ForeignKey(
        InventoryImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    grade = models.CharField(max_length=10, choices=Grade.choices)
    file = models.CharField(max_length=10, choices=InventoryFile.choices)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=100)
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField()

    objects = OfWidgetQuerySet.as_manager()

    class Meta:
        ordering = ["widget_id", "file", "row_number", "column"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="widgets_inventoryfinding_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(file__in=InventoryFile.values),
                name="widgets_inventoryfinding_file_valid",
            ),
        ]

    def __str__(self):
        where = f"{self.get_file_display().lower()}, row {self.row_number}"
        return f"{self.get_grade_display()}: {where}, column {self.column}: {self.message}"
