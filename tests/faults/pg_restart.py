"""Restart PostgreSQL under a running gunicorn and show that requests succeed
again without restarting the app (CONN_HEALTH_CHECKS reconnects).

Run by .ci/run after the test suite:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/widgets python tests/faults/pg_restart.py

It migrates a scratch database, loads the demo data, starts gunicorn on a free
port on 127.0.0.1, requests a page that reads the database, restarts the
PostgreSQL cluster, and polls until the page answers again. It prints the
recovery time and exits non-zero if the app does not recover within 60 s, or
if any request after PostgreSQL is back fails.
"""

import os
import subprocess
import sys
import time

from serving import PYTHON, ROOT, free_port, run, status_of

BASE = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/widgets")
DB_URL = BASE.rsplit("/", 1)[0] + "/widgets_faults"
LIMIT = 60
# From gunicorn's start, not the script's: migrate and seed_demo before it take
# minutes on a busy machine.
START_LIMIT = 180


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def main():
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "fault-test-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "widgets_faults"],
        check=False,
    )
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", "widgets_faults")
    run(PYTHON, "manage.py", "migrate", "-v0", env=env)
    run(PYTHON, "manage.py", "seed_demo", env=env, stdout=subprocess.DEVNULL)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    port = free_port()
    url = f"http://127.0.0.1:{port}/public/deq/"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_LIMIT
        while (status := status_of(url)) != 200:
            if time.monotonic() > deadline:
                sys.exit(f"gunicorn did not answer 200 in {START_LIMIT}s (last: {status})")
            time.sleep(0.2)
        for _ in range(10):  # every worker holds an open connection now
            assert status_of(url) == 200
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        started = time.monotonic()
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart")
        while not pg_ready():
            time.sleep(0.1)
        back = time.monotonic()
        failures = 0
        while (status := status_of(url)) != 200:
            failures += 1
            if time.monotonic() - back > LIMIT:
                sys.exit(f"not recovered {LIMIT}s after PostgreSQL came back (last: {status})")
            time.sleep(0.1)
        recovered = time.monotonic()
        later = [status_of(url) for _ in range(20)]
        print(
            f"PostgreSQL restart: down and up in {back - started:.1f}s; app answered 200 again "
            f"{recovered - back:.2f}s later, with {failures} failed requests in between; "
            f"then {later.count(200)}/20 requests OK"
        )
        if failures or later.count(200) != 20:
            sys.exit("requests failed after PostgreSQL was back")
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "widgets_faults"],
            check=False,
        )


if __name__ == "__main__":
    main()
