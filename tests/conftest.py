import shutil
import tempfile
from pathlib import Path

import pytest

from agencies.models import Role

from .factories import AdminFactory, AgencyFactory, MembershipFactory, UserFactory


@pytest.fixture
def agency_a(db):
    return AgencyFactory(name="Department of A", abbreviation="DA", slug="da")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="Department of B", abbreviation="DB", slug="db")


def _member(agency, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def staff_a(agency_a):
    return _member(agency_a, Role.STAFF, "staff_a")


@pytest.fixture
def manager_a(agency_a):
    return _member(agency_a, Role.MANAGER, "manager_a")


@pytest.fixture
def staff_b(agency_b):
    return _member(agency_b, Role.STAFF, "staff_b")


@pytest.fixture
def manager_b(agency_b):
    return _member(agency_b, Role.MANAGER, "manager_b")


@pytest.fixture
def outsider(db):
    """Signed in, but a member of no agency."""
    return UserFactory(username="outsider")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="root")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with nothing cached: a test's rolled-back transaction can give
    the next one the same data versions for other data (a rollback the app never does
    to committed data)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_sessionfinish(session):
    """Remove this process's own upload folder (MEDIA_ROOT, a new temporary folder in
    config/settings_test.py): under pytest-xdist each worker, and the controller,
    has one of its own, so none sees another's files."""
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    if media.parent == Path(tempfile.gettempdir()) and media.name.startswith("widgets-test-media-"):
        shutil.rmtree(media, ignore_errors=True)
