"""After a write, the readers who miss a page at once build it once between them
(agencies.versions.cached, `_build_once`): one builds under a lock kept in the
cache, the others wait for the page it stores. Builds are counted, not timed.

Against the real Redis (tests/redis_cache.py) with separate processes, as gunicorn
workers or app hosts share it, and with threads on either cache.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse

from agencies import versions
from widgets import counting
from widgets.models import WidgetStatus

from .. import factories as f
from ..redis_cache import BACKEND, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
READERS = 6
WORKERS = 4  # gunicorn workers, as the benchmark runs them
# How long a build takes in these tests: long enough that readers arriving together
# meet while it runs (a cold dashboard at state scale takes 200-300 ms).
BUILD_SECONDS = 0.4

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(settings):
    """Readers wait for a builder as long as it takes: these tests count builds, and
    a loaded machine must not turn a long wait into a second build."""
    settings.PAGE_BUILD_WAIT_SECONDS = 120
    return settings


@pytest.fixture(params=["process", "redis"])
def any_cache(request, patient):
    if request.param == "redis":
        request.getfixturevalue("shared")
    return request.param


def test_readers_who_miss_a_page_together_build_it_once(any_cache):
    builds, lock = [], threading.Lock()

    def build():
        with lock:
            builds.append(threading.get_ident())
        time.sleep(BUILD_SECONDS)
        return f"page {len(builds)}"

    pages = _together(READERS, lambda: versions.cached("together", ("parts",), build))

    assert len(builds) == 1
    assert pages == ["page 1"] * READERS


def test_a_failed_build_is_taken_over_by_one_waiting_reader(any_cache):
    """The builder's error is its own reader's; one of the waiting readers takes the
    lock and builds, the others still wait for its page."""
    builds, lock = [], threading.Lock()

    def build():
        with lock:
            builds.append(threading.get_ident())
            first = len(builds) == 1
        time.sleep(BUILD_SECONDS)
        if first:
            raise RuntimeError("the first build fails")
        return "page"

    pages = _together(READERS, lambda: versions.cached("failing", ("parts",), build))

    assert len(builds) == 2
    assert sorted(pages) == ["RuntimeError: the first build fails"] + ["page"] * (READERS - 1)


@pytest.mark.django_db(transaction=True)
def test_after_a_write_reader_processes_sharing_redis_build_the_dashboard_once(
    prefix, agency_a, manager_a, staff_a
):
    """Gunicorn workers (or app hosts) on one Redis: after each count saved, all of
    them ask for the agency dashboard at once; one builds it, and every one of
    them shows the new figure."""
    widget = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="month"
    )
    period = dt.date(2026, 1, 1)
    f.WidgetCountFactory(widget=widget, period_start=period, demand=100, backlog=20)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    readers = [_reader(prefix, manager_a, url) for _ in range(WORKERS)]
    try:
        for reader in readers:
            assert reader.stdout.readline().strip() == "ready", reader.stderr.read()
        rounds = []
        for demand in (4321, 5432, 6543):
            change = counting.CountChange(
                widget=widget, period_start=period, values={"demand": demand}
            )
            counting.save_counts([change], by=staff_a, source="form")  # a new data version
            for reader in readers:
                reader.stdin.write("get\n")
                reader.stdin.flush()
            answers = [json.loads(reader.stdout.readline() or "{}") for reader in readers]
            rounds.append((demand, answers))
    finally:
        for reader in readers:
            reader.communicate(timeout=60)  # closes stdin: the reader ends

    for demand, answers in rounds:
        assert [a["status"] for a in answers] == [200] * WORKERS, answers
        assert sum(a["built"] for a in answers) == 1, (demand, answers)
        assert all(f"{demand:,}" in a["figures"] for a in answers), (demand, answers)


def test_a_lock_left_by_a_builder_that_died_expires_and_blocks_no_page(
    shared, patient, redis_client
):
    """A worker killed while it builds (gunicorn's timeout, out of memory) leaves its
    lock in Redis. It expires after PAGE_BUILD_LOCK_SECONDS: the next reader then
    builds the page, instead of waiting PAGE_BUILD_WAIT_SECONDS (120 s here)."""
    patient.PAGE_BUILD_LOCK_SECONDS = 1
    builder = _python(
        DYING_BUILDER, {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": shared}, stdin=None
    )
    try:
        assert builder.stdout.readline().strip() == "building", builder.stderr.read()
        assert list(redis_client.scan_iter(match=f"{shared}:*:building"))
    finally:
        os.kill(builder.pid, signal.SIGKILL)  # the process this test started
        builder.communicate(timeout=30)
    builds = []

    started = time.monotonic()
    page = versions.cached("dying", ("parts",), lambda: builds.append(1) or "page", agency_ids=[])
    waited = time.monotonic() - started

    assert (page, len(builds)) == ("page", 1)
    assert waited < 30, f"waited {waited:.1f} s for a lock nobody holds"
    assert not list(redis_client.scan_iter(match=f"{shared}:*:building"))
    assert versions.cached("dying", ("parts",), lambda: "built again", agency_ids=[]) == "page"


def test_with_the_cache_down_a_reader_builds_at_once(settings, patient):
    """No lock can be taken on a Redis that does not answer: the reader builds the
    page without waiting for one (agencies.shared_cache)."""
    down = {"BACKEND": BACKEND, "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "down"}
    settings.CACHES = {"default": down, "ratelimit": down}
    builds = []

    started = time.monotonic()
    page = versions.cached("down", ("parts",), lambda: builds.append(1) or "page")

    assert (page, len(builds)) == ("page", 1)
    assert time.monotonic() - started < 30


def test_the_lock_is_released_after_the_build(patient):
    assert versions.cached("released", ("parts",), lambda: "page", agency_ids=[]) == "page"
    assert not [k for k in cache._cache if ":building" in k]  # LocMemCache's own store


# -- helpers ------------------------------------------------------------------------------


def _together(n, call):
    """`call()` in n threads released at once; what each returned (or the error)."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported to the test as its result
            results[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _python(code, env, *, args=(), stdin=subprocess.PIPE):
    if connection.vendor != "postgresql":
        pytest.skip("processes share the test database on PostgreSQL only")
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "PAGE_BUILD_WAIT_SECONDS": "120",
            **env,
        },
        cwd=ROOT,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _reader(prefix, user, url):
    env = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    return _python(READER, env, args=[str(user.pk), url, str(BUILD_SECONDS)])


# A gunicorn worker, signed in as the user: for each line on stdin it gets the page
# and answers its status, how many times it built the dashboard (the real build,
# counted), and the page's figures.
READER = """
import json, re, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.contrib.auth import get_user_model
from django.test import Client
from outcomes import dashboard_views

user_id, url, build_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
builds = 0
real_build = dashboard_views._dashboard_body

def counted_build(*args, **kwargs):
    global builds
    builds += 1
    time.sleep(build_seconds)  # as long as a build at state scale: the readers meet
    return real_build(*args, **kwargs)

dashboard_views._dashboard_body = counted_build
client = Client()
client.force_login(get_user_model().objects.get(pk=user_id))
print("ready", flush=True)
for line in sys.stdin:
    before = builds
    response = client.get(url)
    figures = sorted(set(re.findall(r"\\d{1,3}(?:,\\d{3})+", response.content.decode())))
    answer = {"status": response.status_code, "built": builds - before, "figures": figures}
    print(json.dumps(answer), flush=True)
"""

# A builder that takes the lock and then hangs until it is killed.
DYING_BUILDER = """
import sys, threading
import django
django.setup()
from django.conf import settings
settings.PAGE_BUILD_LOCK_SECONDS = 1
from agencies import versions

def hang():
    print("building", flush=True)
    threading.Event().wait()

versions.cached("dying", ("parts",), hang, agency_ids=[])
"""
