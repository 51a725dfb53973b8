"""Memberships from access rules, applied at every single sign-on.

A person signing in through an identity provider gets, for each agency, the
highest role among the active rules that match them; memberships that a rule
gave and no rule gives any more are removed; memberships added by hand stay.
Admin follows the rules only for people who sign in only through a provider
(no usable local password): a claim rule with `grants_admin` makes them an
admin, and without one they are not. Local break-glass admins are left alone.
"""

from django.db import transaction

from .models import AccessRule, Membership, Role
from .scoping import ROLE_RANK, forget_roles


def claims_of(sociallogin):
    """The provider's claims: the ID token's, with the userinfo answer on top."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def verified_emails_of(sociallogin):
    return [a.email for a in sociallogin.email_addresses if a.verified]


@transaction.atomic
def apply_access_rules(*, user, provider_id, verified_emails, claims):
    """Bring the user's rule-given access in line with the rules; say what changed."""
    matched = [
        rule
        for rule in AccessRule.objects.filter(active=True).select_related("agency")
        if rule.matches(provider_id=provider_id, verified_emails=verified_emails, claims=claims)
    ]
    best = {}
    for rule in matched:
        current = best.get(rule.agency_id)
        if current is None or ROLE_RANK[rule.role] > ROLE_RANK[current.role]:
            best[rule.agency_id] = rule

    granted, removed = [], []
    existing = {m.agency_id: m for m in user.memberships.select_related("agency")}
    for agency_id, rule in best.items():
        membership = existing.get(agency_id)
        if membership is None:
            membership = Membership.objects.create(
                user=user, agency=rule.agency, role=rule.role, access_rule=rule
            )
            granted.append(membership)
        elif membership.access_rule_id is not None and (
            membership.role != rule.role or membership.access_rule_id != rule.pk
        ):
            membership.role, membership.access_rule = rule.role, rule
            membership.save(update_fields=["role", "access_rule", "updated_at"])
            granted.append(membership)
    for agency_id, membership in existing.items():
        if membership.access_rule_id is not None and agency_id not in best:
            removed.append(f"{Role(membership.role).label}, {membership.agency.name}")
            membership.delete()

    admin_changed = None
    if not user.has_usable_password():
        is_admin = any(rule.grants_admin for rule in matched)
        if user.is_superuser != is_admin or user.is_staff != is_admin:
            user.is_superuser = user.is_staff = is_admin
            user.save(update_fields=["is_superuser", "is_staff"])
            admin_changed = is_admin
    forget_roles(user)
    return {"granted": granted, "removed": removed, "admin": admin_changed}
