"""`manage.py generate_scale`: fill an empty PostgreSQL database with a state's worth
of realistic data, fast, for measuring the app at scale (bench/run.py).

    manage.py generate_scale --preset state            # 40 agencies, 2,000 widgets, 5 years daily
    manage.py generate_scale --agencies 5 --widgets 200 --outcomes 40 --years 1 --seed 1

Rows are made by `_scale_data` (deterministic by --seed and --end) and loaded with
PostgreSQL COPY through psycopg 3 (`cursor.copy()`), in one transaction. The
secondary indexes of the counts table are dropped during the load and built again
after it; the roll-ups of counts (widgets.rollups) are made once after it; then
VACUUM ANALYZE. History: each definition (agency, membership, widget, outcome,
countermeasure) gets one "created" record, as a save would write; the bulk rows
(counts, measurements) get none, as if their history had been switched on after
the load.

Everyone's password is BENCH_PASSWORD (hashed once); user names are
`staff@<agency-slug>` and `manager@<agency-slug>`.
"""

import datetime as dt
import json
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from widgets import rollups
from widgets.periods import Frequency, period_start

from . import _scale_data as data

COUNT_COLUMNS = (
    "widget_id, period_start, demand, delivered, within_standard, withdrawn, backlog, rework, "
    "cost, channel_online, channel_in_person, channel_mail, channel_phone, channel_email, "
    "channel_other, source, entered_by_id, balance_note, version, created_at, updated_at"
)
SURVEY_QUESTIONS = (
    "satisfaction",
    "trust",
    "ease",
    "efficiency",
    "effectiveness",
    "transparency",
    "helpfulness",
)
SURVEY_COLUMNS = ", ".join(
    ["widget_id", "period_start", "customers_served", "offered", "respondents"]
    + [f"{q}_{p}" for q in SURVEY_QUESTIONS for p in range(1, 6)]
    + ["source", "created_at", "updated_at"]
)
TABLES = {  # table: columns, in the order of the tuples made by _scale_data
    "agencies_agency": "id, name, abbreviation, slug, mission, publishes, created_at, updated_at",
    "auth_user": "id, password, username, first_name, last_name, email, date_joined, "
    "is_superuser, is_staff, is_active",
    "agencies_membership": "user_id, agency_id, role, created_at, updated_at",
    "agencies_program": "id, agency_id, name, description, created_at, updated_at",
    "customers_customersegment": "id, agency_id, name, kind, estimated_size, needs, "
    "created_at, updated_at, description, archived",
    "widgets_widget": "id, agency_id, program_id, name, kind, description, definition_of_done, "
    "unit_of_count, channels, reporting_frequency, standard_days, standard_share, fee, "
    "legal_authority, owner_id, status, review_comment, external_id, quality_score, "
    "problem_count, version, created_at, updated_at, not_applicable",
    "widgets_widget_customer_segments": "widget_id, customersegment_id",
    "outcomes_outcome": "id, agency_id, program_id, name, measure, unit, direction, "
    "baseline_value, baseline_date, target_value, target_date, frequency, owner_id, version, "
    "created_at, updated_at",
    "outcomes_measurement": "outcome_id, date, value, created_at, updated_at, note",
    "outcomes_contribution": "outcome_id, widget_id, rationale, created_at, updated_at",
    "outcomes_countermeasure": "agency_id, outcome_id, widget_id, problem, root_cause, action, "
    "owner_id, due_date, state, version, created_at, updated_at",
    "widgets_surveyresult": SURVEY_COLUMNS,
    "widgets_widgetcount": COUNT_COLUMNS,
}
LOAD_TRIGGERS_OFF = ("widgets_widgetcount_dv_insert", "widgets_widgetcount_rollup_insert")
# Definitions get one "created" history record each; counts and measurements none.
HISTORY = {
    "agencies_agency": "agencies_historicalagency",
    "agencies_membership": "agencies_historicalmembership",
    "widgets_widget": "widgets_historicalwidget",
    "outcomes_outcome": "outcomes_historicaloutcome",
    "outcomes_countermeasure": "outcomes_historicalcountermeasure",
}
CHUNK_LINES = 20_000
MARKER = "generate_scale complete: "


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with realistic data at scale, by COPY."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(data.PRESETS))
        parser.add_argument("--agencies", type=int)
        parser.add_argument("--widgets", type=int)
        parser.add_argument("--outcomes", type=int)
        parser.add_argument("--years", type=float, help="Years of counts (may be a fraction).")
        parser.add_argument("--frequency", choices=[Frequency.DAY, Frequency.WEEK, Frequency.MONTH])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end",
            type=dt.date.fromisoformat,
            help="Last day counted (default: yesterday). Same seed and end, same data.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Empty the app's tables first when the database already has agencies.",
        )

    def handle(self, *args, **options):
        params = self.parameters(options)
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale loads with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL "
                f"database (this one is {connection.vendor})."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM agencies_agency)")
            if cursor.fetchone()[0]:
                if not options["force"]:
                    raise CommandError(
                        "This database already has agencies. Use an empty migrated database, "
                        "or --force to empty the app's tables first."
                    )
                self.empty(cursor)
        self.timings = {}
        started = time.monotonic()
        with transaction.atomic():
            self.load(params)
        self.step("vacuum analyze", self.vacuum_analyze, params)
        self.report(params, time.monotonic() - started)

    def parameters(self, options):
        params = dict(data.PRESETS[options["preset"]]) if options["preset"] else {}
        for name in ("agencies", "widgets", "outcomes", "years", "frequency"):
            if options[name] is not None:
                params[name] = options[name]
        missing = [n for n in ("agencies", "widgets", "outcomes", "years") if n not in params]
        if missing:
            raise CommandError(f"Give --preset, or --{' --'.join(missing)}.")
        params.setdefault("frequency", Frequency.DAY)
        if params["agencies"] < 1 or params["widgets"] < params["agencies"]:
            raise CommandError("Give at least one agency and one widget per agency.")
        if params["years"] <= 0:
            raise CommandError("--years must be more than 0.")
        params["seed"] = options["seed"]
        params["end"] = options["end"] or timezone.localdate() - dt.timedelta(days=1)
        return params

    def step(self, name, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.timings[name] = time.monotonic() - started
        self.stdout.write(f"  {name:<22} {self.timings[name]:7.1f}s")
        return result

    def empty(self, cursor):
        cursor.execute(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
            "WHERE schemaname = 'public' AND (tablename LIKE ANY (ARRAY['agencies\\_%', "
            "'customers\\_%', 'widgets\\_%', 'outcomes\\_%', 'axes\\_%']) "
            "OR tablename IN ('auth_user', 'django_session', 'django_admin_log'))"
        )
        cursor.execute(f"TRUNCATE {cursor.fetchone()[0]} RESTART IDENTITY CASCADE")

    # -- loading ------------------------------------------------------------------

    def load(self, params):
        seed, end = params["seed"], params["end"]
        created = timezone.make_aware(dt.datetime.combine(end, dt.time(9)))
        starts = data.periods(end, params["years"], params["frequency"])
        created = min(created, timezone.make_aware(dt.datetime.combine(starts[0], dt.time(9))))
        password = make_password(data.BENCH_PASSWORD)  # hashed once, the same for everyone
        self.stdout.write(
            f"Loading {params['agencies']} agencies, {params['widgets']} widgets, "
            f"{params['outcomes']} outcomes, {len(starts)} {params['frequency']} periods "
            f"({starts[0]} to {starts[-1]}), seed {seed}:"
        )
        with connection.cursor() as cursor:
            # Foreign keys are checked at the end of each COPY (not at commit), so that
            # the indexes can be built inside the same transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            self.cursor = cursor
            self.step("definitions", self.load_definitions, params, created, password)
            dropped = self.drop_indexes(cursor, "widgets_widgetcount")
            # The data-version trigger would keep millions of counts in a transition
            # table to find the agencies the definitions above have already bumped in
            # this transaction (agencies.versions); it is off for this COPY only.
            # The roll-up trigger likewise: the roll-ups are made once, after the load.
            for trigger in LOAD_TRIGGERS_OFF:
                cursor.execute(f"ALTER TABLE widgets_widgetcount DISABLE TRIGGER {trigger}")
            self.step("counts and surveys", self.load_counts, params, starts)
            for trigger in LOAD_TRIGGERS_OFF:
                cursor.execute(f"ALTER TABLE widgets_widgetcount ENABLE TRIGGER {trigger}")
            self.step("indexes", self.create_indexes, cursor, dropped)
            self.step("roll-ups", rollups.rebuild)
            self.step("outcomes", self.load_outcomes, params, starts, created)
            self.step("history", self.created_history, cursor)
            for table in TABLES:
                next_id = f"(SELECT coalesce(max(id), 0) + 1 FROM {table})"  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {next_id}, false)", [table]
                )
            marker = {k: str(v) if isinstance(v, dt.date) else v for k, v in params.items()}
            cursor.execute(
                f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])}"
                " IS %s",
                [MARKER + json.dumps(marker, sort_keys=True)],
            )

    def copy(self, table, rows):
        columns = TABLES[table]
        with self.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.rows[table] = self.rows.get(table, 0) + len(rows)

    def load_definitions(self, params, created, password):
        seed = params["seed"]
        self.rows = {}
        self.agencies = data.agencies(seed, params["agencies"], created)
        self.copy("agencies_agency", self.agencies)
        people = data.users(self.agencies, password, created)
        self.copy("auth_user", [(*row, False, False, True) for row in people])
        memberships = []
        for agency_id, *_ in self.agencies:
            memberships.append((data.staff_id(agency_id), agency_id, "staff", created, created))
            memberships.append((data.manager_id(agency_id), agency_id, "manager", created, created))
        self.copy("agencies_membership", memberships)
        self.program_ids, program_rows = data.programs(seed, self.agencies, created)
        self.copy("agencies_program", program_rows)
        segment_ids, segment_rows = data.segments(seed, self.agencies, created)
        self.copy("customers_customersegment", [(*r, "", False) for r in segment_rows])
        self.items = data.widgets(
            seed,
            params["widgets"],
            self.agencies,
            self.program_ids,
            segment_ids,
            params["frequency"],
            created,
        )
        self.copy("widgets_widget", [data.widget_row(item) for item in self.items])
        self.copy(
            "widgets_widget_customer_segments",
            [(item["id"], s) for item in self.items for s in item["segments"]],
        )
        return self.rows

    def load_counts(self, params, starts):
        seed = params["seed"]
        quarters = sorted({period_start(s, Frequency.QUARTER) for s in starts})
        quarter_index = {q: i for i, q in enumerate(quarters)}
        quarter_of = [quarter_index[period_start(s, Frequency.QUARTER)] for s in starts]
        # Entered in the morning after the period ended (COPY text, UTC).
        step = dt.timedelta(days=(starts[1] - starts[0]).days if len(starts) > 1 else 1)
        stamps = [f"{s + step} 14:00:00+00" for s in starts]
        # Only complete quarters inside the range are surveyed.
        complete = [i for i, q in enumerate(quarters) if q >= starts[0] and i + 1 < len(quarters)]
        surveys, total, buffer = [], 0, []
        with self.cursor.copy(f"COPY widgets_widgetcount ({COUNT_COLUMNS}) FROM STDIN") as copy:
            for item in self.items:
                if item["status"] not in data.COUNTED:
                    continue
                by_quarter = [0] * len(quarters)
                lines = data.count_lines(seed, item, starts, stamps, quarter_of, by_quarter)
                total += len(lines)
                buffer += lines
                if len(buffer) >= CHUNK_LINES:
                    copy.write("".join(buffer))
                    buffer = []
                surveys += data.survey_rows(
                    seed,
                    item,
                    [quarters[i] for i in complete],
                    [by_quarter[i] for i in complete],
                    item["created"],
                )
            if buffer:
                copy.write("".join(buffer))
        self.rows["widgets_widgetcount"] = total
        self.copy("widgets_surveyresult", surveys)

    def load_outcomes(self, params, starts, created):
        months = sorted({s.replace(day=1) for s in starts})
        rows = data.outcomes(
            params["seed"],
            params["outcomes"],
            self.agencies,
            self.program_ids,
            self.items,
            months,
            params["end"],
            created,
        )
        self.copy("outcomes_outcome", rows["outcome"])
        self.copy("outcomes_measurement", [(*r, "") for r in rows["measurement"]])
        self.copy("outcomes_contribution", rows["contribution"])
        self.copy("outcomes_countermeasure", rows["countermeasure"])

    def created_history(self, cursor):
        """One "created" history record per definition (as a save would have written);
        none for the bulk rows (counts, measurements)."""
        for table, history in HISTORY.items():
            cursor.execute(
                "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns"
                " WHERE table_name = %s AND column_name NOT LIKE 'history\\_%%' AND column_name IN"
                " (SELECT column_name FROM information_schema.columns WHERE table_name = %s)",
                [history, table],
            )
            columns = cursor.fetchone()[0]
            # Table names come from HISTORY, column names from the catalogue.
            select = f"SELECT {columns}, created_at, '+', 'generate_scale' FROM {table}"  # noqa: S608
            cursor.execute(
                f"INSERT INTO {history} ({columns}, history_date, history_type, "
                f"history_change_reason) {select}"
            )
            self.rows[history] = cursor.rowcount

    @staticmethod
    def drop_indexes(cursor, table):
        """Drop the table's indexes that back no constraint; returns their definitions."""
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in indexes]

    @staticmethod
    def create_indexes(cursor, definitions):
        for definition in definitions:
            cursor.execute(definition)

    def vacuum_analyze(self, params):
        # VACUUM sets the visibility map (index-only scans) and keeps autovacuum from
        # starting on the new rows in the middle of a measurement.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) widgets_widgetcount")
            cursor.execute("VACUUM (ANALYZE) widgets_countrollup")
            cursor.execute("ANALYZE")

    def report(self, params, seconds):
        self.stdout.write(self.style.SUCCESS(f"Loaded in {seconds:.1f}s (seed {params['seed']})."))
        for table, count in self.rows.items():
            self.stdout.write(f"  {table:<34} {count:>10,} rows")
        self.stdout.write(
            f"Logins: staff@<agency-slug>, manager@<agency-slug>; password {data.BENCH_PASSWORD}"
        )
