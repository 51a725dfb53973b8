"""The benchmark: build a database at scale, serve it as production does, measure.

    python bench/run.py --scale small     # about 2 minutes (make bench SCALE=small)
    python bench/run.py --scale state     # about 15 minutes, building included
    python bench/run.py --scale state --only import   # the count import alone, ~1 minute
    python bench/run.py --only inventory   # the service inventory import alone, ~3 minutes

It builds `widgets_bench_<scale>` (and `widgets_bench_<scale>_10pct`, the same
agencies and widgets with a tenth of the history) with `generate_scale`, reusing
them when complete (`--rebuild` to start again); runs collectstatic; starts
gunicorn with DJANGO_ENV=production on 127.0.0.1; and measures, all in one run:

- each page under 4 concurrent users (wrk: 2 threads, 4 connections, signed in),
  while nobody writes and while bench/writer.py saves counts through the app's
  write path (1 a second in the measured agency, 5 a second statewide), with the
  per-process cache and with the shared cache on Redis (bench/under_writes.py);
- queries per page (test client + CaptureQueriesContext, bench/workers.py);
- the agency dashboard at 10% and 100% of the data;
- a 100,000-row count CSV through CountFile preview + commit, against COPY of
  the same rows, and the import's peak memory (10,000 rows vs 100,000);
- a service inventory of the whole published inventory's shape (1,721 + 2,341
  rows, 78 departments) previewed and committed in-process, through the page and
  the worker, and again (bench/inventory_import.py), against issue 20's targets.

With `--only import` it measures the import alone (no gunicorn, no wrk, no 10%
database; an existing database is reused whatever its end date) and prints its
figures without touching bench/results.json.

Results go to bench/results.json and a table (bench/report.py). It is a
measurement: targets are marked PASS/FAIL and the exit status is 0 whatever they say.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import report
import serving
import under_writes
from common import PYTHON, ROOT, SEED, log, production_env, run, worker
from count_import import measure_import, print_import
from inventory_import import measure_inventory, print_inventory

SERVER = "postgres://postgres@127.0.0.1:5432"
PRESETS = {  # generate_scale presets, and how long to load each page
    "small": {"preset": "small", "seconds": 4, "dashboard_runs": 8},
    "state": {"preset": "state", "seconds": 12, "dashboard_runs": 8},
}


# -- databases --------------------------------------------------------------------------


def database_state(name):
    """(exists, parameters recorded by generate_scale or None)."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return False, None
    marker = "generate_scale complete: "
    if not row[0] or not row[0].startswith(marker):
        return True, None
    return True, json.loads(row[0].removeprefix(marker))


def ensure_database(name, params, env, rebuild):
    """Build (or reuse) a database loaded by generate_scale with `params`."""
    url = f"{SERVER}/{name}"
    db_env = {**env, "DATABASE_URL": url}
    exists, recorded = database_state(name)
    fresh_enough = recorded and recorded["end"] >= params.get("end", recorded["end"])
    wanted = {k: v for k, v in params.items() if k != "end"}
    if (
        exists
        and not rebuild
        and fresh_enough
        and all(recorded.get(k) == v for k, v in wanted.items())
    ):
        log(f"{name}: reusing (loaded {recorded['end']})")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], db_env)
        return url, recorded, 0.0
    started = time.monotonic()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if exists:
            log(f"{name}: dropping to rebuild")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"{name}: migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], db_env)
    command = [PYTHON, "manage.py", "generate_scale", "--seed", str(SEED)]
    for key in ("agencies", "widgets", "outcomes", "years", "frequency", "end"):
        command += [f"--{key}", str(params[key])]
    log(f"{name}: generate_scale {' '.join(command[3:])}")
    run(command, db_env)
    return url, database_state(name)[1], time.monotonic() - started


def dashboard_scaling(env, url10, agency, runs, rounds=3):
    """The dashboard built cold at 100% and at 10% of the data, in alternating rounds
    (so that the machine's drift falls on both alike); medians of all the runs."""
    times, rows = {"100pct": [], "10pct": []}, {}
    for _ in range(rounds):
        for label, database_env in (("100pct", env), ("10pct", {**env, "DATABASE_URL": url10})):
            result = worker("dashboard", database_env, runs=runs, agency=agency)
            times[label] += result["times_ms"]
            rows[label] = {k: result[k] for k in ("agency_count_rows", "total_count_rows")}
    dash = {
        label: {
            "runs": len(values),
            "median_ms": statistics.median(values),
            "times_ms": values,
            **rows[label],
        }
        for label, values in times.items()
    }
    dash["method"] = (
        "Same agency, widgets and seed; the 10% database holds the last tenth of the "
        "history. Test client in one process, no load, page cache emptied before each "
        f"request; {rounds} alternating rounds; median of all the runs."
    )
    return dash


# -- report -----------------------------------------------------------------------------


