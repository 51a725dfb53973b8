"""The shared cache (CACHE_URL): Django's own Redis backend, which goes on without
Redis when it does not answer.

The cache only saves work; it holds nothing that is not elsewhere. So while Redis
is down (or slower than the socket timeouts in config/settings.py), a read is a
miss and a write is skipped, and each is logged as a warning (logger
`agencies.shared_cache`): the outage shows in the logs, not as error pages.

- Pages are built instead of read (agencies.versions.cached).
- Rate limits let requests through (agencies.ratelimits; RATELIMIT_FAIL_OPEN):
  failing closed would stop everyone signing in and every API call while Redis
  is down. django-axes still locks an account out after repeated wrong
  passwords: it counts in the database.
- allauth's own uses (a TOTP code already used, its rate limits) forget for the
  outage, as they would on a cache that was emptied.

`clear()` is not covered: it is asked for on purpose, and should say it failed.
"""

import functools
import logging

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

log = logging.getLogger(__name__)


def _or(answer):
    """What a method answers when Redis does not: `answer(*args)`."""

    def wrap(method):
        @functools.wraps(method)
        def tolerant(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                log.warning("The shared cache did not answer %s: %s", method.__name__, exc)
                return answer(*args, **kwargs)

        return tolerant

    return wrap


def _missing_key(key, *args, **kwargs):
    # What the backend says of a key it does not hold: django-ratelimit then
    # counts nothing and, with RATELIMIT_FAIL_OPEN, lets the request through.
    raise ValueError(f"Key {key!r} not found (the shared cache did not answer).")


class RedisCache(django_redis.RedisCache):
    get = _or(lambda key, default=None, *a, **k: default)(django_redis.RedisCache.get)
    add = _or(lambda *a, **k: False)(django_redis.RedisCache.add)
    set = _or(lambda *a, **k: None)(django_redis.RedisCache.set)
    touch = _or(lambda *a, **k: False)(django_redis.RedisCache.touch)
    delete = _or(lambda *a, **k: False)(django_redis.RedisCache.delete)
    has_key = _or(lambda *a, **k: False)(django_redis.RedisCache.has_key)
    incr = _or(_missing_key)(django_redis.RedisCache.incr)
    get_many = _or(lambda *a, **k: {})(django_redis.RedisCache.get_many)
    set_many = _or(lambda data, *a, **k: list(data))(django_redis.RedisCache.set_many)
    delete_many = _or(lambda *a, **k: None)(django_redis.RedisCache.delete_many)
