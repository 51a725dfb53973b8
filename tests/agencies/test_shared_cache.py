"""The shared cache (CACHE_URL, agencies.shared_cache) against the real Redis.

Redis is TEST_REDIS_URL (default redis://127.0.0.1:6379/0; .ci/run starts it and
sets the variable). Each test keeps its keys under a prefix of its own and
deletes only those, so parallel runs do not meet. Without TEST_REDIS_URL a Redis
that does not answer skips these tests; with it, they fail.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from config.release import code_digest
from widgets.api import tokens as api_tokens

from ..factories import TEST_PASSWORD
from ..redis_cache import BACKEND, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_settings_put_pages_and_rate_limits_on_the_redis_cache_url_names():
    """Pages under the release too (config/release.py), rate limits across releases."""
    caches_of = _settings_in_a_process(
        {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": "agency-x", "RELEASE": "r42"}
    )
    for alias, prefix in (("default", "agency-x:r42"), ("ratelimit", "agency-x")):
        assert caches_of[alias]["BACKEND"] == BACKEND
        assert (caches_of[alias]["LOCATION"], caches_of[alias]["KEY_PREFIX"]) == (
            REDIS_URL,
            prefix,
        )
    digest = _settings_in_a_process({"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": "agency-x"})
    assert digest["default"]["KEY_PREFIX"] == f"agency-x:{code_digest(ROOT)}"
    embedded = _settings_in_a_process({"CACHE_URL": ""})
    assert {c["BACKEND"] for c in embedded.values()} == {
        "django.core.cache.backends.locmem.LocMemCache"
    }


def test_a_cache_url_that_is_not_redis_is_refused_at_start():
    result = _python(
        "import config.settings", {"CACHE_URL": "memcached://127.0.0.1:11211"}, check=False
    )
    assert result.returncode != 0
    assert "CACHE_URL must name a Redis server" in result.stderr


def test_separate_processes_share_one_rate_limit_allowance(prefix):
    """Two processes (as two gunicorn workers, or two app hosts) counting against one
    Redis get the allowance once between them, not once each: one after the
    other, and both at once."""
    env = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    env |= {"SIGN_IN_RATE": "10/d", "API_RATE": "10/d"}  # a day: no window ends mid-test
    first, second = workers = [_start(COUNTING_PROCESS, env) for _ in range(2)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()

    def ask(worker, tries, client):
        worker.stdin.write(f"{tries} {client}\n")
        worker.stdin.flush()

    def answer(worker):
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        return json.loads(line)

    ask(first, 6, "one")
    one_after_the_other = [answer(first)]
    ask(second, 6, "one")
    one_after_the_other.append(answer(second))
    for worker in workers:
        ask(worker, 10, "two")
    both_at_once = [answer(worker) for worker in workers]
    for worker in workers:
        _out, err = worker.communicate(timeout=30)  # closes stdin: the worker ends
        assert worker.returncode == 0, err

    for group in ("sign_in", "api"):
        assert [r[group] for r in one_after_the_other] == [[False] * 6, [False] * 4 + [True] * 2]
        limited = [refused for result in both_at_once for refused in result[group]]
        assert (limited.count(False), limited.count(True)) == (10, 10), (group, both_at_once)


# One worker: for each line "<tries> <client>" on stdin, that many sign-in attempts
# from the client's address and API calls with its token; the refusals as JSON.
COUNTING_PROCESS = """
import json, sys, types
import django
django.setup()
from django.test import RequestFactory
from agencies.ratelimits import api_limited, sign_in_limited
print("ready", flush=True)
for line in sys.stdin:
    tries, client = line.split()
    factory = RequestFactory(REMOTE_ADDR={"one": "198.51.100.1", "two": "198.51.100.2"}[client])
    token = types.SimpleNamespace(pk=client)
    sign_in = [sign_in_limited(factory.post("/accounts/login/")) for _ in range(int(tries))]
    api = [api_limited(factory.get("/api/v1/widgets"), token) for _ in range(int(tries))]
    print(json.dumps({"sign_in": sign_in, "api": api}), flush=True)
"""


def test_sign_in_and_api_limits_count_on_redis(settings, shared, redis_client, agency_a, manager_a):
    settings.SIGN_IN_RATE, settings.API_RATE = "2/d", "2/d"
    here = Client(REMOTE_ADDR="198.51.100.1")
    attempts = [
        here.post(reverse("login"), {"login": "nobody", "password": "x"}).status_code
        for _ in range(3)
    ]
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="Sys", by=manager_a)
    calls = [
        Client().get("/api/v1/widgets", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code
        for _ in range(3)
    ]

    assert (attempts, calls) == ([200, 200, 429], [200, 200, 429])
    assert len(list(redis_client.scan_iter(match=f"{shared}:*:rl:*"))) == 2


def test_pages_are_cached_in_redis(client, shared, redis_client, manager_a):
    client.force_login(manager_a)
    assert client.get(reverse("widgets:list")).status_code == 200
    assert list(redis_client.scan_iter(match=f"{shared}:*:page:*"))
    assert client.get(reverse("widgets:list")).status_code == 200  # read back from Redis


def test_with_redis_down_pages_sign_in_and_the_api_go_on_and_say_so_in_the_log(
    settings, client, agency_a, manager_a, caplog
):
    down = {"BACKEND": BACKEND, "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "down"}
    settings.CACHES = {"default": down, "ratelimit": down}
    settings.SIGN_IN_RATE = settings.API_RATE = "1/d"
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="Sys", by=manager_a)

    signed_in = client.post(reverse("login"), {"login": "manager_a", "password": TEST_PASSWORD})
    pages = [client.get(reverse("widgets:list")).status_code for _ in range(2)]
    api = [
        Client().get("/api/v1/widgets", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code
        for _ in range(2)
    ]

    assert (signed_in.status_code, pages, api) == (302, [200, 200], [200, 200])
    assert "The shared cache did not answer" in caplog.text
    with pytest.raises(redis.exceptions.ConnectionError):
        caches["default"].clear()  # asked for on purpose: it says it failed


def _python(code, env, *, check=True):
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )


def _settings_in_a_process(env):
    code = "import json; from config import settings; print(json.dumps(settings.CACHES))"
    return json.loads(_python(code, env).stdout)


def _start(code, env):
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
