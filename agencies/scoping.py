"""The one place that decides who may read and who may change what.

docs/domain.md, "Who may do what":

- anyone: only the public page of an agency that publishes (public views ask
  for `published()` data explicitly; scope here gives anonymous users nothing);
- a signed-in user who belongs to at least one agency: reads every agency's
  catalogue and dashboards (a model may narrow that, as widgets do for drafts);
- a signed-in user with no membership yet: waits for access and reads nothing;
- staff of agency A: change A's drafts, segments, counts, measurements;
- manager of A: all of staff, plus approvals, outcomes, countermeasures, reviews;
- admin (superuser): everything.

Every model that belongs to an agency gets a queryset subclassing
`ScopedQuerySet` and names the lookup path to its agency. Views declare who may
use them with agencies.permissions.grant, which fetches their object through
`get_readable_or_404` (out of scope -> 404) and refuses a change the user may
not make with `can_change` (read-only -> 403).
"""

import functools
from operator import attrgetter

from django.db import connection, models
from django.shortcuts import get_object_or_404

STAFF = "staff"
MANAGER = "manager"
# A manager may do all that staff may.
ROLE_RANK = {STAFF: 1, MANAGER: 2}

_CACHE_ATTR = "_widgets_agency_roles"


def memberships_of(user):
    """The user's memberships with their agencies, read once per user object
    (one request): scope and the header on every page share this one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _read_memberships(user.pk)
        setattr(user, _CACHE_ATTR, cached)
    return cached


@functools.cache
def _memberships_sql():
    from .models import Agency, Membership

    fields = [*Membership._meta.concrete_fields, *Agency._meta.concrete_fields]
    columns = ", ".join(
        f"{f.model._meta.db_table}.{connection.ops.quote_name(f.column)}" for f in fields
    )
    sql = (
        f"SELECT {columns} FROM agencies_membership "  # noqa: S608
        "JOIN agencies_agency ON agencies_agency.id = agencies_membership.agency_id "
        "WHERE agencies_membership.user_id = %s ORDER BY agencies_agency.name"
    )
    return sql, fields


def _read_memberships(user_id):
    """`Membership.objects.filter(user=...).select_related("agency").order_by("agency__name")`,
    as SQL built once per process: every signed-in page runs it, and the ORM took
    longer to compile it (~0.8 ms) than the database to answer it (~0.15 ms).
    Values go through the backend's converters, as the ORM's would."""
    from .models import Agency, Membership

    sql, fields = _memberships_sql()
    # PostgreSQL has no converter for any of these fields, so on it the converter lines
    # cannot be wrong; on SQLite (booleans, datetimes) the suite checks them against
    # the ORM. Not mutated: docs/testing.md.
    converters = []
    # pragma: no mutate start
    for i, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((i, column, found))
    # pragma: no mutate end
    split = len(Membership._meta.concrete_fields)
    names = [f.attname for f in fields]
    memberships = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        for row in cursor.fetchall():
            row = list(row)
            for i, column, found in converters:
                for convert in found:
                    row[i] = convert(row[i], column, connection)  # pragma: no mutate
            membership = Membership.from_db(connection.alias, names[:split], row[:split])
            membership.agency = Agency.from_db(connection.alias, names[split:], row[split:])
            memberships.append(membership)
    return memberships


def agency_roles(user):
    """{agency_id: role} for the user."""
    return {m.agency_id: m.role for m in memberships_of(user)}


def forget_roles(user):
    """Drop the cached roles (after memberships change within one request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_admin(user):
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def may_read_any(user):
    """Signed in and either an admin or a member of some agency."""
    return is_admin(user) or bool(agency_roles(user))


def changeable_agency_ids(user, role=STAFF):
    need = ROLE_RANK[role]
    return [aid for aid, r in agency_roles(user).items() if ROLE_RANK.get(r, 0) >= need]


def may_change_some_agency(user, role=STAFF):
    """An admin, or staff (a manager) of at least one agency: who may open a page that
    is nobody's object yet (a new segment, an import)."""
    return is_admin(user) or bool(changeable_agency_ids(user, role))


def can_change(user, agency_id, role=STAFF):
    return is_admin(user) or agency_id in changeable_agency_ids(user, role)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the owning Agency."""

    #: lookup path to the Agency ("" when the model is Agency itself)
    agency_path = "agency"

    @classmethod
    def agency_id_lookup(cls):
        return f"{cls.agency_path}__id" if cls.agency_path else "id"

    @classmethod
    def agency_id_of(cls, obj):
        if not cls.agency_path:
            return obj.pk
        return attrgetter(cls.agency_path.replace("__", ".") + "_id")(obj)

    def for_user(self, user):
        """What the user may read."""
        if is_admin(user):
            return self.all()
        if not may_read_any(user):
            return self.none()
        return self.all()

    def changeable_by(self, user, role=STAFF):
        """What the user may change at the given role."""
        if is_admin(user):
            return self.all()
        return self.filter(**{f"{self.agency_id_lookup()}__in": changeable_agency_ids(user, role)})


def get_readable_or_404(queryset, user, **lookup):
    """The object if the user may read it; otherwise 404, as if it did not exist."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.for_user(user), **lookup)
