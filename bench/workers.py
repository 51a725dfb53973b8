"""The in-process parts of the benchmark, each run by bench/run.py in its own process
(so that Django settings, memory and database are those of one measurement):

    python bench/workers.py prepare     # pick the agency, user and pages; sign in; count queries
    python bench/workers.py dashboard   # time the agency dashboard with the test client
    python bench/workers.py import_target  # the agency and widgets the import writes
    python bench/workers.py import      # preview + commit a count CSV through CountFile

Arguments come as JSON in BENCH_ARGS; the result is one line of JSON on stdout.
The environment (DATABASE_URL, DJANGO_ENV, the secret key) is set by run.py.
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agencies.models import Agency, Membership  # noqa: E402
from widgets.models import Widget, WidgetCount  # noqa: E402

COUNTED = ("approved", "submitted", "retired")


def client_for(user):
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    return client


def bench_agency():
    """The publishing agency with the most widgets (the heaviest dashboard), its manager."""
    agency = Agency.objects.publishing().annotate(n=Count("widgets")).order_by("-n", "pk").first()
    manager = Membership.objects.get(agency=agency, role="manager").user
    return agency, manager


def prepare(args):
    agency, manager = bench_agency()
    widget = (
        Widget.objects.filter(agency=agency, status="approved")
        .annotate(n=Count("counts"))
        .order_by("-n", "pk")
        .first()
    )
    pages = {
        "widget list": "/widgets/?agency=&status=approved&sort=-quality_score",
        "widget detail": f"/widgets/{widget.pk}/",
        "agency dashboard": f"/outcomes/agency/{agency.slug}/",
        "statewide scorecard": "/outcomes/scorecard/",
        "entry grid": f"/widgets/counts/{agency.slug}/",
        "public page": f"/public/{agency.slug}/",
        "healthz": "/healthz",
    }
    signed_in, anonymous = client_for(manager), Client(HTTP_HOST="127.0.0.1")
    queries, cached_queries, cold_ms, statuses = {}, {}, {}, {}
    for name, url in pages.items():
        client = anonymous if name == "healthz" else signed_in
        client.get(url)  # warm: content types, templates
        # Cold: nothing in the page cache (agencies.versions), as after a write.
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            cold_ms[name] = (time.perf_counter() - started) * 1000
        queries[name], statuses[name] = len(captured), response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        cached_queries[name] = len(captured)
    # A session for wrk, made by signing in as the app does (force_login: no password check).
    wrk_client = client_for(manager)
    return {
        **import_target(args),
        "agency_widgets": agency.n,
        "user": manager.username,
        "cookie": wrk_client.cookies["sessionid"].value,
        "pages": pages,
        "queries": queries,
        "cached_queries": cached_queries,
        "cold_ms": cold_ms,
        "statuses": statuses,
    }


def import_target(args):
    """The agency whose counts the import measurement writes, and where its CSV goes."""
    agency, _ = bench_agency()
    counted = list(
        Widget.objects.filter(agency=agency, status__in=COUNTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first = WidgetCount.objects.order_by("period_start").values_list("period_start", flat=True)[0]
    return {
        "agency": agency.slug,
        "agency_abbreviation": agency.abbreviation,
        "counted_widget_ids": counted,
        "first_period": first.isoformat(),
    }


def dashboard(args):
    agency, manager = bench_agency()
    if args.get("agency"):
        agency = Agency.objects.get(slug=args["agency"])
        manager = Membership.objects.get(agency=agency, role="manager").user
    client = client_for(manager)
    url = f"/outcomes/agency/{agency.slug}/"
    for _ in range(2):
        client.get(url)
    times, deadline = [], time.monotonic() + args.get("max_seconds", 60)
    for _ in range(args.get("runs", 15)):
        cache.clear()  # the computation, not the page cache: as after every write
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if time.monotonic() > deadline:
            break
    counts = WidgetCount.objects.filter(widget__agency=agency)
    return {
        "agency": agency.slug,
        "runs": len(times),
        "times_ms": times,
        "median_ms": statistics.median(times),
        "p95_ms": sorted(times)[max(0, round(0.95 * len(times)) - 1)],
        "agency_count_rows": counts.count(),
        "total_count_rows": WidgetCount.objects.count(),
    }


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def count_import(args):
    from widgets.counting.upload import CountFile

    agency = Agency.objects.get(slug=args["agency"])
    user = Membership.objects.get(agency=agency, role="manager").user
    path, name = args["csv"], Path(args["csv"]).name
    count_file = CountFile(agency=agency, user=user)
    baseline = rss_mb()
    with open(path, "rb") as fileobj:
        started = time.perf_counter()
        preview = count_file.preview(fileobj, name)
        preview_seconds = time.perf_counter() - started
    if preview.errors:
        raise RuntimeError([r.messages for r in preview.error_rows[:5]])
    with open(path, "rb") as fileobj:
        started = time.perf_counter()
        upload = count_file.commit(fileobj, name, snapshot=preview.snapshot)
        commit_seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "rows": preview.total,
        "new": upload.rows_new,
        "upload_id": upload.pk,
        "preview_seconds": preview_seconds,
        "commit_seconds": commit_seconds,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(peak, 1),
    }


def cleanup(args):
    """Remove what the imports wrote (counts, their history, the upload records)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM widgets_historicalwidgetcount WHERE upload_id IS NOT NULL "
            "OR id IN (SELECT id FROM widgets_widgetcount WHERE upload_id IS NOT NULL)"
        )
        cursor.execute("DELETE FROM widgets_widgetcount WHERE upload_id IS NOT NULL")
        deleted = cursor.rowcount
        cursor.execute("DELETE FROM widgets_countupload")
        cursor.execute("VACUUM (ANALYZE) widgets_widgetcount")
    return {"deleted": deleted, "left": WidgetCount.objects.filter(~Q(upload=None)).count()}


MODES = {
    "prepare": prepare,
    "dashboard": dashboard,
    "import_target": import_target,
    "import": count_import,
    "cleanup": cleanup,
}

if __name__ == "__main__":
    result = MODES[sys.argv[1]](json.loads(os.environ.get("BENCH_ARGS", "{}")))
    print("BENCH_JSON " + json.dumps(result))
