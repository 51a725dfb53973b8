"""`make mutate`: mutation testing of the domain modules with mutmut (docs/testing.md).

Each module in MODULES is mutated on its own, and its mutants are run against the
tests that import it (read from the test files' import statements, not guessed
from names). mutmut 3 has no per-module test option of its own; its maintained
way is `pytest_add_cli_args_test_selection` (the tests it runs once to learn which
test calls which function) plus `only_mutate`. So each module gets its own scratch
copy of the project under .mutmut/<module>/ with that selection written into its
pyproject.toml, and mutmut then runs each mutant against the selected tests that
called the mutated function.

    make mutate                                  # every module
    make mutate MODULES=widgets/coach/names.py   # one module
    make mutate MUTATE_JOBS=1                    # one mutant at a time

Runs on PostgreSQL (DATABASE_URL, as the suite) with pytest-django's --reuse-db:
the test database is made once per run, and each mutant's pytest run reuses it.
Exits non-zero when a module kills fewer than TARGET of its mutants or a surviving
mutant is not explained in docs/testing.md.
"""

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The domain modules: add a module with one line.
MODULES = [
    "agencies/scoping.py",
    "widgets/counting/rules.py",
    "widgets/counting/writes.py",
    "widgets/counting/balance.py",
    "widgets/flow.py",
    "widgets/quality/checks.py",
    "outcomes/status.py",
    "widgets/spc/__init__.py",
    "widgets/spc/limits.py",
    "widgets/spc/rules.py",
    "widgets/spc/marks.py",
    "widgets/coach/definition.py",
    "widgets/coach/names.py",
    "widgets/coach/texts.py",
    "outcomes/huddles/escalation.py",
    "widgets/rollups_check.py",
    "widgets/months.py",
    "agencies/tables.py",
]

TARGET = 0.90
SOURCE_PATHS = ["agencies", "customers", "widgets", "outcomes", "demo", "config"]
ALSO_COPY = ["templates", "static", "manage.py", "docs"]  # docs: the API test reads its schema
# Test files that commit data (transaction=True) or drive a browser: they cannot share
# one reused test database with a second mutant running beside them.
NOT_SELECTED = {
    "tests/test_concurrency.py",
    "tests/test_concurrent_counts.py",
    "tests/test_generate_scale.py",
    "tests/test_operations.py",
}
PYTEST_ARGS = ["--reuse-db", "-p", "no:warnings", "-m", "not browser and not slow"]
SCORES_START = "<!-- mutate:scores -->"
SCORES_END = "<!-- /mutate:scores -->"


def dotted(module):
    """widgets/spc/rules.py -> widgets.spc.rules; a package's __init__.py -> the package,
    as imports and mutmut's mutant names spell it."""
    return module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def module_of(mutant):
    """The dotted module of a mutmut mutant name ("widgets.spc.x_analyse__mutmut_3" ->
    widgets.spc): the parts before the mangled function name (x_... or xǁ...)."""
    parts = mutant.split(".")
    for i, part in enumerate(parts):
        if part.startswith(("x_", "xǁ")):
            return ".".join(parts[:i])
    return mutant


def import_names(module):
    """The dotted names whose import brings `module` in: itself, and its package when
    the package's __init__ re-exports from it (widgets.counting -> rules, writes)."""
    names = {dotted(module)}
    path = ROOT / module
    init = path.parent / "__init__.py"
    if path.name != "__init__.py" and init.exists():
        tree = ast.parse(init.read_text())
        stem = path.stem
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level != 1:
                continue
            # `from .rules import detect`, or `from . import rules`
            if node.module == stem or (
                node.module is None and stem in {alias.name for alias in node.names}
            ):
                names.add(dotted(str(path.parent.relative_to(ROOT))))
    return names | reexported_names(dotted(module))