def machine(url):
    cpu = next(
        (x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines()
         if x.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory = Path("/proc/meminfo").read_text().split()[1]
    with psycopg.connect(url) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)  # noqa: S607
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "wrk": (wrk.stdout or wrk.stderr).split("\n")[0].strip(),
        "gunicorn_workers": serving.WORKERS,
        # Other work on the machine skews every figure: the 1-minute load average
        # should be near 0 before the run.
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


# -- main -------------------------------------------------------------------------------


def options_of(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(PRESETS), default="small")
    parser.add_argument("--rebuild", action="store_true", help="Build the databases again.")
    parser.add_argument("--seconds", type=int, help="Load per page (default by scale).")
    parser.add_argument(
        "--only",
        choices=["import", "inventory"],
        help="Measure only this part: the count import, or the service inventory import.",
    )
    parser.add_argument(
        "--database",
        help="Name of the database to build or reuse (default widgets_bench_<scale>; "
        "the 10%% one is its name + _10pct): two people measuring on one server.",
    )
    parser.add_argument(
        "--cache",
        choices=["both", *report.CACHES],
        default="both",
        help="Measure the pages with the per-process cache, Redis, or both (default).",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", under_writes.DEFAULT_CACHE_URL),
        help="The Redis for the shared cache (BENCH_CACHE_URL; keys under a prefix of "
        "the run, deleted at the end). Not answering: only the per-process cache.",
    )
    options = parser.parse_args(argv)
    options.database = options.database or f"widgets_bench_{options.scale}"
    return options


def main():
    options = options_of()
    if options.only == "import":
        return main_import_only(options)
    if options.only == "inventory":
        return main_inventory_only(options)
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    if not Path(wrk).exists():
        raise SystemExit("wrk is not installed: sudo apt-get install wrk (Debian package wrk).")
    started = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    scale = PRESETS[options.scale]
    seconds = options.seconds or scale["seconds"]
    caches = list(report.CACHES) if options.cache == "both" else [options.cache]
    if "redis" in caches and not under_writes.redis_answers(options.cache_url):
        caches.remove("redis")
    if not caches:
        raise SystemExit("--cache redis, and no Redis answers at --cache-url")
    sys.path.insert(0, str(ROOT))
    from demo.management.commands._scale_data import PRESETS as SIZES

    params = {**SIZES[scale["preset"]], "seed": SEED}
    params["end"] = str(dt.date.today() - dt.timedelta(days=1))
    env = production_env()
    name = options.database
    url, recorded, build_seconds = ensure_database(name, params, env, options.rebuild)
    small = {**params, "years": round(params["years"] * 0.1, 3), "end": recorded["end"]}
    url10, _, build10_seconds = ensure_database(f"{name}_10pct", small, env, options.rebuild)
    env["DATABASE_URL"] = url
    log("collectstatic")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    log("prepare: bench user, pages, queries per page")
    prepared = worker("prepare", env)
    bad = {k: v for k, v in prepared["statuses"].items() if v != 200}
    if bad:
        raise SystemExit(f"pages that do not answer 200: {bad}")
    with tempfile.TemporaryDirectory(prefix="widgets-bench-") as tmpdir:
        tmp = Path(tmpdir)
        phases = under_writes.measure(wrk, env, prepared, seconds, caches, tmp, options.cache_url)
        log("dashboard at 10% and 100% of the data")
        dash = dashboard_scaling(env, url10, prepared["agency"], scale["dashboard_runs"])
        imported = measure_import(env, prepared, tmp, url)
        log("service inventory: the whole inventory's shape, preview and commit")
        inventory = measure_inventory(env, tmp, name)
    # The first table: the page cache as it comes (per process), nobody writing.
    pages = phases[caches[0]]["idle"]
    for page, figures in pages.items():
        figures.update(
            queries=prepared["queries"][page],
            cached_queries=prepared["cached_queries"][page],
            cold_ms=prepared["cold_ms"][page],
        )
    healthz = pages["healthz"]["rps"]
    results = {
        "scale": options.scale,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": name,
        "parameters": recorded,
        "agency": prepared["agency"],
        "agency_widgets": prepared["agency_widgets"],
        "user": prepared["user"],
        "load": {
            "threads": serving.THREADS,
            "connections": serving.CONNECTIONS,
            "seconds_per_page": seconds,
            "writes_per_s": under_writes.WRITES,
        },
        "pages": pages,
        "phases": phases,
        "ratios": {
            f"{p}_rps_vs_healthz": pages[p]["rps"] / healthz for p in pages if p != "healthz"
        },
        "dashboard_scaling": dash,
        "import": imported,
        "inventory": inventory,
        "build_seconds": {"100pct": build_seconds, "10pct": build10_seconds},
        "machine": {**machine(url), "load_average_at_start": load_before},
    }
    results["figures"] = report.figures(phases, dash, imported)
    results["verdicts"] = report.verdicts(results["figures"], caches)
    results["total_seconds"] = time.monotonic() - started
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    report.print_table(results)
    print_inventory(inventory)
    log(f"done in {results['total_seconds']:.0f}s; bench/results.json written")


def main_import_only(options):
    """The count import alone, against the scale's database (built only if missing)."""
    sys.path.insert(0, str(ROOT))
    from demo.management.commands._scale_data import PRESETS as SIZES

    scale = PRESETS[options.scale]
    env = production_env()
    name = options.database
    params = {**SIZES[scale["preset"]], "seed": SEED}
    exists, recorded = database_state(name)
    if not exists or not recorded or options.rebuild:
        params["end"] = str(dt.date.today() - dt.timedelta(days=1))
    else:
        params["end"] = recorded["end"]  # the import does not need fresh data: reuse it
    url, _, _ = ensure_database(name, params, env, options.rebuild)
    env["DATABASE_URL"] = url
    log("import_target: the bench agency and its counted widgets")
    prepared = worker("import_target", env)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="widgets-bench-") as tmpdir:
        imported = measure_import(env, prepared, Path(tmpdir), url)
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(f"\nCount import, scale {options.scale}, agency {prepared['agency']} "
          f"(load average {load_before} before, {load_after} after):")  # fmt: skip
    print_import(imported)


def main_inventory_only(options):
    """The service inventory import alone, in a database of its own (made each run)."""
    env = production_env()
    log("collectstatic")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="widgets-bench-") as tmpdir:
        figures = measure_inventory(env, Path(tmpdir), options.database)
    print_inventory(figures)
    print(f"  load average {load_before} before, {[round(x, 2) for x in os.getloadavg()]} after")


if __name__ == "__main__":
    main()
