"""Data versions: a number per agency that changes whenever any of its data changes.

They make caching exact. A page cached under the versions of the agencies it
shows can never be served after a change to them: the change gives its agency a
new version, so the next request looks under a new key.

The versions are kept by the database, not by the app: triggers on every table
that holds an agency's data (TABLES) give the agency a new version in the same
transaction as the write, whatever made it (a form, the admin, a bulk import, a
queryset `update()`, raw SQL, a restore). So a reader sees a new version only
together with the data that caused it; it may see new data under an old version
(harmless: an entry under a key is never older than the key), never old data
under a new version.

- PostgreSQL: one statement-level trigger per table and operation, with the
  changed rows as a transition table: a bulk write of 100,000 counts bumps its
  agency once. New versions come from the sequence `agencies_dataversion_seq`,
  so a number is never handed out twice, even after a rollback or a TRUNCATE.
- SQLite (local runs): row-level triggers; a new version is the largest one so
  far plus one.

Versions are never deleted (no foreign key to the agency): a deleted agency keeps
its last number, so no sequence of versions can repeat.

Counts are written all day, one widget at a time, so a write to a table of counts
(COUNT_TABLES) also gives each of its widgets a new counts version
(agencies_widgetversion), and changes the agency's `version` but not its
`base_version`, which every other write changes. What is computed per widget can
then be kept under (its agency's base version, its own counts version) and
survive a count saved for another widget (`per_widget`): the dashboard rebuilt
after a save recomputes one widget, not all of them.

The triggers are (re)created after every `migrate` (agencies.apps): adding a table
that holds an agency's data means adding it to TABLES (in agencies.version_triggers,
with the SQL of the triggers); tests/agencies/test_versions.py
fails for a model of these apps that is neither in TABLES nor in UNVERSIONED.
"""

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

# The triggers, and the names other modules read of them.
from .version_triggers import COUNT_TABLES, TABLES, UNVERSIONED, install  # noqa: F401


def token(agency_ids=None, *, base=False):
    """A short string that changes whenever data of the given agencies (all: None) changes
    (with `base`, any data but counts: their base versions).

    One query by primary key (`_versions`). Include it in the key of anything cached.
    """
    column = "base_version" if base else "version"
    return _hashed(_versions("agencies_dataversion", "agency_id", column, agency_ids))


def counts_token(widget_ids):
    """A short string that changes whenever the counts of any of these widgets change
    (their counts versions: agencies_widgetversion). One query. With `token(...,
    base=True)`, the key of what shows these widgets' counts and otherwise only
    data that is not counts."""
    return _hashed(_versions("agencies_widgetversion", "widget_id", "version", widget_ids))


def _versions(table, key, column, ids):
    """[(id, version)] of `ids` (all: None) in a table of versions, in id order: one
    query by primary key, in plain SQL (it runs on every cached page, and the ORM
    would take longer to compile it than the database takes to answer)."""
    sql = f"SELECT {key}, {column} FROM {table}"  # noqa: S608 - module constants
    params = []
    if ids is not None:
        params = sorted(set(ids))
        sql += f" WHERE {key} IN ({', '.join(['%s'] * len(params)) or 'NULL'})"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {key}", params)
        return cursor.fetchall()


def _hashed(pairs):
    return hashlib.blake2b(
        ",".join(f"{a}:{v}" for a, v in pairs).encode(), digest_size=12
    ).hexdigest()


def _digest(parts):
    """A cache key's part for `parts`: any value with a stable repr."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def in_app_transaction():
    """True inside a transaction the app opened (not one a test case wraps around).

    Nothing read there may be cached: if the transaction rolls back, SQLite could
    hand its versions out again for other data.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


# A cached page is never stale (its key changes with the data); this only bounds
# how long an entry nobody asks for again takes memory.
CACHE_SECONDS = 3600
# How long a reader waiting for another's build sleeps between looks at the cache:
# short at first (most builds take 20-300 ms), then every POLL_MAX seconds.
POLL_FIRST, POLL_MAX = 0.005, 0.05


def scope_key(user):
    """What decides which rows a user may read: admin, and their roles by agency.

    Users with the same scope see the same rows, so they may share cached pages.
    """
    from .scoping import agency_roles, is_admin

    return (is_admin(user), tuple(sorted(agency_roles(user).items())))


def cached(name, parts, build, *, agency_ids=None, base=False, timeout=CACHE_SECONDS):
    """`build()`, or what it returned before for the same name, parts and data versions
    (with `base`, base versions: for what reads no counts, which then survives a
    count's save).

    `parts` is everything else the result depends on (the user's scope, the query
    string, today's date...): any value with a stable repr. The versions are read
    before `build()` runs, so an entry is never older than its key. Inside a
    transaction the app opened, nothing is read from or written to the cache.

    Readers who miss the same key at once build it once between them
    (`_build_once`): the others wait for it. A waiting reader gets the page
    built for the versions it read, never an older one: there is no stale page to
    serve, since an older page is under another key.
    """
    if in_app_transaction():
        return build()
    key = f"page:{name}:{token(agency_ids, base=base)}:{_digest(parts)}"
    value = cache.get(key)
    if value is None:
        value = _build_once(key, build, timeout)
    return value