def reexported_names(target):
    """`carrier.name` for each name another project module imports from `target` and
    so re-exports: a test that imports `Balance` from widgets.counting.balance (which
    imports it from widgets.flow) tests widgets.flow's Balance. One level deep."""
    found = set()
    for top in SOURCE_PATHS:
        for source in (ROOT / top).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            carrier = dotted(str(source.relative_to(ROOT)))
            package = carrier if source.name == "__init__.py" else carrier.rpartition(".")[0]
            for node in ast.walk(ast.parse(source.read_text())):
                if not isinstance(node, ast.ImportFrom):
                    continue
                if node.level:
                    parts = package.split(".")
                    base = parts[: len(parts) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                if origin == target and carrier != target:
                    found |= {f"{carrier}.{alias.asname or alias.name}" for alias in node.names}
    return found


def imported_modules(test_file):
    found = set()
    for node in ast.walk(ast.parse(test_file.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def tests_importing(module):
    names = import_names(module)
    selected = []
    for test_file in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = str(test_file.relative_to(ROOT))
        if rel.startswith("tests/browser/") or rel in NOT_SELECTED:
            continue
        if names & imported_modules(test_file):
            selected.append(rel)
    return selected


def toml_list(items):
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def scratch_copy(module, tests):
    """A copy of the working tree (tracked and untracked files, as git sees them) with
    this module's [tool.mutmut]. Kept between runs: mutmut reuses the results of
    mutants whose function did not change."""
    work = ROOT / ".mutmut" / module.removesuffix(".py").replace("/", ".")
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    wanted = {rel for rel in filter(None, listed) if (ROOT / rel).is_file()}
    for rel in wanted:
        source, target = ROOT / rel, work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copy2(source, target)
    # mutmut copies the sources into mutants/ once and never again ("if the target
    # exists, skip"), and neither copy forgets a file: a copy kept from an earlier run
    # would test today's tests against yesterday's other modules. So the copies follow
    # the working tree here: changed files copied over, deleted ones deleted.
    mutated = work / "mutants" / module
    for top in (*SOURCE_PATHS, "tests"):
        for copy in (work / top, work / "mutants" / top):
            for path in copy.rglob("*") if copy.is_dir() else ():
                if not path.is_file() or "__pycache__" in path.parts or path == mutated:
                    continue
                rel = str(path.relative_to(copy.parent))
                if path.suffix in (".meta", ".spans") and rel.removesuffix(path.suffix) == module:
                    continue  # mutmut's own record of the mutated module
                if rel not in wanted:
                    path.unlink()
                elif copy.parent != work and path.read_bytes() != (ROOT / rel).read_bytes():
                    shutil.copy2(ROOT / rel, path)
    for where in (work, work / "mutants"):
        where.mkdir(parents=True, exist_ok=True)
        link = where / "node_modules"
        if not link.exists():
            link.symlink_to(ROOT / "node_modules")
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject += (
        "\n[tool.mutmut]\n"
        f"source_paths = {toml_list(SOURCE_PATHS)}\n"
        f"only_mutate = {toml_list([module])}\n"
        f"also_copy = {toml_list(ALSO_COPY)}\n"
        f"pytest_add_cli_args = {toml_list(PYTEST_ARGS)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        "use_git_change_detection = false\n"
        # mutmut's default forks each mutant's run from a process that has run the
        # tests itself (stats, clean run); a test that drew a chart there
        # (agencies/charts.py: vl_convert starts its JavaScript runtime's threads)
        # left every forked run that draws one waiting for threads it does not have,
        # until the timeout, counted as killed. The fork server runs no test before
        # it forks.
        'process_isolation = "forkserver"\n'
        # mutmut stops a mutant's run at (test time + constant) x multiplier seconds of
        # wall clock and calls it a timeout. Its defaults (1 s, x15) stopped runs of
        # surviving mutants on a busy machine; a minute covers a pytest start. The
        # test time is the tests' own, without their fixtures: a timeout is run again
        # alone before it counts as killed (main()).
        "timeout_constant = 60\n"
        "timeout_multiplier = 2\n"
    )
    (work / "pyproject.toml").write_text(pyproject)
    return work


def test_database_env():
    """One test database for the whole run, named once (config/settings_test.py)."""
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1].split("?")[0]
    return {**os.environ, "TEST_DATABASE_NAME": f"test_{name}_mutants"}


def mutmut(work, *args, **kwargs):
    """mutmut in a module's copy. Its pytest sessions only point at the test database
    make_test_database() made (MUTATE_TEST_DATABASE, tests/conftest.py): a session
    that sets it up as usual runs migrate, and two doing that at once collide."""
    env = test_database_env()
    env["MUTATE_TEST_DATABASE"] = env["TEST_DATABASE_NAME"]
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mutmut"), *args],
        cwd=work,
        text=True,
        env=env,
        **kwargs,
    )


def results(work):
    """{mutant name: status} from mutmut's own listing."""
    out = mutmut(work, "results", "--all", "true", capture_output=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def make_test_database():
    """Create (or re-create after new migrations) the test database every mutant reuses."""
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "pytest"),
            "-q",
            # --create-db makes it afresh, and --reuse-db keeps it after the session:
            # without it pytest-django drops the database at the end, and every
            # mutant's session then finds none.
            "--create-db",
            "--reuse-db",
            "-p",
            "no:randomly",
            "tests/agencies/test_scoping.py",
            "-k",
            "anonymous and role_table",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        env=test_database_env(),
    )


