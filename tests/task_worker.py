"""The background worker (`manage.py worker`: django-tasks' database backend and the
schedule, agencies.schedule) in its own process, on the test database, as production
runs it.

Tests that use it commit their data (django_db(transaction=True)) for it to see;
the worker reads the files the test process stashed (TEST_MEDIA_ROOT). `env` adds
to its environment (e.g. TEST_EMAIL_DIR: e-mail written to files there).
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

# The worker is another process: it cannot reach SQLite's test database, which lives
# in the test process's memory. Its tests run on PostgreSQL, as CI runs them.
IN_ITS_OWN_PROCESS = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker process cannot reach SQLite's in-memory test database",
)


def start_worker(*args, env=None):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": url,
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    command = [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.2", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finished(worker, timeout=600):
    """The worker's exit code and what it wrote to stderr, its pipe closed."""
    _out, err = worker.communicate(timeout=timeout)
    return worker.returncode, err.decode()


def wait_for(job, done, seconds=300):
    """Read `job` (a model instance) again until `done(job)`; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if done(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job stayed {job.status} for {seconds} s")


def wait_until_stalled(job, seconds=30):
    """Wait until `job` is stalled (agencies.jobs.stalled: no worker holds its lock);
    fails after `seconds`. PostgreSQL ends a killed worker's session, and releases the
    lock, only when the session next reads from or writes to its client: a statement
    under way (or waiting on a lock) runs on until then."""
    from agencies import jobs

    return wait_for(job, jobs.stalled, seconds=seconds)


def kill_worker_when(job, ready, *, before=None):
    """Start a worker, wait until `ready(job)`, call `before()` if given, then SIGKILL the
    worker (a crash, or a restart that does not wait) and wait until it is gone."""
    worker = start_worker()
    try:
        wait_for(job, ready)
        if before is not None:
            before()
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        finished(worker, timeout=30)
