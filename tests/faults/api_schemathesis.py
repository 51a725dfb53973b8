"""schemathesis against the served API schema, as CI runs it (.ci/run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/widgets python tests/faults/api_schemathesis.py

It migrates a scratch database, makes one agency with an approved widget and an
API token, starts gunicorn with the production settings (and, with
TEST_REDIS_URL, the shared cache on that Redis) on a free port of 127.0.0.1, and
runs `schemathesis run` on /api/v1/schema with the token and a bounded number of
examples per operation (EXAMPLES, fixed seed). It fails on any server error, any
answer the schema does not describe (status code, content type, headers, body)
and any schema violation.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from serving import PYTHON, ROOT, free_port, run, status_of

SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
BASE = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/widgets")
# Named after DATABASE_URL's database, so that runs against different ones do not meet.
NAME = BASE.rsplit("/", 1)[1].split("?")[0] + "_schemathesis"
DB_URL = BASE.rsplit("/", 1)[0] + "/" + NAME
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "23")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SETUP = """
from tests import factories as f
from widgets.api.tokens import issue_token
agency = f.AgencyFactory(abbreviation="DA", slug="da", name="Department of A")
manager = f.UserFactory(username="manager")
f.MembershipFactory(user=manager, agency=agency, role="manager")
for n in range(3):
    f.WidgetFactory(agency=agency, status="approved", name=f"Permit {n}")
print(issue_token(agency=agency, name="schemathesis", by=manager)[1])
"""


def main():
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "schemathesis-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # What is fuzzed is the API, not its rate limit (tests/agencies/test_rate_limits.py).
        "API_RATE": "100000/m",
    }
    if os.environ.get("TEST_REDIS_URL"):  # as .ci/run sets it: the shared cache, as deployed
        env |= {"CACHE_URL": os.environ["TEST_REDIS_URL"], "CACHE_KEY_PREFIX": NAME}
    dropdb = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", NAME]
    subprocess.run(dropdb, check=False)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", NAME)
    server = None
    try:
        run(PYTHON, "manage.py", "migrate", "-v0", env=env)
        token = run(
            PYTHON, "manage.py", "shell", "-c", SETUP, env=env, capture_output=True, text=True
        ).stdout.split()[-1]
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "-w", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        schema = f"http://127.0.0.1:{port}/api/v1/schema"
        deadline = time.monotonic() + 60
        while status_of(schema) != 200:
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)
        result = subprocess.run(
            [
                SCHEMATHESIS,
                "run",
                schema,
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                SEED,
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--no-color",
            ],
            cwd=ROOT,
            check=False,
        )
        sys.exit(result.returncode)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(dropdb, check=False)


if __name__ == "__main__":
    main()
