"""Roll-ups of counts kept by the database, in the transaction of every write.

Triggers on widgets_widgetcount make again, from the counts, the roll-up of every
month, fiscal quarter and fiscal year a write touched (widgets.models.CountRollup),
whatever made the write: the one write path (grid, edit page, upload, API batch,
admin), the set-based upload (widgets.counting.copy), a delete, a history restore,
a queryset `update()`, raw SQL (docs/adr/0009-roll-ups-kept-by-triggers.md).

- PostgreSQL: one statement-level trigger per operation, with the changed rows as
  a transition table, so an upload of 100,000 counts makes each touched month
  once. Writers of the same widget take a transaction-scoped advisory lock on it
  first, so each sums the other's committed rows (never a stale sum).
- SQLite (local runs): row-level triggers, each making the row's three roll-ups.

A roll-up is never updated by adding a difference: it is summed again from the
counts of its period, so it cannot drift. `rebuild` makes them all again
(`manage.py rebuild_rollups`); `widgets.rollups_check.differences` compares them
with a fresh sum made in Python, which tests and `rebuild_rollups --check` use.

Quarters and fiscal years follow FISCAL_YEAR_START_MONTH as it was when the
triggers were made (after every `migrate`): after changing it, run
`manage.py rebuild_rollups`. Pages read the months, which do not depend on it.
"""

from django.conf import settings
from django.db import connection, transaction

from agencies.version_triggers import statement_triggers

from . import measures
from .models.rollups import FIGURES, SUM_COLUMNS, CountRollup, Grain
from .periods import Frequency

TABLE = "widgets_countrollup"
COUNTS = "widgets_widgetcount"
FUNCTION = "widgets_refresh_rollups"
LOCK_SPACE = 2203  # advisory locks on (LOCK_SPACE, widget id): the writers of a widget
MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.FISCAL_YEAR: 12}
COLUMNS = ["widget_id", "grain", "period_start", *FIGURES, "created_at", "updated_at"]
WIDGETS = "widgets_widget"
WIDGET_FUNCTION = "widgets_refresh_widget_rollups"


def _sums():
    """The SQL of each summed column over counts `c`, as FLOW_AGGREGATES sums them."""
    found = [f"SUM(c.{f.name})" for f in measures.summed_fields()]
    for spec in measures.MEASURES:
        if spec.per_day:
            continue
        known = f"c.{spec.numerator} IS NOT NULL AND c.{spec.denominator} IS NOT NULL"
        found += [
            f"SUM(CASE WHEN {known} THEN c.{spec.numerator} END)",
            f"SUM(CASE WHEN {known} THEN c.{spec.denominator} END)",
        ]
    return found


def _months_in(day, months, vendor):
    """SQL: how many months `day` is past the start of its period of `months` months."""
    month = (
        f"CAST(EXTRACT(MONTH FROM {day}) AS integer)"
        if vendor == "postgresql"
        else f"CAST(strftime('%m', {day}) AS integer)"
    )
    return f"(({month} - {settings.FISCAL_YEAR_START_MONTH} + 12) % {months})"


def bucket(day, grain, vendor):
    """SQL: the first day of the month, fiscal quarter or fiscal year of `day`."""
    months = MONTHS[grain]
    if vendor == "postgresql":
        first = f"date_trunc('month', {day}::timestamp)"
        if months == 1:
            return f"{first}::date"
        return f"({first} - make_interval(months => {_months_in(day, months, vendor)}))::date"
    if months == 1:
        return f"date({day}, 'start of month')"
    return f"date({day}, 'start of month', '-' || {_months_in(day, months, vendor)} || ' months')"


def _after(start, grain, vendor):
    """SQL: the first day after the period that begins on `start`."""
    if vendor == "postgresql":
        return f"({start} + interval '{MONTHS[grain]} months')::date"
    return f"date({start}, '+{MONTHS[grain]} months')"


def _period_before(day, frequency, vendor):
    """SQL: the first day of the period just before the one that begins on `day`, at
    the frequency (SQL) `frequency` (widgets.periods.previous_period_start: the
    period of the day before)."""
    if vendor == "postgresql":
        before = f"({day} - 1)"
        week = f"date_trunc('week', {before}::timestamp)::date"  # Monday, as ISO weeks
    else:
        before = f"date({day}, '-1 day')"
        week = f"date({day}, '-7 days', 'weekday 1')"  # the Monday on or before the day before
    return (
        f"CASE {frequency} WHEN '{Frequency.DAY}' THEN {before} "
        f"WHEN '{Frequency.WEEK}' THEN {week} "
        f"WHEN '{Frequency.MONTH}' THEN {bucket(before, Grain.MONTH, vendor)} "
        f"WHEN '{Frequency.QUARTER}' THEN {bucket(before, Grain.QUARTER, vendor)} "
        f"ELSE {bucket(before, Grain.FISCAL_YEAR, vendor)} END"
    )