def explanations(module):
    """The section of docs/testing.md that explains `module`'s survivors (under the
    heading "#### `widgets/flow.py`", up to the next heading): a name explained under
    another module (x_detect__mutmut_3 is in more than one) does not count."""
    text = (ROOT / "docs" / "testing.md").read_text()
    found = re.search(rf"^#### `{re.escape(module)}`\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    return found.group(1) if found else ""


def write_scores(rows):
    """The scores table of docs/testing.md, with these modules' rows replaced."""
    doc = ROOT / "docs" / "testing.md"
    text = doc.read_text()
    pattern = re.compile(re.escape(SCORES_START) + ".*?" + re.escape(SCORES_END), re.S)
    kept = {}
    found = pattern.search(text)
    for line in found.group(0).splitlines() if found else []:
        cell = line.split("|")
        if len(cell) > 2 and cell[1].strip().startswith("`"):
            if len(cell) == 9:  # a row from before the timeout column: not recorded then
                line = "|".join([*cell[:4], " - ", *cell[4:]])
            kept[cell[1].strip().strip("`")] = line
    table = [
        "| module | mutants | killed | of which timed out twice | survived | no test ran it "
        "| score | time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        kept[row["module"]] = (
            f"| `{row['module']}` | {row['total']} | {row['killed']} | {row['timeouts']} "
            f"| {row['survived']} | {row['no_tests']} | {row['score']:.0%} "
            f"| {row['minutes']:.0f} min |"
        )
    # A module that is gone (widgets/coach.py became the package widgets/coach/) has
    # no score to keep.
    kept = {m: line for m, line in kept.items() if (ROOT / m).is_file()}
    order = [m for m in MODULES if m in kept] + sorted(set(kept) - set(MODULES))
    table += [kept[m] for m in order]
    block = "\n".join([SCORES_START, *table, SCORES_END])
    if found:
        text = pattern.sub(lambda _: block, text)
    else:
        text += "\n" + block + "\n"
    doc.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=MODULES)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    parser.add_argument(
        "--again",
        action="store_true",
        help="run the mutants that survived the last run again (after adding tests: mutmut "
        "itself re-runs only the mutants of functions that changed)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("make mutate runs on PostgreSQL: set DATABASE_URL (README, 'Tests').")
    make_test_database()
    rows, failed = [], []
    for module in args.modules:
        tests = tests_importing(module)
        print(f"\n== {module}: {len(tests)} test files import it", flush=True)
        for test in tests:
            print(f"   {test}")
        work = scratch_copy(module, tests)
        started = time.monotonic()
        jobs = ["--max-children", str(args.jobs)]
        with open(work.parent / f"{work.name}.log", "w") as log:
            mutmut(work, "run", *jobs, stdout=log, stderr=log)
            again = [n for n, s in results(work).items() if s in {"survived", "no tests"}]
            if args.again and again:
                mutmut(work, "run", *jobs, *again, stdout=log, stderr=log)
            # A timeout on a busy machine is often a slow survivor, not a mutant that
            # loops: each is run again, alone, and its second result stands. So is a
            # "suspicious" run, one whose tests could not use the database
            # (tests/conftest.py): it proves nothing either way.
            slow = [n for n, s in results(work).items() if s in {"timeout", "suspicious"}]
            if slow:
                mutmut(work, "run", "--max-children", "1", *slow, stdout=log, stderr=log)
        minutes = (time.monotonic() - started) / 60
        status = {n: s for n, s in results(work).items() if module_of(n) == dotted(module)}
        killed = sum(s in {"killed", "timeout", "segfault"} for s in status.values())
        timeouts = sum(s == "timeout" for s in status.values())
        survived = sorted(n for n, s in status.items() if s == "survived")
        no_tests = sorted(n for n, s in status.items() if s == "no tests")
        total = len(status)
        unchecked = sum(s == "not checked" for s in status.values())
        if unchecked or not total:
            # mutmut stopped early (its log says why): no score for this module.
            print(f"   incomplete: {unchecked} of {total} mutants not checked; see {work}.log")
            failed.append(module)
            continue
        score = killed / total
        rows.append(
            {
                "module": module,
                "total": total,
                "killed": killed,
                "timeouts": timeouts,
                "survived": len(survived),
                "no_tests": len(no_tests),
                "score": score,
                "minutes": minutes,
            }
        )
        print(f"   {killed}/{total} killed ({score:.0%}) in {minutes:.0f} min")
        # Named in backquotes, without the module: `x_rollup__mutmut_12`.
        explained = explanations(module)
        unexplained = [
            n for n in survived + no_tests if f"`{n.rsplit('.', 1)[-1]}`" not in explained
        ]
        for name in unexplained:
            print(f"   not explained in docs/testing.md: {name}")
            print(mutmut(work, "show", name, capture_output=True).stdout)
        others = sorted(set(status.values()) - {"killed", "survived", "no tests"})
        if others:
            print(f"   other results: {others}")
        if score < TARGET or unexplained:
            failed.append(module)
        write_scores(rows)
    if failed:
        sys.exit(f"\nBelow {TARGET:.0%} or with unexplained survivors: {', '.join(failed)}")


if __name__ == "__main__":
    main()
