"""Agencies, the programs that run their systems, and who belongs to them.

Scope, who may read and change what, is decided in `agencies.scoping`; every
other app's querysets build on `ScopedQuerySet` from there.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    """`created_at` / `updated_at` on every table (docs/domain.md, "Conventions")."""

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
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_programs",
        help_text="Who runs the program: reminders about its widgets' late counts go to "
        "them after the owner (blank: the agency's managers).",
    )

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


class TeamQuerySet(ScopedQuerySet):
    agency_path = "program__agency"


class Team(TimeStampedModel):
    """A unit of a program: the people who huddle daily at one board (the first tier
    of the huddles: team, program, agency, state; docs/outcomes.md, "Tiered huddles")."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["program__agency__name", "program__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="agencies_team_unique_name_per_program"
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
    access_rule = models.ForeignKey(
        "AccessRule",
        # Deleting a rule takes away what it gave (deactivate it to let the
        # memberships go at each person's next sign-in instead).
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The access rule that granted it at single sign-on; blank when added by hand.",
    )

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


class AccessRuleKind(models.TextChoices):
    EMAIL_DOMAIN = "email_domain", "Verified e-mail domain"
    CLAIM = "claim", "Claim from the identity provider"


class AccessRule(TimeStampedModel):
    """Who gets which membership when they sign in through an identity provider.

    Applied at every single sign-on (`agencies.access.apply_access_rules`): a
    person gets the memberships of the rules that match them, and loses the
    ones that a rule gave and no rule gives any more. Memberships added by hand
    are left alone. Only a claim rule with `grants_admin` makes anyone an admin.
    """

    kind = models.CharField(max_length=20, choices=AccessRuleKind.choices)
    provider_id = models.CharField(
        "identity provider",
        max_length=60,
        blank=True,
        help_text="The provider's id in OIDC_PROVIDERS; blank for every provider.",
    )
    email_domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="For e-mail domain rules: matches a verified address at this domain "
        "(e.g. agency.gov), not its subdomains.",
    )
    claim_name = models.CharField(
        max_length=100, blank=True, help_text="For claim rules: e.g. groups or roles."
    )
    claim_value = models.CharField(
        max_length=200, blank=True, help_text="For claim rules: the value to match exactly."
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="access_rules")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    grants_admin = models.BooleanField(
        "grants admin",
        default=False,
        help_text="Claim rules only: also make the person an admin (the Django admin, "
        "everything). Off unless you mean it.",
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "kind", "email_domain", "claim_name", "claim_value"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="agencies_accessrule_role_valid"
            ),
            # Also the only valid kinds: each has its fields, and only claims grant admin.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=AccessRuleKind.EMAIL_DOMAIN,
                        claim_name="",
                        claim_value="",
                        grants_admin=False,
                    )
                    & ~models.Q(email_domain="")
                )
                | (
                    models.Q(kind=AccessRuleKind.CLAIM, email_domain="")
                    & ~models.Q(claim_name="")
                    & ~models.Q(claim_value="")
                ),
                name="agencies_accessrule_fields_match_kind",
            ),
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "provider_id",
                    "email_domain",
                    "claim_name",
                    "claim_value",
                    "agency",
                ],
                name="agencies_accessrule_unique_rule",
            ),
        ]

    def __str__(self):
        if self.kind == AccessRuleKind.EMAIL_DOMAIN:
            what = f"e-mail at {self.email_domain}"
        else:
            what = f"{self.claim_name} = {self.claim_value}"
        admin = " + admin" if self.grants_admin else ""
        return f"{what} → {self.get_role_display()} of {self.agency.abbreviation}{admin}"

    def clean(self):
        self.email_domain = self.email_domain.strip().lower().lstrip("@")
        self.claim_name = self.claim_name.strip()
        self.claim_value = self.claim_value.strip()
        if self.kind == AccessRuleKind.EMAIL_DOMAIN:
            errors = {}
            if not self.email_domain:
                errors["email_domain"] = "An e-mail domain rule needs a domain."
            if self.claim_name or self.claim_value:
                errors["claim_name"] = "An e-mail domain rule has no claim."
            if self.grants_admin:
                errors["grants_admin"] = "Only a claim rule may grant admin."
            if errors:
                raise ValidationError(errors)
        elif self.kind == AccessRuleKind.CLAIM:
            errors = {}
            if not self.claim_name:
                errors["claim_name"] = "A claim rule needs the claim's name."
            if not self.claim_value:
                errors["claim_value"] = "A claim rule needs the value to match."
            if self.email_domain:
                errors["email_domain"] = "A claim rule has no e-mail domain."
            if errors:
                raise ValidationError(errors)

    def matches(self, *, provider_id, verified_emails, claims):
        """Whether this rule applies to a person with these verified e-mails and claims."""
        if not self.active or (self.provider_id and self.provider_id != provider_id):
            return False
        if self.kind == AccessRuleKind.EMAIL_DOMAIN:
            domain = self.email_domain.strip().lower().lstrip("@")
            return any(e.rsplit("@", 1)[-1].lower() == domain for e in verified_emails)
        value = claims.get(self.claim_name)
        if isinstance(value, list | tuple | set):
            return self.claim_value in {str(v) for v in value}
        return value is not None and str(value) == self.claim_value


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    FAILED = "failed", "Failed sign-in"
    REFUSED = "refused", "Refused single sign-on"
    MFA_FAILED = "mfa_failed", "Wrong MFA code"
    MFA_ENROLLED = "mfa_enrolled", "MFA enrolled"
    MFA_REMOVED = "mfa_removed", "MFA removed"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    MFA = "mfa", "Password + MFA"
    SSO = "sso", "Single sign-on"
    TOTP = "totp", "Authenticator app (TOTP)"
    RECOVERY_CODES = "recovery_codes", "Recovery codes"
    OTHER = "", "—"


class SignInEvent(models.Model):
    """The audit trail of sign-in: who, when, how, from where. Written, never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=SignInEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="As typed or as known at the time."
    )
    method = models.CharField(max_length=20, choices=SignInMethod.choices, blank=True)
    provider = models.CharField(max_length=60, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"], name="agencies_signin_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class DataVersion(models.Model):
    """Each agency's data version, kept by database triggers: see `agencies.versions`.

    No foreign key: a deleted agency keeps its last version, so that versions never repeat.
    """

    agency_id = models.BigIntegerField(primary_key=True)
    # Changes with every write to the agency's data.
    version = models.BigIntegerField()
    # Changes with every write to the agency's data except to its counts, which
    # change their widget's WidgetVersion instead: what is kept per widget
    # (agencies.versions.per_widget) survives a count saved for another widget.
    base_version = models.BigIntegerField(db_default=0)

    def __str__(self):
        return f"agency {self.agency_id}: version {self.version}"


class WidgetVersion(models.Model):
    """Each widget's counts version, kept by database triggers on the counts table:
    see `agencies.versions`. Here, not in widgets, because the versions are one
    mechanism; no foreign key, for the reason DataVersion has none."""

    widget_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    def __str__(self):
        return f"widget {self.widget_id}: counts version {self.version}"


# What the background worker keeps: queued uploads and the schedule (docs/adr/0004, 0007).
from .jobs import JobStatus, PeriodicTask, UploadJob  # noqa: E402, F401
