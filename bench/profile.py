"""Time (and optionally profile) one page in-process against a benchmark database.

    .venv/bin/python bench/profile.py /widgets/?agency= --scale state [--runs 30] [--cold]
    .venv/bin/python bench/profile.py /outcomes/scorecard/ --scale state --cold --profile
    .venv/bin/python bench/profile.py /outcomes/agency/<slug>/ --scale state --after-save
    .venv/bin/python bench/profile.py /outcomes/agency/<slug>/ --scale state --templates


Signed in as the benchmark's user (the manager of the publishing agency with the
most widgets), production settings, the test client: what one gunicorn worker
does for the page, without the network. Prints the median, the SQL time and the
query count; with --profile, the profile of five requests
(cProfile, the 40 costliest calls by cumulative time; PROFILE_LINES=N for N,
PROFILE_SORT=tottime to order them by their own time). With --cold the page
cache is emptied before every request (outside the time), as after a write: the
build, not the cache (the list, the dashboard and the scorecard are otherwise
served from it after the first request). With --after-save one count of the
agency is saved through the write path before every request (outside the time),
the cache kept: the rebuild readers wait for under writes, from the parts kept
per widget and per agency (docs/adr/0010-counts-versions-per-widget.md). Needs the database
`make bench SCALE=<scale>` built.
"""

import argparse
import os
import statistics
import sys
import time

from common import production_env

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("path")
parser.add_argument("--scale", default="state")
parser.add_argument("--runs", type=int, default=30)
parser.add_argument(
    "--profile", action="store_true", help="cProfile of five requests, by cumulative time"
)
parser.add_argument("--anonymous", action="store_true")
parser.add_argument(
    "--templates",
    action="store_true",
    help="each template one build renders, rendered again from its context: the page's cost "
    "with nothing left to work out",
)
parser.add_argument("--cold", action="store_true", help="empty the page cache before each")
parser.add_argument(
    "--after-save",
    action="store_true",
    help="save one count in the agency before each (as the bench's writer does), cache kept",
)
options = parser.parse_args()

os.environ.update(
    production_env(),
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/widgets_bench_{options.scale}",
)
sys.argv = sys.argv[:1]  # workers.py reads nothing from argv
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from workers import bench_agency, client_for  # noqa: E402

agency, manager = bench_agency()
client = Client(HTTP_HOST="127.0.0.1") if options.anonymous else client_for(manager)
for _ in range(3):
    response = client.get(options.path)
    if response.status_code != 200:
        raise SystemExit(f"{options.path} answered {response.status_code}")


if options.after_save:
    import random

    import writer

    counts, _others, people = writer.targets(agency)
    pick = random.Random(1)  # noqa: S311 - which count, not a secret


def empty_cache():
    """Before each request, outside the time: --cold empties the cache; --after-save
    saves a count of one of the agency's widgets, so that the page is built again
    with what is kept per widget (agencies.versions.per_widget) for the others."""
    if options.cold:
        cache.clear()
    if options.after_save:
        writer.save_one(pick.choice(counts), people)


empty_cache()
with CaptureQueriesContext(connection) as captured:
    client.get(options.path)
queries = captured.captured_queries
sql_ms = sum(float(q["time"]) for q in queries) * 1000
times, cpu = [], []
for _ in range(options.runs):
    empty_cache()
    started, started_cpu = time.perf_counter(), time.process_time()
    client.get(options.path)
    times.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - started_cpu) * 1000)
# The process's own CPU time (Python, not the database's work nor waiting for a core):
# steadier than the wall clock on a machine others share.
print(
    f"{options.path}{' (cold)' if options.cold else ''}"
    f"{' (after a save)' if options.after_save else ''}: "
    f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
    f"CPU median {statistics.median(cpu):.1f} ms, "
    f"{len(queries)} queries, {sql_ms:.1f} ms SQL, {len(response.content):,} bytes"
)
for query in sorted(queries, key=lambda q: -float(q["time"]))[:5]:
    print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
if options.templates:
    # Every template the view renders itself (render_to_string, render: not the
    # includes inside them), with its context, during one build; then each rendered
    # again, 30 times, from what it was given.
    from django.template.backends.django import Template as BackendTemplate

    rendered, render = [], BackendTemplate.render

    def keep(self, context=None, request=None):
        rendered.append((self, context, request))
        return render(self, context, request)

    BackendTemplate.render = keep
    empty_cache()
    client.get(options.path)
    BackendTemplate.render = render
    by_name = {}
    for template, context, request in rendered:
        by_name.setdefault(template.origin.template_name, []).append((template, context, request))
    total = 0
    for name, calls in by_name.items():
        took = []
        for _ in range(30):
            started = time.perf_counter()
            size = sum(len(render(t, c, r)) for t, c, r in calls)
            took.append((time.perf_counter() - started) * 1000)
        total += statistics.median(took)
        print(f"  {statistics.median(took):6.1f} ms  {len(calls):3d} x {name} ({size:,} bytes)")
    print(f"  {total:6.1f} ms  all of them (the outer page renders the inner ones' text again)")
if options.profile:
    # The standard library's profiler: nothing to install on a fresh machine. cProfile
    # imports the standard `profile`, which this script's own name would shadow.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    with profiler:
        for _ in range(5):
            empty_cache()
            client.get(options.path)
    stats = (
        pstats.Stats(profiler).strip_dirs().sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    )
    stats.print_stats(int(os.environ.get("PROFILE_LINES", "40")))
