"""The writer of the benchmark under writes: saves counts through the app's own write
path (widgets.counting.save_counts) at a steady rate while wrk reads the pages.

    BENCH_ARGS='{"agency": "<slug>", "agency_rate": 1, "state_rate": 5}' \\
        python bench/writer.py     # bench/run.py starts it; closing stdin stops it

`agency_rate` saves a second go to the measured agency's widgets, `state_rate` to
the widgets of every other agency (so the measured agency gets exactly its own
rate, and the statewide pages see both). Each save is what a staff member does in
the entry grid: read a widget's latest count, change it, save it at the version
read (source "form", by a staff member of the widget's agency), so every save
gives its agency a new data version and runs the triggers, the history and any
roll-up the write path keeps. Each change moves demand and backlog together by
one (up on a count at an odd version, back down at an even one), so the count
still balances and the data come back to where they were.

When stdin closes it prints one line of JSON: saves and errors by kind, the rates
achieved and the time a save took (median, p95). A save that falls behind its
schedule is made at once (no sleep) and shows as a rate below the one asked for.
"""

import heapq
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from agencies.models import Agency, Membership  # noqa: E402
from widgets import counting  # noqa: E402
from widgets.models import WidgetCount  # noqa: E402

# A widget's latest count that the writer may move: demand and backlog known, on a
# widget being counted whose measures all apply. One query, DISTINCT ON the widget.
LATEST = """
SELECT DISTINCT ON (c.widget_id) c.id, w.agency_id
FROM widgets_widgetcount c JOIN widgets_widget w ON w.id = c.widget_id
WHERE w.status = 'approved' AND coalesce(jsonb_array_length(w.not_applicable), 0) = 0
  AND c.demand IS NOT NULL AND c.backlog IS NOT NULL
ORDER BY c.widget_id, c.period_start DESC
"""


def targets(agency):
    """(the measured agency's latest counts, every other agency's), and a staff
    member (else the manager) of each agency, who makes its saves."""
    with connection.cursor() as cursor:
        cursor.execute(LATEST)
        rows = cursor.fetchall()
    mine = [count for count, agency_id in rows if agency_id == agency.pk]
    others = [count for count, agency_id in rows if agency_id != agency.pk]
    people = {}
    for member in Membership.objects.select_related("user").order_by("role", "pk"):
        # "staff" sorts after "manager": an agency's staff member, when it has one.
        people[member.agency_id] = member.user
    return mine, others, people


def save_one(count_id, people):
    """Read a count as the grid does, move demand and backlog by one, save it."""
    count = WidgetCount.objects.select_related("widget").get(pk=count_id)
    step = 1 if count.version % 2 else -1
    if count.backlog + step < 0 or count.demand + step < 0:
        step = 1
    change = counting.CountChange(
        widget=count.widget,
        period_start=count.period_start,
        values={"demand": count.demand + step, "backlog": count.backlog + step},
        expected_version=count.version,
    )
    counting.save_counts([change], by=people[count.widget.agency_id], source="form")


def main(args):
    agency = Agency.objects.get(slug=args["agency"])
    mine, others, people = targets(agency)
    rng = random.Random(args.get("seed", 1))  # noqa: S311 - which widget, not a secret
    rates = {"agency": args.get("agency_rate", 1.0), "state": args.get("state_rate", 5.0)}
    pools = {"agency": mine, "state": others}
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)

    started = time.monotonic()
    # The next due time of each stream; a stream with rate 0 or no widgets is off.
    due = [(started, name) for name, rate in rates.items() if rate > 0 and pools[name]]
    heapq.heapify(due)
    saves = dict.fromkeys(rates, 0)
    errors, seconds = {}, []
    while due and not stop.is_set():
        when, name = heapq.heappop(due)
        wait = when - time.monotonic()
        if wait > 0 and stop.wait(wait):
            break
        begun = time.perf_counter()
        try:
            save_one(rng.choice(pools[name]), people)
            saves[name] += 1
        except Exception as exc:  # counted and reported: the load goes on
            kind = type(exc).__name__
            errors[kind] = errors.get(kind, 0) + 1
        seconds.append(time.perf_counter() - begun)
        heapq.heappush(due, (when + 1 / rates[name], name))
    elapsed = time.monotonic() - started
    ms = sorted(s * 1000 for s in seconds)
    return {
        "seconds": round(elapsed, 1),
        "asked_per_s": rates,
        "saves": saves,
        "achieved_per_s": {n: round(saves[n] / elapsed, 2) if elapsed else 0 for n in saves},
        "errors": errors,
        "save_ms_median": round(statistics.median(ms), 1) if ms else None,
        "save_ms_p95": round(ms[max(0, round(0.95 * len(ms)) - 1)], 1) if ms else None,
        "widgets": {"agency": len(mine), "state": len(others)},
    }


if __name__ == "__main__":
    result = main(json.loads(os.environ.get("BENCH_ARGS", "{}")))
    print("BENCH_JSON " + json.dumps(result), flush=True)
