"""The real Redis for the tests of the shared cache (CACHE_URL, agencies.shared_cache).

Redis is TEST_REDIS_URL (default redis://127.0.0.1:6379/0; .ci/run starts it and
sets the variable). Each test keeps its keys under a prefix of its own and
deletes only those, so parallel runs do not meet. Without TEST_REDIS_URL a Redis
that does not answer skips these tests; with it, they fail. The fixtures are
offered to tests/agencies/ by its conftest.py.
"""

import os
import uuid

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKEND = "agencies.shared_cache.RedisCache"


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        if "TEST_REDIS_URL" in os.environ:
            pytest.fail(f"TEST_REDIS_URL={REDIS_URL} does not answer: {exc}")
        pytest.skip(f"no Redis answers at {REDIS_URL} ({exc}); .ci/run starts one")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"widgets-test-{uuid.uuid4().hex}"
    yield name
    keys = list(redis_client.scan_iter(match=f"{name}:*", count=1000))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def shared(settings, prefix):
    """This process's caches on Redis, as CACHE_URL sets them (config/settings.py):
    pages under the release too, so that a process started by the test, on the same
    code, shares them."""
    config = {"BACKEND": BACKEND, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    pages = {**config, "KEY_PREFIX": f"{prefix}:{settings.RELEASE}"}
    settings.CACHES = {"default": pages, "ratelimit": config}
    return prefix
