"""Counts: one row per widget per reporting period."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency, TimeStampedModel
from agencies.scoping import ScopedQuerySet

from .. import measures
from ..periods import describe_period, is_period_start
from .definitions import OfWidgetQuerySet, Widget


class CountSource(models.TextChoices):
    FORM = "form", "Entry form"
    IMPORT = "import", "File upload"
    API = "api", "API"


# The whole numbers people type (cost is money), and demand by the channel customers
# used to ask, where the source knows it (service inventories report applications
# per channel). All declared in widgets.measures.
COUNT_FIELDS = tuple(f.name for f in measures.typed_fields() if not f.is_money)
CHANNEL_COUNT_FIELDS = tuple(f.name for f in measures.COUNT_FIELDS if not f.typed)


def _model_field(spec):
    """The column of one count field: nullable, for unknown is not zero."""
    verbose_name = spec.label[:1].lower() + spec.label[1:]
    if spec.is_money:
        return models.DecimalField(
            verbose_name,
            max_digits=14,
            decimal_places=2,
            null=True,
            blank=True,
            help_text=spec.help,
        )
    return models.BigIntegerField(verbose_name, null=True, blank=True, help_text=spec.help)


def _non_negative(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"widgets_widgetcount_{field}_gte_0",
    )


def _not_above(field, whole):
    # NULL on either side is unknown, and unknown passes (Unknown is not zero).
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{whole}__isnull": True})
        | Q(**{f"{field}__lte": F(whole)}),
        name=f"widgets_widgetcount_{field}_lte_{whole}",
    )


class ApiTokenQuerySet(ScopedQuerySet):
    agency_path = "agency"

    def active(self):
        """Neither revoked nor past its expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def token_expiry():
    """When a token made now expires: API_TOKEN_DAYS from now (a year by default)."""
    return timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(TimeStampedModel):
    """A per-agency token for systems that already count (the API).

    Only a SHA-256 hash of the token is stored; the token itself is shown once
    when it is made. Tokens are long random strings, so a fast hash is enough,
    and lookups compare hashes in constant time (widgets.api.tokens).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “Permit system”.")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when it is made and shown then (widgets.api.tokens); refused from then on.
    expires_at = models.DateTimeField(default=token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.agency.abbreviation}, {self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


class CountUploadQuerySet(ScopedQuerySet):
    agency_path = "agency"


class CountUpload(TimeStampedModel):
    """A file of counts and what it did, so every number can be traced to its source."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="count_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_changed = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)

    objects = CountUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class WidgetCountQuerySet(OfWidgetQuerySet):
    def in_periods_of(self, widgets, periods):
        """The counts of `widgets` in `periods(frequency)` (period_start lookups) at
        each widget's own frequency. The widgets' ids go by frequency, each group with
        its own range, so that the database reads each widget's range off the
        (widget, period) index: a condition on the widget's frequency, through a
        join, reads every count of the widgets (at a state's size, years of daily
        counts) and drops most."""
        ids = {}
        for widget in widgets:
            ids.setdefault(widget.reporting_frequency, []).append(widget.pk)
        window = Q(pk__in=[])  # no widgets: no counts (and no query)
        for frequency, widget_ids in ids.items():
            window |= Q(widget_id__in=widget_ids, **periods(frequency))
        return self.filter(window)

    def channel_mix(self):
        """Demand by channel in the latest fiscal year with channel counts."""
        from ..channels import channel_mix

        return channel_mix(self)


class WidgetCount(TimeStampedModel):
    """One widget's counts for one reporting period. Blank means unknown, never 0."""

    # No index of its own: the unique (widget, period_start) index serves every
    # lookup by widget, and a widget-only index tempts the planner into reading
    # a widget's whole history for a date window (docs/performance.md).
    widget = models.ForeignKey(
        Widget, on_delete=models.CASCADE, related_name="counts", db_index=False
    )
    period_start = models.DateField(help_text="First day of the period.")
    # demand, delivered, within_standard, withdrawn, backlog, rework, cost and demand
    # by channel: one column per entry of widgets.measures.COUNT_FIELDS, made there
    # (a class body's locals() is the class's namespace).
    locals().update({spec.name: _model_field(spec) for spec in measures.COUNT_FIELDS})
    source = models.CharField(max_length=10, choices=CountSource.choices, default=CountSource.FORM)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    upload = models.ForeignKey(
        CountUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="counts"
    )
    api_token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="counts"
    )
    balance_note = models.TextField(
        blank=True, help_text="Why the backlog does not balance, when it does not."
    )
    version = models.PositiveIntegerField(default=1)

    objects = WidgetCountQuerySet.as_manager()
    # One history row per count written: millions. Who made a change is kept without
    # a database foreign key (Django still nulls it if the account is deleted), so a
    # 100,000-row upload does not check the same user 100,000 times at commit; and
    # the history table has no index on who entered a count or which token sent it
    # (nothing reads by them). docs/performance.md, "CSV import".
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["entered_by", "api_token"])

    class Meta:
        ordering = ["widget", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "period_start"], name="widgets_widgetcount_one_per_period"
            ),
            *[_non_negative(f.name) for f in measures.COUNT_FIELDS],
            *[_not_above(f.name, f.share_of) for f in measures.COUNT_FIELDS if f.share_of],
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
