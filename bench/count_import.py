"""The count import measurement (bench/run.py, also alone with `--only import`):
a count CSV through CountFile preview + commit in a fresh process, against
PostgreSQL's own COPY of the same rows, and the import's peak memory."""

import csv
import datetime as dt
import random
import statistics
import time
from pathlib import Path

import psycopg
from common import SEED, log, worker

IMPORT_ROWS = (10_000, 100_000)


def write_count_csv(path, widget_ids, first_period, rows, seed=SEED):
    """`rows` counts for the widgets on the days before the loaded range (a backfill),
    oldest first, one line per widget per day, balanced, as an agency would export them."""
    rng = random.Random(seed)  # noqa: S311 - test data
    days = -(-rows // len(widget_ids))
    start = dt.date.fromisoformat(first_period) - dt.timedelta(days=days)
    backlog = {w: rng.randint(0, 200) for w in widget_ids}
    written = 0
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["widget_id", "period_start", "demand", "delivered", "within_standard",
                      "withdrawn", "backlog", "rework", "cost"])  # fmt: skip
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            for widget_id in widget_ids:
                if written == rows:
                    return
                demand = rng.randint(0, 80)
                withdrawn = rng.randint(0, demand // 20)
                available = backlog[widget_id] + demand - withdrawn
                delivered = min(available, rng.randint(0, 90))
                backlog[widget_id] = available - delivered
                out.writerow([widget_id, day, demand, delivered, rng.randint(0, delivered),
                              withdrawn, backlog[widget_id], rng.randint(0, delivered // 10),
                              f"{delivered * 37.5:.2f}"])  # fmt: skip
                written += 1


COPY_RUNS = 3  # each COPY is timed this many times; the median counts (disk and WAL are noisy)


def copy_rate(url, path):
    """PostgreSQL's own COPY of the CSV's rows: into a bare scratch copy of the counts
    table (no index, constraint or trigger), into a copy with its indexes and checks,
    and into the counts table itself (indexes, checks, foreign keys checked at once,
    the data-version trigger), in a transaction rolled back afterwards."""
    columns = "widget_id, period_start, demand, delivered, within_standard, withdrawn, backlog, "
    columns += "rework, cost"
    data = Path(path).read_bytes()
    # For the counts table itself, the columns the app fills are appended to each line
    # (the table has no database defaults).
    lines = data.decode().splitlines()[1:]
    rows = "".join(f'{line},now,now,import,"",1\n' for line in lines).encode()
    rates = {}
    with psycopg.connect(url) as conn:
        for label, including in (("bare", "INCLUDING DEFAULTS INCLUDING IDENTITY"),
                                 ("indexed", "INCLUDING ALL")):  # fmt: skip
            table = f"bench_copy_{label}"
            conn.execute(f"CREATE TEMP TABLE {table} (LIKE widgets_widgetcount {including})")
            for column, default in (("created_at", "now()"), ("updated_at", "now()"),
                                    ("source", "'import'"), ("balance_note", "''"),
                                    ("version", "1")):  # fmt: skip
                conn.execute(f"ALTER TABLE {table} ALTER {column} SET DEFAULT {default}")
            conn.commit()
            times = []
            for _ in range(COPY_RUNS):
                conn.execute(f"TRUNCATE {table}")
                conn.commit()
                started = time.perf_counter()
                with (
                    conn.cursor() as cursor,
                    cursor.copy(
                        f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                    ) as copy,
                ):
                    copy.write(data)
                conn.commit()
                times.append(time.perf_counter() - started)
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            rates[label] = _rate(count, times)
        times = []
        for _ in range(COPY_RUNS):
            started = time.perf_counter()
            with conn.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                with cursor.copy(
                    f"COPY widgets_widgetcount ({columns}, created_at, updated_at, source, "
                    "balance_note, version) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(rows)
            times.append(time.perf_counter() - started)
            conn.rollback()
        rates["table"] = _rate(len(lines), times)
    return rates


def _rate(rows, times):
    seconds = statistics.median(times)
    return {"rows": rows, "seconds": seconds, "runs": times, "rows_per_s": rows / seconds}


def measure_import(env, prepared, tmp, url):
    results = {}
    worker("cleanup", env)
    for rows in IMPORT_ROWS:
        path = tmp / f"counts-{rows}.csv"
        write_count_csv(path, prepared["counted_widget_ids"], prepared["first_period"], rows)
        log(f"import: {rows:,} rows through CountFile preview + commit")
        result = worker("import", env, csv=str(path), agency=prepared["agency"])
        seconds = result["preview_seconds"] + result["commit_seconds"]
        result["rows_per_s"] = result["rows"] / seconds
        result["commit_rows_per_s"] = result["rows"] / result["commit_seconds"]
        result["cleanup"] = worker("cleanup", env)
        results[rows] = result
    big = results[IMPORT_ROWS[-1]]
    log("import: COPY of the same rows")
    copy = copy_rate(url, tmp / f"counts-{IMPORT_ROWS[-1]}.csv")
    return {
        "rows": big["rows"],
        "preview_seconds": big["preview_seconds"],
        "commit_seconds": big["commit_seconds"],
        "import_rows_per_s": big["rows_per_s"],
        "commit_rows_per_s": big["commit_rows_per_s"],
        "copy_rows_per_s": copy["bare"]["rows_per_s"],
        "copy_indexed_rows_per_s": copy["indexed"]["rows_per_s"],
        "copy_table_rows_per_s": copy["table"]["rows_per_s"],
        "ratio_import_vs_copy": big["rows_per_s"] / copy["bare"]["rows_per_s"],
        "ratio_import_vs_copy_into_table": big["rows_per_s"] / copy["table"]["rows_per_s"],
        "peak_rss_mb": {str(k): v["peak_rss_mb"] for k, v in results.items()},
        "baseline_rss_mb": {str(k): v["baseline_rss_mb"] for k, v in results.items()},
        "memory_growth": big["peak_rss_mb"] / results[IMPORT_ROWS[0]]["peak_rss_mb"],
        "runs": {str(k): v for k, v in results.items()},
    }


def print_import(imported):
    runs = imported["runs"]
    for rows, run_ in runs.items():
        print(f"import {int(rows):>7,} rows: preview {run_['preview_seconds']:.2f} s, commit "
              f"{run_['commit_seconds']:.2f} s, {run_['rows_per_s']:,.0f} rows/s, peak RSS "
              f"{run_['peak_rss_mb']} MB")  # fmt: skip
    print(f"COPY bare {imported['copy_rows_per_s']:,.0f} rows/s, into an indexed copy "
          f"{imported['copy_indexed_rows_per_s']:,.0f} rows/s, into the counts table "
          f"{imported['copy_table_rows_per_s']:,.0f} rows/s")  # fmt: skip
    print(f"import rows/s / bare COPY rows/s: {imported['ratio_import_vs_copy']:.3f} "
          f"(target >= 0.30)")  # fmt: skip
    print(f"import rows/s / COPY into the counts table: "
          f"{imported['ratio_import_vs_copy_into_table']:.3f} (target >= 0.30)")  # fmt: skip
    print(f"import peak RSS 100k / 10k rows: {imported['memory_growth']:.2f} (target <= 1.25)")