def per_widget(name, agency_id, parts, widget_ids, compute, *, timeout=CACHE_SECONDS):
    """{widget id: value} for `widget_ids` (of the agency `agency_id`), each value
    what `compute(ids)` ({id: value} for a list of ids) returned before for that
    widget, the same name and parts, its agency's base version and its own counts
    version; computed now for the widgets without one, in one call.

    For what depends only on the widget's own definition and counts (and on the
    agency's other data, `parts` and nothing else): one widget's count saved
    recomputes that widget alone. All the widgets' values are kept in one cache
    entry per agency, name, base version and parts, each with its counts version.
    Versions are read before `compute` runs, so no value is older than its
    version. Inside a transaction the app opened, everything is computed.
    """
    widget_ids = list(widget_ids)
    if in_app_transaction() or not widget_ids:
        return compute(widget_ids) if widget_ids else {}
    base = dict(_versions("agencies_dataversion", "agency_id", "base_version", [agency_id]))
    counted = dict(_versions("agencies_widgetversion", "widget_id", "version", widget_ids))
    key = f"widgets:{name}:{agency_id}:{base.get(agency_id)}:{_digest(parts)}"
    kept = cache.get(key) or {}
    found, missing = {}, []
    for pk in widget_ids:
        version, value = kept.get(pk, (None, None))
        # A widget never counted has no row: version 0, until its first count.
        if version is not None and version == counted.get(pk, 0):
            found[pk] = value
        else:
            missing.append(pk)
    if missing:
        computed = compute(missing)
        for pk in missing:
            found[pk] = computed[pk]
            kept[pk] = (counted.get(pk, 0), computed[pk])
        cache.set(key, kept, timeout)
    return found


def per_agency(name, agency_ids, parts, compute, *, timeout=CACHE_SECONDS):
    """{agency id: value} for `agency_ids`, each value what `compute(ids)` ({id:
    value} for a list of ids) returned before for that agency, the same name,
    `parts(agency_id)` and the agency's data version; computed now for the agencies
    without one, in one call.

    For a page of many agencies whose parts each depend on one agency's data alone
    (the scorecard's rows): a write rebuilds its own agency's part. One query for
    the versions and one cache read for all of them. Inside a transaction the app
    opened, everything is computed.
    """
    agency_ids = list(agency_ids)
    if in_app_transaction() or not agency_ids:
        return compute(agency_ids) if agency_ids else {}
    current = dict(_versions("agencies_dataversion", "agency_id", "version", agency_ids))
    keys = {pk: f"agency:{name}:{pk}:{current.get(pk)}:{_digest(parts(pk))}" for pk in agency_ids}
    kept = cache.get_many(list(keys.values()))
    found = {pk: kept[k] for pk, k in keys.items() if k in kept}
    missing = [pk for pk in agency_ids if pk not in found]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[pk]: computed[pk] for pk in missing}, timeout)
        found.update(computed)
    return found


def _build_once(key, build, timeout):
    """Build the page under `key` in one of the readers who miss it at once, and let
    the others wait for it.

    After a write, the first readers of a page all miss it together (every worker,
    and every host when CACHE_URL is shared). The one that takes the lock (cache
    `add`: atomic on every backend, SET NX on Redis) builds; the others look for
    the page it stores. The lock expires after PAGE_BUILD_LOCK_SECONDS, so a
    builder that died (gunicorn's timeout, out of memory) holds nobody up longer
    than that: a waiting reader then takes the lock and builds. A reader that has
    waited PAGE_BUILD_WAIT_SECONDS for a builder still at work builds the page
    itself, as it does when the cache does not answer.
    """
    lock, me = f"{key}:building", uuid.uuid4().hex
    deadline = time.monotonic() + settings.PAGE_BUILD_WAIT_SECONDS
    pause, looked_again = POLL_FIRST, False
    while True:
        if cache.add(lock, me, settings.PAGE_BUILD_LOCK_SECONDS):
            try:
                # Another reader may have stored it between our miss and our lock.
                value = cache.get(key)
                if value is None:
                    value = build()
                    cache.set(key, value, timeout)
                return value
            finally:
                if cache.get(lock) == me:  # not a lock taken over after ours expired
                    cache.delete(lock)
        value = cache.get(key)
        if value is not None:
            return value
        if not cache.has_key(lock):
            # Neither the page nor a lock: the builder failed (the error is its own
            # reader's) or its lock just expired, so try for the lock once more
            # at once; or the cache does not answer (agencies.shared_cache: `add`
            # then fails too), so build here rather than wait on nothing.
            if looked_again:
                break
            looked_again = True
            continue
        if time.monotonic() >= deadline:
            break  # a builder still at work: keep this reader waiting no longer
        time.sleep(pause)
        pause = min(pause * 2, POLL_MAX)
    value = build()
    cache.set(key, value, timeout)
    return value
