"""Memberships are read once per user object, until forgotten; who counts as admin."""

from types import SimpleNamespace

import pytest

from agencies.models import Role
from agencies.scoping import (
    agency_roles,
    forget_roles,
    get_readable_or_404,
    is_admin,
    may_read_any,
    memberships_of,
)
from widgets.models import Widget, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_a_users_memberships_are_read_once_per_user_object(staff_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = memberships_of(staff_a)
        again = memberships_of(staff_a)
    assert [m.agency.name for m in first] == ["Department of A"]
    assert again == first
    # As the ORM would have read them: from this database, not objects still to add.
    assert {(m._state.db, m.agency._state.db) for m in first} == {("default", "default")}
    assert not first[0].agency._state.adding


def test_forgotten_roles_are_read_again(staff_a, agency_b):
    assert list(agency_roles(staff_a).values()) == [Role.STAFF]
    f.MembershipFactory(user=staff_a, agency=agency_b, role=Role.MANAGER)
    assert len(agency_roles(staff_a)) == 1  # still the roles read before
    forget_roles(staff_a)
    assert agency_roles(staff_a)[agency_b.pk] == Role.MANAGER
    forget_roles(staff_a)
    forget_roles(staff_a)  # nothing cached: nothing to forget


def test_something_that_is_not_a_signed_in_user_has_no_memberships_and_is_not_admin(staff_a):
    stranger = SimpleNamespace(is_active=True, pk=staff_a.pk)
    assert memberships_of(stranger) == []
    assert is_admin(stranger) is False


def test_an_admin_without_memberships_may_read_and_an_inactive_one_may_not(db):
    assert may_read_any(f.AdminFactory()) is True
    assert may_read_any(f.AdminFactory(is_active=False)) is False


def test_a_readable_object_is_found_from_its_model(agency_a, staff_b):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    assert get_readable_or_404(Widget, staff_b, pk=widget.pk) == widget
