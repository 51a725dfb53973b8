"""The background worker (`manage.py worker`: django-tasks' database backend and the
schedule, agencies.schedule) in its own process, on the test database, as production
runs it.

Tests that use it commit their data (django_db(transaction=True)) for it to see;
the worker reads the files the test process stashed (TEST_MEDIA_ROOT). `env` adds
to its environment (e.g. TEST_EMAIL_DIR: e-mail written to files there).
"""

import os
import subprocess
import sys

from django.conf import settings
from django.db import connection


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
