"""Agencies, the programs that run their systems, and who belongs to them.

Scope, who may read and change what, is decided in `agencies.scoping`; every
other app's querysets build on `ScopedQuerySet` from there.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    """`created_at` / `updated_at` on every table (STYLE.md)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    MANAGER = "manager", "Manager"


class AgencyQuerySet(ScopedQuerySet):
    agency_path = ""

    def publishing(self):
        return self.filter(publishes=True)


class Agency(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=20, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    mission = models.TextField(blank=True)
    publishes = models.BooleanField(
        "publishes a public page",
        default=False,
        help_text="When on, anyone may read this agency's approved widgets and outcome status.",
    )

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agencies:detail", kwargs={"slug": self.slug})


class ProgramQuerySet(ScopedQuerySet):
    agency_path = "agency"


class Program(TimeStampedModel):
    """An agency unit that owns and runs a system producing widgets."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"], name="agencies_program_unique_name_per_agency"
            )
        ]

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="agencies_membership_one_per_user_and_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="agencies_membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.agency.abbreviation}"