def _gap(vendor):
    """SQL: 1 when the count `c` does not balance with the period before, as
    widgets.flow.balance_failures judges it, else 0: its backlog is known; the nearest
    earlier count of its widget with a known backlog is the period just before; and
    that backlog + demand - delivered - withdrawn (0 where withdrawn does not apply to
    the widget) is known and differs from it."""
    frequency = "w.reporting_frequency"  # the count's widget, joined (_source)
    withdrawn_applies_not = "CAST(w.not_applicable AS text) LIKE '%\"withdrawn\"%'"
    # The nearest earlier count with a known backlog (one step back along the widget's
    # index): its backlog if it is the period just before, else unknown.
    previous = (
        f"(SELECT CASE WHEN p.period_start = {_period_before('c.period_start', frequency, vendor)} "  # noqa: S608
        f"THEN p.backlog END FROM {COUNTS} p WHERE p.widget_id = c.widget_id "
        "AND p.period_start < c.period_start AND p.backlog IS NOT NULL "
        "ORDER BY p.period_start DESC LIMIT 1)"
    )
    withdrawn = f"COALESCE(c.withdrawn, CASE WHEN {withdrawn_applies_not} THEN 0 END)"
    return (
        f"CASE WHEN c.backlog <> {previous} + c.demand - c.delivered - {withdrawn} "
        "THEN 1 ELSE 0 END"
    )


def _select(grain, vendor, start, where):
    """INSERT of the roll-ups at `grain` of the rows `c` that `where` names (FROM ...),
    grouped by widget and `start` (SQL of the period's first day). A month sums its
    counts; a quarter or a fiscal year sums its months (at most 12 rows, not 366)."""
    months = grain != Grain.MONTH
    table, level, day = (
        (TABLE, "closing_backlog", "period_start")
        if months
        else (COUNTS, "backlog", "period_start")
    )
    if vendor == "postgresql":
        closing = (
            f"(array_agg(c.{level} ORDER BY c.{day} DESC) FILTER (WHERE c.{level} IS NOT NULL))[1]"
        )
        now = "now()"
    else:
        only_months = f"AND b.grain = '{Grain.MONTH}' " if months else ""
        closing = (
            f"(SELECT b.{level} FROM {table} b WHERE b.widget_id = c.widget_id "  # noqa: S608
            f"{only_months}AND b.{level} IS NOT NULL AND b.period_start >= {start} "
            f"AND b.period_start < {_after(start, grain, vendor)} "
            "ORDER BY b.period_start DESC LIMIT 1)"
        )
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    if months:
        sums = ["SUM(c.rows)", *(f"SUM(c.{name})" for name in SUM_COLUMNS)]
        newest = [
            "MAX(c.last_period)",
            "MIN(c.first_delivered_period)",
            "MAX(c.last_delivered_period)",
        ]
        gaps = "SUM(c.balance_gaps)"
    else:
        sums = ["COUNT(*)", *_sums()]
        newest = [
            "MAX(c.period_start)",
            "MIN(CASE WHEN c.delivered IS NOT NULL THEN c.period_start END)",
            "MAX(CASE WHEN c.delivered IS NOT NULL THEN c.period_start END)",
        ]
        gaps = f"SUM({_gap(vendor)})"
    values = ["c.widget_id", f"'{grain}'", start, *sums, closing, *newest, gaps, now, now]
    return (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {', '.join(values)} "
        f"{where} GROUP BY c.widget_id, {start}"
    )


def _source(grain):
    """The rows a roll-up at `grain` sums, as `c`: counts for a month (with their
    widget as `w`, for the balance gaps), else months."""
    if grain == Grain.MONTH:
        return f"({COUNTS} c JOIN {WIDGETS} w ON w.id = c.widget_id)", ""
    return f"{TABLE} c", f"c.grain = '{Grain.MONTH}' AND "


# --- PostgreSQL ------------------------------------------------------------------


