"""Two gunicorn workers share one sign-in allowance through Redis, as CI runs it (.ci/run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/widgets \\
    TEST_REDIS_URL=redis://127.0.0.1:6379/0 python tests/faults/shared_rate_limit.py

It migrates a scratch database, starts gunicorn with 2 workers and the production
settings, the shared cache on TEST_REDIS_URL (keys under a prefix of this run)
and SIGN_IN_RATE=6/d, then makes ATTEMPTS password sign-ins with a wrong
password from one address, each on a new connection. Exactly 6 may be let
through, whichever worker answers; the rest are 429. The access log names the
worker (pid) of each answer: refusals from both workers show they counted
together (with the per-process cache each would let 6 through).
tests/agencies/test_shared_cache.py proves the same deterministically with two
processes; this runs it as deployed. The sign-in page needs the static files
collected with the production settings (`.ci/run` collects them first).
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import redis
from serving import PYTHON, ROOT, free_port, run, status_of

BASE = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/widgets")
NAME = BASE.rsplit("/", 1)[1].split("?")[0] + "_ratelimit"
DB_URL = BASE.rsplit("/", 1)[0] + "/" + NAME
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ALLOWED, ATTEMPTS = 6, 30


def attempt(base):
    """One sign-in with a wrong password, as a browser makes it: the status."""
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=10) as page:  # noqa: S310 - loopback only
        html = page.read().decode()
        # The production cookie is Secure: sent back by hand over plain http.
        cookies = [c.split(";", 1)[0] for c in page.headers.get_all("Set-Cookie") or []]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {"csrfmiddlewaretoken": token, "login": "nobody", "password": "wrong"}
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Cookie": "; ".join(cookies)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def main():
    access_log = Path(tempfile.mkdtemp(prefix="widgets-ratelimit-")) / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "ratelimit-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"{NAME}-{uuid.uuid4().hex}",
        "SIGN_IN_RATE": f"{ALLOWED}/d",  # a day: no window ends during the run
        "AXES_FAILURE_LIMIT": str(ATTEMPTS * 2),  # the rate limit is tested, not the lockout
    }
    dropdb = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", NAME]
    subprocess.run(dropdb, check=False)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", NAME)
    server = None
    try:
        run(PYTHON, "manage.py", "migrate", "-v0", env=env)
        port = free_port()
        server = subprocess.Popen(
            [
                *(PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "2", "--access-logfile", str(access_log)),
                *("--access-logformat", "%(p)s %(m)s %(s)s"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while status_of(f"{base}/healthz") != 200:
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)
        statuses = [attempt(base) for _ in range(ATTEMPTS)]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(dropdb, check=False)
        shared = redis.Redis.from_url(REDIS_URL)
        for key in shared.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*"):
            shared.delete(key)

    answers = Counter(
        tuple(line.split()[::2]) for line in access_log.read_text().splitlines() if " POST " in line
    )
    print(f"sign-in attempts: {Counter(statuses)}; by worker and status: {dict(answers)}")
    if statuses != [200] * ALLOWED + [429] * (ATTEMPTS - ALLOWED):
        sys.exit(f"expected {ALLOWED} attempts let through, then 429s: {statuses}")
    refusing = {pid for pid, status in answers if status == "429"}
    if len(refusing) < 2:
        print("note: one worker answered every refusal; the sharing was not exercised this run")


if __name__ == "__main__":
    main()
