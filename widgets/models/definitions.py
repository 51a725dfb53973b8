"""Widget definitions: the countable products an agency hands to customers."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Program, TimeStampedModel
from agencies.scoping import ScopedQuerySet, agency_roles, is_admin
from customers.models import CustomerSegment

from .. import coach, measures
from ..periods import Frequency


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
# Read by every member of any agency (drafts and submitted definitions stay inside
# their agency).
PUBLISHED_STATUSES = (WidgetStatus.APPROVED, WidgetStatus.RETIRED)
# Produced now: shown on dashboards and in the entry grid, and counted as late.
# An approved definition sent back for review after an edit goes on being produced.
LIVE_STATUSES = (WidgetStatus.APPROVED, WidgetStatus.SUBMITTED)
# May hold counts: the live ones, and retired ones (for corrections). Drafts are
# not counted.
COUNTED_STATUSES = (*LIVE_STATUSES, WidgetStatus.RETIRED)


def _readable(queryset, user, widget=""):
    """Every agency's approved and retired widgets, all of one's own agencies'; or
    the records of those widgets (`widget` is the path to the widget, "widget__")."""
    if is_admin(user):
        return queryset.all()
    own = list(agency_roles(user))
    if not own:
        return queryset.none()
    return queryset.filter(
        Q(**{f"{widget}status__in": PUBLISHED_STATUSES}) | Q(**{f"{widget}agency_id__in": own})
    )


def declares_not_applicable(name, widget=""):
    """Q: the widget (`widget`: its path, "widget__") declares count field `name` not
    applicable. Matched on the list's JSON text, which every database can read."""
    return Q(**{f"{widget}not_applicable__icontains": f'"{name}"'})


class WidgetQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def for_user(self, user):
        return _readable(self, user)

    def approved(self):
        return self.filter(status=WidgetStatus.APPROVED)

    def live(self):
        """Produced now (LIVE_STATUSES)."""
        return self.filter(status__in=LIVE_STATUSES)

    def published(self):
        """What the public page may show: approved widgets of publishing agencies."""
        return self.approved().filter(agency__publishes=True)

    def channel_mix(self):
        """How customers of these widgets applied, by channel, in the latest fiscal
        year with channel counts (widgets.channels.ChannelMix)."""
        from ..channels import channel_mix
        from .counts import WidgetCount

        return channel_mix(WidgetCount.objects.filter(widget__in=self.values("pk")))


class OfWidgetQuerySet(ScopedQuerySet):
    """Records of one widget (counts, survey results): readable with their widget,
    so another agency's draft keeps its numbers private too."""

    agency_path = "widget__agency"

    def for_user(self, user):
        return _readable(self, user, widget="widget__")


class Widget(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="widgets")
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="widgets",
        help_text="The part of the agency that runs the system producing this widget.",
    )
    # As long as a service name of the Government of Canada Service Inventory.
    name = models.CharField(
        max_length=350,
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
    # The count fields that do not apply to this widget (names from
    # widgets.measures whose `may_be_not_applicable` is set): shown as n/a, never
    # typed, left out of roll-ups and checks (docs/domain.md, "Unknown, zero and
    # not applicable"). A property of the widget, not of a period.
    not_applicable = models.JSONField(
        "measures that do not apply",
        default=list,
        blank=True,
        help_text="Counts this widget does not have: no cost tracked, no service standard, "
        "a channel not offered. Shown as n/a and left out of totals.",
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
    # Who last changed what the definition says (not its place in the workflow):
    # they may not approve or return it (four eyes, widgets.catalogue.services).
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The service's id in the inventory it was imported from (e.g. the service_id
    # of a Government of Canada Service Inventory), so that a re-import finds it.
    external_id = models.CharField(
        "service id in the source inventory",
        max_length=100,
        blank=True,
        help_text="Set by an inventory import; leave blank otherwise.",
    )
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
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~Q(external_id=""),
                name="widgets_widget_unique_external_id_per_agency",
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

    def record_edit(self, *, by):
        """What any change to what the definition says does to it, before it is
        saved (the edit form, the imports, the admin): `by` becomes its last editor,
        who may then not review it (four eyes, widgets.catalogue.services.may_review);
        an approved one goes back to review as submitted by `by`; a returned one
        becomes a draft again. A retired one cannot be edited."""
        if self.status == WidgetStatus.RETIRED:
            raise PermissionDenied("A retired widget cannot be edited.")
        if self.status == WidgetStatus.APPROVED:
            self.status = WidgetStatus.SUBMITTED
            self.submitted_by = by
            self.submitted_at = timezone.now()
        elif self.status == WidgetStatus.RETURNED:
            self.status = WidgetStatus.DRAFT
        self.last_edited_by = by

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
    def not_applicable_fields(self):
        """The names of the count fields that do not apply to this widget."""
        return frozenset(self.not_applicable or ())

    def applies(self, name):
        return name not in self.not_applicable_fields

    @property
    def channel_labels(self):
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.channels or []]

    def clean(self):
        if self.program_id and self.agency_id and self.program.agency_id != self.agency_id:
            raise ValidationError({"program": "Choose a program of the same agency."})
        self.clean_definition()
        self._clean_not_applicable_counted()

    def clean_definition(self):
        """The checks of `clean` that need nothing but the widget itself (no query):
        for a writer of many widgets whose program and counts are known to fit
        (the service inventory import)."""
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError({"channels": f"Unknown channel: {', '.join(sorted(unknown))}."})
        self._clean_not_applicable()

    def _clean_not_applicable(self):
        """Only fields the registry allows, and none that a standard needs."""
        names = self.not_applicable
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError({"not_applicable": "Give a list of count field names."})
        allowed = {f.name for f in measures.may_be_not_applicable()}
        wrong = sorted(set(names) - allowed)
        if wrong:
            raise ValidationError(
                {
                    "not_applicable": f"{', '.join(wrong)}: not a count field that may be "
                    "declared not applicable (demand and delivered always apply)."
                }
            )
        self.not_applicable = [f.name for f in measures.COUNT_FIELDS if f.name in names]
        # The status compares the on-time share with the standard: a widget with a
        # standard has something delivered within it to count.
        has_standard = self.standard_days is not None or self.standard_share is not None
        if "within_standard" in names and has_standard:
            raise ValidationError(
                {
                    "not_applicable": "Within standard cannot be not applicable while the "
                    "widget has a service standard: remove the standard (days and share), "
                    "or count how many were delivered within it."
                }
            )

    def _clean_not_applicable_counted(self):
        """Never over numbers already counted: declaring a field not applicable while
        counts hold values for it is refused (the values would be hidden as n/a),
        until they are cleared."""
        from .counts import WidgetCount  # counts.py imports this module

        if not self.pk or not self.not_applicable:
            return
        held = WidgetCount.objects.filter(widget_id=self.pk).aggregate(
            **{name: models.Count(name) for name in self.not_applicable}
        )
        if any(held.values()):
            labels = measures.labels()
            raise ValidationError(
                {
                    "not_applicable": " ".join(
                        f"{labels[name]} holds values in {n} period{'s' if n != 1 else ''}: "
                        "it cannot be declared not applicable while counts hold numbers for "
                        f"it. Clear {labels[name].lower()} in those periods first (the word "
                        "“clear” in an upload, or the count's edit page), or leave it "
                        "applicable."
                        for name, n in held.items()
                        if n
                    )
                }
            )