def _postgresql_refresh(grain):
    """Statements making again the roll-ups at `grain` of the (widget_id,
    period_start) rows of the relation `{touched}`."""
    vendor = "postgresql"
    periods = (
        f"SELECT DISTINCT widget_id, {bucket('period_start', grain, vendor)} AS start "  # noqa: S608
        "FROM ({touched}) s"
    )
    delete = (
        f"WITH t AS ({periods}) DELETE FROM {TABLE} r USING t "  # noqa: S608
        f"WHERE r.widget_id = t.widget_id AND r.grain = '{grain}' AND r.period_start = t.start"
    )
    source, only = _source(grain)
    insert = _select(
        grain,
        vendor,
        "t.start",
        f"FROM t JOIN {source} ON {only}c.widget_id = t.widget_id "
        f"AND c.period_start >= t.start AND c.period_start < {_after('t.start', grain, vendor)}",
    )
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[3:] if c != "created_at")
    insert = (
        f"WITH t AS ({periods}) {insert} "
        f"ON CONFLICT (widget_id, grain, period_start) DO UPDATE SET {update}"
    )
    return [delete, insert]


def _postgresql_body():
    """PL/pgSQL: make again every roll-up of the (widget_id, period_start) rows named by
    the query in the variable `touched` and of the counts just after them (below)."""
    body = []
    for grain in Grain:
        for statement in _postgresql_refresh(grain):
            body.append(f"EXECUTE replace($q${statement}$q$, '{{touched}}', touched);")
    # A count's balance gap depends on the nearest earlier count with a known backlog:
    # a write also changes the gap of the first such count after it, which may be in a
    # later month. Among the rows of a widget and month written, only the last can have
    # it in another month (any earlier one's is that last row or the same as its).
    month = bucket("period_start", Grain.MONTH, "postgresql")
    with_after = (
        "SELECT widget_id, period_start FROM ({touched}) o UNION ALL "  # noqa: S608
        f"SELECT s.widget_id, (SELECT min(n.period_start) FROM {COUNTS} n "
        "WHERE n.widget_id = s.widget_id AND n.period_start > s.last "
        "AND n.backlog IS NOT NULL) FROM (SELECT widget_id, max(period_start) AS last "
        f"FROM ({{touched}}) x GROUP BY widget_id, {month}) s"
    )
    return f"touched := replace($q${with_after}$q$, '{{touched}}', touched); " + " ".join(body)


