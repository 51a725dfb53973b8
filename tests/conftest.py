import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings

from agencies.models import Role

from .factories import AdminFactory, AgencyFactory, MembershipFactory, UserFactory

# Test modules whose tests run on one pytest-xdist worker (`make test` runs two), one
# after the other in the order of a serial run: those that save screenshots write the
# same files (tests/browser/conftest.py fails the run if one is missing here).
SAME_WORKER = {
    "tests/browser/test_huddle.py": "screenshots",
    "tests/browser/test_outcomes.py": "screenshots",
    "tests/browser/test_screenshots.py": "screenshots",
    "tests/browser/test_charts.py": "screenshots",
    "tests/browser/test_huddles.py": "screenshots",
    "tests/browser/test_inventory_import.py": "screenshots",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup, with the modules of SAME_WORKER as groups. Marks would not do:
    pytest-xdist 3.8 groups the tests of an xdist_group mark by appending to their
    node ids, which has no effect on pytest 9.2 (pytest-xdist issue 1386)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            return SAME_WORKER.get(nodeid.split("::")[0]) or super()._split_scope(nodeid)

    return Scheduling(config, log)


# Each table's ids start at its own multiple of ID_STEP, so that no two tables share
# an id: a rule keyed on the wrong id (an object's own id where its agency's was
# meant) finds nothing, instead of agency 1's object 1 by coincidence.
ID_STEP = 1_000_000


# make mutate (tools/mutate.py, docs/testing.md) runs a pytest session per mutant,
# two at a time, all on one test database it has made and migrated beforehand
# (named here). See MUTATE_DATABASE below for what changes then.
MUTATE_DATABASE = os.environ.get("MUTATE_TEST_DATABASE", "")

if not MUTATE_DATABASE:

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            start_ids_apart()

else:

    @pytest.fixture(scope="session")
    def django_db_setup():
        """Only point at the database make mutate made (its ids already apart).

        The usual setup runs migrate even on a reused database, and migrate's
        post_migrate handler re-creates the data version triggers
        (agencies/apps.py): two sessions that start together collide on that
        ("tuple concurrently updated", or a deadlock with the other session's
        test), and then every test of one session errors, which mutmut counts as
        a killed mutant. Every mutant of a module died so, in seconds."""
        from django.conf import settings
        from django.db import connections

        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = MUTATE_DATABASE
        connections["default"].settings_dict["NAME"] = MUTATE_DATABASE

    # The same examples in every run, and none shrunk: a mutant is killed by what it
    # breaks, not by the luck of a draw, and a failing example needs no minutes of
    # shrinking to count.
    hypothesis_settings.register_profile(
        "mutate", derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate]
    )
    hypothesis_settings.load_profile("mutate")


def pytest_collection_modifyitems(config, items):
    """Under make mutate, leave out the tests that commit (transaction=True, a live
    server): their flush empties the shared database under the other session's test."""
    if not MUTATE_DATABASE:
        return
    committing = {"transactional_db", "live_server", "django_db_reset_sequences"}
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("django_db")
        commits = marker is not None and any(
            marker.kwargs.get(k) for k in ("transaction", "reset_sequences", "serialized_rollback")
        )
        if commits or committing & set(getattr(item, "fixturenames", ())):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def start_ids_apart():
    from django.apps import apps
    from django.db import connection, models

    tables = sorted(
        {
            (model._meta.db_table, model._meta.pk.column)
            for model in apps.get_models(include_auto_created=True)
            if isinstance(model._meta.pk, models.AutoField)
        }
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for n, (table, column) in enumerate(tables, start=1):
            start = n * ID_STEP
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                    f"GREATEST(%s, (SELECT MAX({quote(column)}) FROM {quote(table)})))",
                    [table, column, start],
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                )


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
    to committed data). Rate-limit counts start from nothing too (agencies.ratelimits)."""
    from django.core.cache import caches

    for name in ("default", "ratelimit"):
        caches[name].clear()
    yield
    for name in ("default", "ratelimit"):
        caches[name].clear()


# Under make mutate, the tests that could not use the test database: in their setup
# (none there, a connection refused, or "tuple concurrently updated" from two sessions
# migrating it at once), or at any step when the connection failed or closed (a
# PostgreSQL restart on a shared server). mutmut counts any failing run as a killed
# mutant; no mutant does these.
_UNREACHED = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (MUTATE_DATABASE and report.failed and call.excinfo):
        return
    from django.db import InterfaceError, InternalError, OperationalError

    lost = call.excinfo.errisinstance((OperationalError, InterfaceError)) and any(
        words in str(call.excinfo.value)
        for words in ("connection failed", "connection is closed", "shutting down")
    )
    if lost or (
        report.when == "setup"
        and call.excinfo.errisinstance((OperationalError, InterfaceError, InternalError))
    ):
        _UNREACHED.append(item.nodeid)


def pytest_sessionfinish(session):
    """Remove this process's own upload folder (MEDIA_ROOT, a new temporary folder in
    config/settings_test.py): under pytest-xdist each worker, and the controller,
    has one of its own, so none sees another's files.

    Under make mutate, a session whose test could not reach the database ends with
    mutmut's "suspicious" (35), not as a failure: a mutant is killed by a test that
    fails on it, and a run that never reached its assertions proves nothing."""
    if _UNREACHED:
        print(f"\nmake mutate: the database was not reached in {_UNREACHED[0]}: suspicious")
        session.exitstatus = 35
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    if media.parent == Path(tempfile.gettempdir()) and media.name.startswith("widgets-test-media-"):
        shutil.rmtree(media, ignore_errors=True)
