"""Every page under load twice: while nobody writes, and while bench/writer.py saves
counts through the app's write path (1 a second in the measured agency, 5 a second
across the rest of the state); each time with the per-process cache and with the
shared cache on Redis (CACHE_URL). One gunicorn per cache, both loads on it.

Results: {cache: {"idle": {page: figures}, "writes": {page: figures}, "writer": stats}}.
"""

import json
import os
import subprocess

import redis
from common import PYTHON, ROOT, log
from serving import free_port, load_pages, start_gunicorn, stop

WRITES = {"agency_rate": 1.0, "state_rate": 5.0}  # saves per second (issue 22)
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/0"


def redis_answers(url):
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.exceptions.RedisError as exc:
        log(f"no Redis answers at {url} ({exc}): the shared cache is not measured")
        return False


def forget(url, prefix):
    """Delete this run's keys (and only them) from the Redis it used."""
    with redis.Redis.from_url(url) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)


def start_writer(env, agency):
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "bench/writer.py"],
        cwd=ROOT,
        env={**env, "BENCH_ARGS": json.dumps({"agency": agency, **WRITES})},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    if line != "ready":
        process.kill()
        raise SystemExit(f"bench/writer.py did not start ({line!r})")
    log(f"writer: {WRITES['agency_rate']:g} save/s in {agency}, "
        f"{WRITES['state_rate']:g} save/s across the other agencies")  # fmt: skip
    return process


def stop_writer(process):
    out, _ = process.communicate(timeout=120)  # closing stdin stops it
    lines = [x for x in out.splitlines() if x.startswith("BENCH_JSON ")]
    if not lines:
        raise SystemExit(f"bench/writer.py ended without its figures (exit {process.returncode})")
    line = lines[-1]
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    log(f"writer: {stats['saves']} saves in {stats['seconds']} s, "
        f"{stats['achieved_per_s']} per s, errors {stats['errors'] or 'none'}")  # fmt: skip
    return stats


def measure(wrk, env, prepared, seconds, caches, logdir, cache_url):
    phases = {}
    for cache in caches:
        prefix = f"widgets-bench-{os.getpid()}"
        server_env = {**env, "CACHE_URL": cache_url if cache == "redis" else ""}
        server_env["CACHE_KEY_PREFIX"] = prefix
        (logdir / cache).mkdir()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log(f"cache: {'Redis ' + cache_url if cache == 'redis' else 'per process'}")
        server = start_gunicorn(server_env, port, logdir / cache)
        try:
            idle = load_pages(wrk, base, prepared, seconds, f", {cache} cache")
            writer = start_writer(server_env, prepared["agency"])
            try:
                busy = load_pages(wrk, base, prepared, seconds, f", {cache} cache, writes")
            finally:
                stats = stop_writer(writer)
        finally:
            stop(server)
            if cache == "redis":
                forget(cache_url, prefix)
        phases[cache] = {"idle": idle, "writes": busy, "writer": stats}
    return phases