def _function(name, start):
    """SQL: the trigger function `name`, which sets `touched` (PL/pgSQL `start`, which
    may return early) and then makes again the roll-ups it names."""
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
        SET jit = off AS $$
        DECLARE
            touched text;
        BEGIN
            {start}
            {_postgresql_body()}
            RETURN NULL;
        END
        $$
        """


def _postgresql():
    counts_written = f"""
            IF TG_OP = 'TRUNCATE' THEN
                DELETE FROM {TABLE};
                RETURN NULL;
            END IF;
            touched := CASE TG_OP
                WHEN 'INSERT' THEN 'SELECT widget_id, period_start FROM new_rows'
                WHEN 'DELETE' THEN 'SELECT widget_id, period_start FROM old_rows'
                ELSE 'SELECT widget_id, period_start FROM new_rows '
                     'UNION SELECT widget_id, period_start FROM old_rows'
            END;
            -- In widget order, so that two writers lock in the same order; each
            -- statement below then sums what the other committed.
            EXECUTE 'SELECT count(pg_advisory_xact_lock({LOCK_SPACE}, w::integer)) FROM '
                || '(SELECT DISTINCT widget_id AS w FROM (' || touched || ') s ORDER BY 1) l';
    """  # noqa: S608 - module constants, no input
    # A widget's frequency or what does not apply to it (withdrawn) changes how each
    # of its counts balances: all of its roll-ups are made again.
    widget_changed = f"""
            PERFORM pg_advisory_xact_lock({LOCK_SPACE}, NEW.id::integer);
            touched := 'SELECT widget_id, period_start FROM {COUNTS} WHERE widget_id = '
                || NEW.id;
    """  # noqa: S608 - module constants, no input
    statements = [
        _function(FUNCTION, counts_written),
        _function(WIDGET_FUNCTION, widget_changed),
        f"DROP TRIGGER IF EXISTS {WIDGETS}_rollups ON {WIDGETS}",
        f"CREATE TRIGGER {WIDGETS}_rollups AFTER UPDATE OF reporting_frequency, not_applicable "
        f"ON {WIDGETS} FOR EACH ROW WHEN (OLD.reporting_frequency IS DISTINCT FROM "
        "NEW.reporting_frequency OR OLD.not_applicable IS DISTINCT FROM NEW.not_applicable) "
        f"EXECUTE FUNCTION {WIDGET_FUNCTION}()",
    ]
    statements += statement_triggers(COUNTS, f"{COUNTS}_rollup", f"{FUNCTION}()")
    statements += [
        f"DROP TRIGGER IF EXISTS {COUNTS}_rollup_truncate ON {COUNTS}",
        f"CREATE TRIGGER {COUNTS}_rollup_truncate AFTER TRUNCATE ON {COUNTS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    ]
    return statements


# --- SQLite ----------------------------------------------------------------------


def _sqlite_refresh(row, day=None):
    """Statements making again the three roll-ups of the count `row` (NEW or OLD), or
    of the day (SQL) `day` of its widget."""
    vendor, found = "sqlite", []
    day = day or f"{row}.period_start"
    for grain in Grain:
        start = bucket(day, grain, vendor)
        found.append(
            f"DELETE FROM {TABLE} WHERE widget_id = {row}.widget_id "  # noqa: S608
            f"AND grain = '{grain}' AND period_start = {start};"
        )
        source, only = _source(grain)
        where = (
            f"FROM {source} WHERE {only}c.widget_id = {row}.widget_id "
            f"AND c.period_start >= {start} AND c.period_start < {_after(start, grain, vendor)}"
        )
        found.append(_select(grain, vendor, start, where) + ";")
    return " ".join(found)


def _sqlite_next(row):
    """SQL: the period of the first count after `row` with a known backlog, whose
    balance gap depends on it (None: there is none, and nothing is made)."""
    return (
        f"(SELECT min(n.period_start) FROM {COUNTS} n WHERE n.widget_id = {row}.widget_id "  # noqa: S608
        f"AND n.period_start > {row}.period_start AND n.backlog IS NOT NULL)"
    )


def _sqlite_widget():
    """Statements making again every roll-up of the widget NEW."""
    found = [f"DELETE FROM {TABLE} WHERE widget_id = NEW.id;"]  # noqa: S608
    for grain in Grain:  # months first: quarters and years sum them
        source, only = _source(grain)
        where = f"FROM {source} WHERE {only}c.widget_id = NEW.id"
        found.append(
            _select(grain, "sqlite", bucket("c.period_start", grain, "sqlite"), where) + ";"
        )
    return " ".join(found)


def _sqlite():
    statements = []
    for op, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        name = f"{COUNTS}_rollup_{op.lower()}"
        body = " ".join(
            _sqlite_refresh(row) + " " + _sqlite_refresh(row, _sqlite_next(row)) for row in rows
        )
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {op} ON {COUNTS} FOR EACH ROW BEGIN {body} END",
        ]
    statements += [
        f"DROP TRIGGER IF EXISTS {WIDGETS}_rollups",
        f"CREATE TRIGGER {WIDGETS}_rollups AFTER UPDATE OF reporting_frequency, not_applicable "
        f"ON {WIDGETS} FOR EACH ROW WHEN OLD.reporting_frequency IS NOT NEW.reporting_frequency "
        "OR OLD.not_applicable IS NOT NEW.not_applicable "
        f"BEGIN {_sqlite_widget()} END",
    ]
    return statements


def install(schema_editor):
    """Create (or replace) the triggers (after every migrate: widgets.apps); only
    drop them when the roll-up table is not there. Returns whether it is."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql()
    elif vendor == "sqlite":
        statements = _sqlite()
    else:  # pragma: no cover - the stack is PostgreSQL and SQLite
        raise NotImplementedError(f"roll-up triggers for {vendor}")
    # Migrated back to before the roll-up table: no triggers (they would write to it).
    present = TABLE in schema_editor.connection.introspection.table_names()
    for statement in statements:
        if present or statement.startswith("DROP TRIGGER"):
            schema_editor.execute(statement, params=None)
    return present


@transaction.atomic
def rebuild():
    """Make every roll-up again from the counts, in one transaction. Returns how many."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - constants
        for grain in Grain:  # months first: quarters and years sum them
            start = bucket("c.period_start", grain, vendor)
            source, only = _source(grain)
            where = f"FROM {source}" + (f" WHERE {only.removesuffix(' AND ')}" if only else "")
            cursor.execute(_select(grain, vendor, start, where))
        if vendor == "postgresql":
            # Every row is new: without fresh statistics the planner scanned the whole
            # table for one agency's months (45 ms instead of 1 at a state's size).
            cursor.execute(f"ANALYZE {TABLE}")
    return CountRollup.objects.count()
