"""The benchmark: build a database at scale, serve it as production does, measure.

    python bench/run.py --scale small     # about 2 minutes (make bench SCALE=small)
    python bench/run.py --scale state     # about 15 minutes, building included
    python bench/run.py --scale state --only import   # the count import alone, ~1 minute

It builds `widgets_bench_<scale>` (and `widgets_bench_<scale>_10pct`, the same
agencies and widgets with a tenth of the history) with `generate_scale`, reusing
them when complete (`--rebuild` to start again); runs collectstatic; starts
gunicorn with DJANGO_ENV=production on 127.0.0.1; and measures, all in one run:

- each page under 4 concurrent users (wrk: 2 threads, 4 connections, signed in);
- queries per page (test client + CaptureQueriesContext, bench/workers.py);
- the agency dashboard at 10% and 100% of the data;
- a 100,000-row count CSV through CountFile preview + commit, against COPY of
  the same rows, and the import's peak memory (10,000 rows vs 100,000).

With `--only import` it measures the import alone (no gunicorn, no wrk, no 10%
database; an existing database is reused whatever its end date) and prints its
figures without touching bench/results.json.

Results go to bench/results.json and a table. It is a measurement: targets are
marked PASS/FAIL and the exit status is 0 whatever they say.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from common import PYTHON, ROOT, SEED, log, production_env, run, worker
from count_import import measure_import, print_import

SERVER = "postgres://postgres@127.0.0.1:5432"
PRESETS = {  # generate_scale presets, and how long to load each page
    "small": {"preset": "small", "seconds": 4, "dashboard_runs": 8},
    "state": {"preset": "state", "seconds": 12, "dashboard_runs": 8},
}
WORKERS = 4
TARGETS = [  # (figure, label, comparison, limit)
    ("list_vs_healthz", "widget list rps / healthz rps", ">=", 0.12),
    ("dashboard_p95_ms", "agency dashboard p95 (ms)", "<=", 150),
    ("scorecard_p95_ms", "statewide scorecard p95 (ms)", "<=", 300),
    ("dashboard_100_vs_10", "dashboard time 100% / 10% data", "<=", 1.5),
    ("import_vs_copy", "CSV import rows/s / bare COPY rows/s", ">=", 0.30),
    ("import_vs_copy_into_table", "import / COPY into the counts table", ">=", 0.30),
    ("import_memory_growth", "import peak RSS 100k / 10k rows", "<=", 1.25),
]


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


# -- the server and the load generator --------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, logdir):
    log(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port}")
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            str(logdir / "access.log"),
            "--error-logfile",
            str(logdir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s; see its error.log")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def get(url, cookie):
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        return response.status


def load_page(wrk, base, path, cookie, seconds):
    status = get(base + path, cookie)
    # Warm every worker (templates, and the page cache: each process keeps its own)
    # under the same load, so that the measured run is the steady state. What a page
    # costs when its cache is cold is measured apart (`cold_ms`, in-process).
    subprocess.run(  # noqa: S603
        [wrk, "-t2", "-c4", "-d2s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "session.lua"), base + path],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    result = subprocess.run(  # noqa: S603
        [wrk, "-t2", "-c4", f"-d{seconds}s", "--timeout", "30s", "--latency",
         "-s", str(ROOT / "bench" / "session.lua"), base + path],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")][-1]
    return {"status_before": status, **json.loads(line.removeprefix("BENCH_JSON "))}


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
        "gunicorn_workers": WORKERS,
        # Other work on the machine skews every figure: the 1-minute load average
        # should be near 0 before the run.
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def verdicts(figures):
    rows = []
    for key, label, comparison, limit in TARGETS:
        value = figures.get(key)
        ok = value is not None and (value >= limit if comparison == ">=" else value <= limit)
        rows.append({"figure": key, "label": label, "value": value,
                     "target": f"{comparison} {limit}", "pass": ok})  # fmt: skip
    return rows


def print_table(results):
    print(f"\nBenchmark, scale {results['scale']} ({results['timestamp']}):")
    print(f"{'page':<20} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>8}"
          f" {'cold ms':>8} {'cold queries':>13}")  # fmt: skip
    for name, page in results["pages"].items():
        print(f"{name:<20} {page['rps']:>8.1f} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} "
              f"{page['p99_ms']:>8.1f} {page['cached_queries']:>8} {page['cold_ms']:>8.0f} "
              f"{page['queries']:>13}")  # fmt: skip
    print(
        "(rps and latency: steady state under load, caches warm; cold: one request in-process"
        " with the page cache empty, as after a write)"
    )
    imp, dash = results["import"], results["dashboard_scaling"]
    print(f"\nCSV import {imp['rows']:,} rows: {imp['import_rows_per_s']:,.0f} rows/s "
          f"(commit alone {imp['commit_rows_per_s']:,.0f}); COPY {imp['copy_rows_per_s']:,.0f} "
          f"rows/s (into an indexed copy {imp['copy_indexed_rows_per_s']:,.0f}, into the counts "
          f"table {imp['copy_table_rows_per_s']:,.0f}); peak RSS "
          f"{imp['peak_rss_mb']} MB")  # fmt: skip
    print(f"Dashboard median: {dash['10pct']['median_ms']:.0f} ms at 10% of the data, "
          f"{dash['100pct']['median_ms']:.0f} ms at 100%\n")  # fmt: skip
    print(f"{'target':<36} {'value':>9} {'target':>9}  result")
    for row in results["verdicts"]:
        value = "n/a" if row["value"] is None else f"{row['value']:.3g}"
        print(f"{row['label']:<36} {value:>9} {row['target']:>9}  "
              f"{'PASS' if row['pass'] else 'FAIL'}")  # fmt: skip
    print("\nA measurement, not a gate: the exit status is 0 whatever the verdicts.")
    if results["scale"] != "state":
        print("The latency targets are for SCALE=state; at other scales they are indicative.")


# -- main -------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(PRESETS), default="small")
    parser.add_argument("--rebuild", action="store_true", help="Build the databases again.")
    parser.add_argument("--seconds", type=int, help="Load per page (default by scale).")
    parser.add_argument(
        "--only", choices=["import"], help="Measure only this part (the count import)."
    )
    options = parser.parse_args()
    if options.only == "import":
        return main_import_only(options)
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    if not Path(wrk).exists():
        raise SystemExit("wrk is not installed: sudo apt-get install wrk (Debian package wrk).")
    started = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    scale = PRESETS[options.scale]
    seconds = options.seconds or scale["seconds"]
    sys.path.insert(0, str(ROOT))
    from demo.management.commands._scale_data import PRESETS as SIZES

    params = {**SIZES[scale["preset"]], "seed": SEED}
    params["end"] = str(dt.date.today() - dt.timedelta(days=1))
    env = production_env()
    name = f"widgets_bench_{options.scale}"
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
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, tmp)
        pages = {}
        try:
            for page, path in prepared["pages"].items():
                log(f"wrk {seconds}s: {page} {path}")
                # Load balancers probe /healthz without a session; pages are signed in.
                cookie = "" if page == "healthz" else prepared["cookie"]
                pages[page] = load_page(wrk, base, path, cookie, seconds)
                pages[page].update(
                    path=path,
                    queries=prepared["queries"][page],
                    cached_queries=prepared["cached_queries"][page],
                    cold_ms=prepared["cold_ms"][page],
                )
        finally:
            stop(server)
        log("dashboard at 10% and 100% of the data")
        dash = dashboard_scaling(env, url10, prepared["agency"], scale["dashboard_runs"])
        imported = measure_import(env, prepared, tmp, url)
    healthz = pages["healthz"]["rps"]
    results = {
        "scale": options.scale,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": recorded,
        "agency": prepared["agency"],
        "agency_widgets": prepared["agency_widgets"],
        "user": prepared["user"],
        "load": {"threads": 2, "connections": 4, "seconds_per_page": seconds},
        "pages": pages,
        "ratios": {
            f"{p}_rps_vs_healthz": pages[p]["rps"] / healthz for p in pages if p != "healthz"
        },
        "dashboard_scaling": dash,
        "import": imported,
        "build_seconds": {"100pct": build_seconds, "10pct": build10_seconds},
        "machine": {**machine(url), "load_average_at_start": load_before},
    }
    figures = {
        "list_vs_healthz": pages["widget list"]["rps"] / healthz,
        "dashboard_p95_ms": pages["agency dashboard"]["p95_ms"],
        "scorecard_p95_ms": pages["statewide scorecard"]["p95_ms"],
        "dashboard_100_vs_10": dash["100pct"]["median_ms"] / dash["10pct"]["median_ms"],
        "import_vs_copy": imported["ratio_import_vs_copy"],
        "import_vs_copy_into_table": imported["ratio_import_vs_copy_into_table"],
        "import_memory_growth": imported["memory_growth"],
    }
    results["figures"] = figures
    results["verdicts"] = verdicts(figures)
    results["total_seconds"] = time.monotonic() - started
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    log(f"done in {results['total_seconds']:.0f}s; bench/results.json written")


def main_import_only(options):
    """The count import alone, against the scale's database (built only if missing)."""
    sys.path.insert(0, str(ROOT))
    from demo.management.commands._scale_data import PRESETS as SIZES

    scale = PRESETS[options.scale]
    env = production_env()
    name = f"widgets_bench_{options.scale}"
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


if __name__ == "__main__":
    main()
