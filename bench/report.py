"""The benchmark's figures, its targets (issue 22) with PASS/FAIL, and the table it prints."""

CACHES = {"process": "per-process cache", "redis": "Redis (CACHE_URL)"}
# The page targets hold while the writer saves counts (bench/under_writes.py), for
# each cache: (page, figure name, p95 limit in ms).
PAGE_TARGETS = [
    ("agency dashboard", "dashboard", 150),
    ("statewide scorecard", "scorecard", 150),
    ("widget list", "list", 100),
    ("entry grid", "grid", 150),
]
OTHER_TARGETS = [  # (figure, label, comparison, limit)
    ("dashboard_100_vs_10", "dashboard time 100% / 10% data", "<=", 1.2),
    ("import_vs_copy", "CSV import rows/s / bare COPY rows/s", ">=", 0.30),
    ("import_vs_copy_into_table", "import / COPY into the counts table", ">=", 0.30),
    ("import_memory_growth", "import peak RSS 100k / 10k rows", "<=", 1.25),
]


def targets(caches):
    rows = []
    for cache in caches:
        rows += [
            (f"{name}_p95_ms_writes_{cache}", f"{page} p95 ms, writes, {cache}", "<=", limit)
            for page, name, limit in PAGE_TARGETS
        ]
        rows.append(
            (f"list_vs_healthz_writes_{cache}", f"list rps / healthz rps, writes, {cache}",
             ">=", 0.12)
        )  # fmt: skip
    return rows + OTHER_TARGETS


def failed(page):
    """Why a page's figures say nothing (no request finished in the time, error
    answers, time-outs), or "" when they do."""
    if not page["requests"]:
        return "no request finished"
    errors = {k: page[k] for k in ("errors_status", "errors_timeout") if page[k]}
    return f"errors {errors}" if errors else ""


def figures(phases, dash, imported):
    found = {}
    for cache, phase in phases.items():
        pages = phase["writes"]
        for page, name, _limit in PAGE_TARGETS:
            # A page that errs or never answers has no p95 to pass with (FAIL).
            ok = not failed(pages[page])
            found[f"{name}_p95_ms_writes_{cache}"] = pages[page]["p95_ms"] if ok else None
        ok = not failed(pages["widget list"]) and not failed(pages["healthz"])
        found[f"list_vs_healthz_writes_{cache}"] = (
            pages["widget list"]["rps"] / pages["healthz"]["rps"] if ok else None
        )
    found["dashboard_100_vs_10"] = dash["100pct"]["median_ms"] / dash["10pct"]["median_ms"]
    found["import_vs_copy"] = imported["ratio_import_vs_copy"]
    found["import_vs_copy_into_table"] = imported["ratio_import_vs_copy_into_table"]
    found["import_memory_growth"] = imported["memory_growth"]
    return found


def verdicts(found, caches):
    rows = []
    for key, label, comparison, limit in targets(caches):
        value = found.get(key)
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
        "(per-process cache, nobody writing: the steady state, caches warm; cold: one request"
        " in-process with the page cache empty, as after a write)"
    )
    print_phases(results["phases"])
    imp, dash = results["import"], results["dashboard_scaling"]
    print(f"\nCSV import {imp['rows']:,} rows: {imp['import_rows_per_s']:,.0f} rows/s "
          f"(commit alone {imp['commit_rows_per_s']:,.0f}); COPY {imp['copy_rows_per_s']:,.0f} "
          f"rows/s (into an indexed copy {imp['copy_indexed_rows_per_s']:,.0f}, into the counts "
          f"table {imp['copy_table_rows_per_s']:,.0f}); peak RSS "
          f"{imp['peak_rss_mb']} MB")  # fmt: skip
    print(f"Dashboard median: {dash['10pct']['median_ms']:.0f} ms at 10% of the data, "
          f"{dash['100pct']['median_ms']:.0f} ms at 100%\n")  # fmt: skip
    print(f"{'target':<44} {'value':>9} {'target':>9}  result")
    for row in results["verdicts"]:
        value = "n/a" if row["value"] is None else f"{row['value']:.3g}"
        print(f"{row['label']:<44} {value:>9} {row['target']:>9}  "
              f"{'PASS' if row['pass'] else 'FAIL'}")  # fmt: skip
    print("\nA measurement, not a gate: the exit status is 0 whatever the verdicts.")
    if results["scale"] != "state":
        print("The latency targets are for SCALE=state; at other scales they are indicative.")


def print_phases(phases):
    """p95 and rps of every page with and without writes, for each cache."""
    columns = [(cache, load) for cache in phases for load in ("idle", "writes")]
    heads = [f"{'writes' if load == 'writes' else 'idle'} {cache}" for cache, load in columns]
    print("\np95 ms (rps) nobody writing (idle) and while 1 save/s in the agency and 5 saves/s"
          " statewide (writes):")  # fmt: skip
    print(f"{'page':<20}" + "".join(f" {h:>19}" for h in heads))
    for page in phases[next(iter(phases))]["idle"]:
        cells = [phases[cache][load][page] for cache, load in columns]
        print(f"{page:<20}" + "".join(
            f" {'n/a':>9} ({c['rps']:>6.1f})" if c["requests"] == 0
            else f" {c['p95_ms']:>9.1f} ({c['rps']:>6.1f})" for c in cells
        ))  # fmt: skip
        for (cache, load), cell in zip(columns, cells, strict=True):
            if failed(cell):
                print(f"  {page}, {load} {cache}: {failed(cell)}")
    for cache, phase in phases.items():
        w = phase["writer"]
        print(f"writer, {CACHES[cache]}: {sum(w['saves'].values())} saves in {w['seconds']} s, "
              f"{w['achieved_per_s']['agency']}/s in the agency and "
              f"{w['achieved_per_s']['state']}/s statewide (asked {w['asked_per_s']}), "
              f"save median {w['save_ms_median']} ms, p95 {w['save_ms_p95']} ms, "
              f"errors {w['errors'] or 'none'}")  # fmt: skip
        asked, got = w["asked_per_s"], w["achieved_per_s"]
        if any(got[k] < 0.9 * asked[k] for k in asked if asked[k]):
            print(f"  WARNING: the writer fell behind its rate under {CACHES[cache]}")


def markdown(results):
    """The table of docs/performance.md ("Under writes"): p95 ms (rps) of every page in
    each of the four loads, from a results.json."""
    phases = results["phases"]
    columns = [(cache, load) for cache in phases for load in ("idle", "writes")]
    heads = [f"{CACHES[c]}, {'writes' if w == 'writes' else 'nobody writing'}" for c, w in columns]
    lines = ["| page | " + " | ".join(heads) + " |", "| --- |" + " --: |" * len(columns)]
    for page in phases[next(iter(phases))]["idle"]:
        cells = []
        for cache, load in columns:
            cell = phases[cache][load][page]
            why = failed(cell)
            cells.append(
                f"none finished in {cell['seconds']:.0f} s" if not cell["requests"]
                else f"{cell['p95_ms']:,.0f} ({cell['rps']:,.1f})" + (f", {why}" if why else "")
            )  # fmt: skip
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python bench/report.py bench/results.json: the docs' table
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
