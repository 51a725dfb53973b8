"""The service inventory measurement (bench/run.py, also alone with `--only inventory`):
a generated inventory of the whole published inventory's shape (bench/inventory_data.py:
1,721 service rows and 2,341 standards of 78 departments) previewed and committed
in-process under production settings, then through the import page and the
background worker, then imported again; against issue 20's targets (preview under
5 s, commit under 10 s).

Each measurement starts from an empty database of its own (`<database>_inventory`,
made again each run): the in-process commit is rolled back, so the page and the
worker then import into the same empty database, and the re-import finds it all.

    python bench/inventory_import.py run [--database NAME]   # alone, prints the figures
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGETS = {"preview_s": 5.0, "commit_s": 10.0}


# -- the orchestrating side (bench/run.py) ------------------------------------------------


def measure_inventory(env, tmp, database):
    """Generate the inventory, make its database, measure in a fresh process; the figures."""
    import psycopg
    from common import PYTHON, log, run
    from inventory_data import write

    services, standards, departments = write(tmp / "inventory")
    name = f"{database}_inventory"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    db_env = {**env, "DATABASE_URL": f"{SERVER}/{name}", "MEDIA_ROOT": str(tmp / "media")}
    log(f"inventory: {name}: migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], db_env)
    log("inventory: preview and commit in-process, then the page and the worker, then again")
    result = subprocess.run(  # noqa: S603
        [PYTHON, "bench/inventory_import.py", "inprocess"],
        cwd=ROOT,
        env={**db_env, "BENCH_ARGS": json.dumps({"files": [str(services), str(standards)]})},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench/inventory_import.py failed (exit {result.returncode})")
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")][-1]
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["departments"] = len(departments)
    return figures


def print_inventory(figures):
    rows = figures["rows"]
    print(
        f"\nService inventory ({rows['services']:,} service rows + {rows['standards']:,} "
        f"standards, {figures['departments']} departments, production settings):"
    )
    for label, key in (
        ("preview, in-process", "preview_s"),
        ("commit, in-process (empty database)", "commit_s"),
        ("preview page (upload + render)", "page_preview_s"),
        ("commit through the worker (queued -> saved)", "worker_s"),
        ("re-import preview (all unchanged)", "again_preview_s"),
        ("re-import commit (writes nothing)", "again_commit_s"),
    ):
        target = TARGETS.get(key) or TARGETS.get(
            key.replace("page_", "").replace("worker", "commit")
        )
        verdict = "" if target is None else (
            f"  target < {target:g} s: {'PASS' if figures[key] < target else 'FAIL'}"
        )  # fmt: skip
        print(f"  {label:<48} {figures[key]:7.2f} s{verdict}")
    print(
        f"  commit queries: {figures['commit_queries']}; preview page "
        f"{figures['page_bytes'] / 1024:,.0f} KB; worker job: {figures['job_status']}"
    )


# -- the measuring side (its own process, Django set up) ------------------------------------


def _require(condition, why):
    if not condition:
        raise SystemExit(f"inventory measurement stopped: {why}")


def _inprocess(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agencies.models import JobStatus, UploadJob
    from widgets.interop.gc_commit import commit
    from widgets.interop.gc_inventory import InventoryImport

    services, standards = (Path(p) for p in args["files"])
    out = {}

    def preview():
        with services.open("rb") as s, standards.open("rb") as t:
            started = time.perf_counter()
            found = InventoryImport().preview((s, services.name), (t, standards.name))
            return found, time.perf_counter() - started

    class Rollback(Exception):
        pass

    found, out["preview_s"] = preview()
    _require(found.error_count == 0, "the generated inventory has blocking errors")
    out["rows"] = {
        "services": sum(len(p.published) for p in found.plans),
        "standards": sum(len(p.published_standards) for p in found.plans),
    }
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            summary = commit(found)
            out["commit_s"] = time.perf_counter() - started
            out["commit_queries"] = len(queries)
            out["summary"] = str(summary)
            raise Rollback
    except Rollback:
        pass

    # The same through the page and the background worker, as a person would.
    from allauth.mfa.models import Authenticator

    admin = get_user_model().objects.create_superuser("bench-inventory", password=None)
    # Administrators sign in with a second factor (agencies.middleware): enrolled.
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={})
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(admin)
    url = "/widgets/inventory/import/"
    with services.open("rb") as s, standards.open("rb") as t:
        started = time.perf_counter()
        page = client.post(url, {"services": s, "standards": t, "agency": ""})
        out["page_preview_s"] = time.perf_counter() - started
    html = page.content.decode()
    ticket = re.search(r'name="token" value="([^"]+)"', html)
    saveable = 'name="action" value="commit"' in html
    _require(page.status_code == 200 and ticket and saveable, page.status_code)
    out["page_bytes"] = len(page.content)
    started = time.perf_counter()
    queued = client.post(url, {"token": ticket.group(1)})
    _require(queued.status_code == 302, queued.status_code)
    command = [sys.executable, "manage.py", "worker", "--batch", "--no-reload"]
    command += ["--no-startup-delay", "--no-schedule"]
    subprocess.run(command, cwd=ROOT, check=True, timeout=900)  # noqa: S603
    out["worker_s"] = time.perf_counter() - started
    job = UploadJob.objects.get()
    out["job_status"] = f"{job.status}: {job.message}"
    _require(job.status == JobStatus.DONE, job.message)

    again, out["again_preview_s"] = preview()
    started = time.perf_counter()
    summary = commit(again)
    out["again_commit_s"] = time.perf_counter() - started
    out["again_summary"] = str(summary)
    print("BENCH_JSON " + json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["run", "inprocess"])
    parser.add_argument("--database", default="widgets_bench_small")
    options = parser.parse_args()
    if options.mode == "inprocess":
        return _inprocess(json.loads(os.environ["BENCH_ARGS"]))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import PYTHON, production_env, run

    env = production_env()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    load = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="widgets-bench-") as tmpdir:
        figures = measure_inventory(env, Path(tmpdir), options.database)
    print_inventory(figures)
    print(f"  load average before: {load}, after: {[round(x, 2) for x in os.getloadavg()]}")
    return None


if __name__ == "__main__":
    main()
