"""The database triggers that keep the data versions (agencies.versions): which
tables hold an agency's data and how a changed row leads to its agency, and the
SQL that gives the agency (and, for counts, the widget) a new version in the same
statement as the write, for PostgreSQL and SQLite. (Re)created after every
`migrate` (agencies.apps)."""

# How to find the agency (or agencies) of a changed row: SQL over a relation of
# changed rows named {rows}, for PostgreSQL; and an expression over NEW/OLD for SQLite.
PATHS = {
    "self": ("SELECT r.id FROM {rows} r", "{row}.id"),
    "agency": ("SELECT r.agency_id FROM {rows} r", "{row}.agency_id"),
    "program": (
        "SELECT p.agency_id FROM {rows} r JOIN agencies_program p ON p.id = r.program_id",
        "(SELECT agency_id FROM agencies_program WHERE id = {row}.program_id)",
    ),
    "widget": (
        "SELECT w.agency_id FROM {rows} r JOIN widgets_widget w ON w.id = r.widget_id",
        "(SELECT agency_id FROM widgets_widget WHERE id = {row}.widget_id)",
    ),
    "outcome": (
        "SELECT o.agency_id FROM {rows} r JOIN outcomes_outcome o ON o.id = r.outcome_id",
        "(SELECT agency_id FROM outcomes_outcome WHERE id = {row}.outcome_id)",
    ),
    "board": (
        "SELECT b.agency_id FROM {rows} r JOIN outcomes_board b ON b.id = r.board_id",
        "(SELECT agency_id FROM outcomes_board WHERE id = {row}.board_id)",
    ),
    "problem": (
        "SELECT b.agency_id FROM {rows} r JOIN outcomes_problem p ON p.id = r.problem_id"
        " JOIN outcomes_board b ON b.id = p.board_id",
        "(SELECT b.agency_id FROM outcomes_problem p JOIN outcomes_board b ON b.id = p.board_id"
        " WHERE p.id = {row}.problem_id)",
    ),
    "review": (
        "SELECT v.agency_id FROM {rows} r JOIN outcomes_review v ON v.id = r.review_id",
        "(SELECT agency_id FROM outcomes_review WHERE id = {row}.review_id)",
    ),
}

# Every table that holds an agency's data, and how to find the agency.
TABLES = {
    "agencies_agency": "self",
    "agencies_program": "agency",
    "agencies_team": "program",
    "agencies_membership": "agency",
    "agencies_accessrule": "agency",
    "customers_customersegment": "agency",
    "widgets_widget": "agency",
    "widgets_widget_customer_segments": "widget",
    "widgets_apitoken": "agency",
    "widgets_countupload": "agency",
    "widgets_widgetcount": "widget",
    "widgets_surveyresult": "widget",
    "widgets_survey": "widget",
    "widgets_publishedrow": "widget",
    "widgets_inventoryfinding": "widget",
    "outcomes_outcome": "agency",
    "outcomes_measurement": "outcome",
    "outcomes_stepchange": "outcome",
    "outcomes_contribution": "outcome",
    "outcomes_countermeasure": "agency",
    "outcomes_review": "agency",
    "outcomes_review_countermeasures": "review",
    # Huddle boards: the state's has no agency, and its problems bump none (a page
    # that shows them is not cached by agency versions).
    "outcomes_board": "agency",
    "outcomes_board_widgets": "board",
    "outcomes_board_outcomes": "board",
    "outcomes_problem": "board",
    "outcomes_problemaction": "problem",
}
# People's names and e-mail addresses appear on every agency's pages: a change
# to them gives every agency a new version. (Signing in updates only last_login.)
USER_TABLE = "auth_user"
USER_COLUMNS = ("username", "first_name", "last_name", "email", "is_active")

# Tables of these apps that are nobody's page data, and why.
UNVERSIONED = {
    "agencies_dataversion": "the versions themselves",
    "agencies_widgetversion": "the versions themselves, per widget, of its counts",
    "agencies_signinevent": "the sign-in audit log, shown only in the admin",
    "widgets_inventoryimport": "who imported which files when; its rows are versioned",
    "agencies_uploadjob": "an upload's progress, shown only to whoever started it",
    "agencies_periodictask": "the worker's schedule, shown only in the admin",
    # Written only by triggers on widgets_widgetcount, in the same statement as the
    # count write that bumps the agency (docs/adr/0009-roll-ups-kept-by-triggers.md).
    "widgets_countrollup": "sums of widgets_widgetcount, which is versioned",
    # Hosted surveys' answers and invitations: what cached pages show of them is the
    # roll-up, widgets_surveyresult (versioned), written in the same transaction.
    "widgets_invitationbatch": "rolled up into widgets_surveyresult, which is versioned",
    "widgets_surveyinvitation": "rolled up into widgets_surveyresult, which is versioned",
    "widgets_surveyresponse": "rolled up into widgets_surveyresult, which is versioned",
}

# Tables of counts: a write to one gives its widgets a new counts version
# (agencies_widgetversion) and its agency a new `version` but not a new
# `base_version` (per_widget). SQL over the changed rows {rows} finding their
# widgets, for PostgreSQL; the widget's column, for SQLite.
COUNT_TABLES = {"widgets_widgetcount": ("SELECT r.widget_id FROM {rows} r", "{row}.widget_id")}

SEQUENCE = "agencies_dataversion_seq"
FUNCTION = "agencies_bump_data_versions"
USER_FUNCTION = "agencies_bump_data_versions_for_people"


def _gathered(argument, into):
    """PL/pgSQL: the distinct ids that the query TG_ARGV[argument] finds in the
    changed rows, into the array `into` (from both transition tables for an UPDATE;
    uses the array `more`)."""
    query = f"TG_ARGV[{argument}]"
    return f"""
            EXECUTE 'SELECT array_agg(DISTINCT a) FROM (' || replace({query}, '{{rows}}',
                CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END) || ') s(a)'
                INTO {into};
            IF TG_OP = 'UPDATE' THEN
                EXECUTE 'SELECT array_agg(DISTINCT a) FROM ('
                    || replace({query}, '{{rows}}', 'old_rows') || ') s(a)' INTO more;
                {into} := {into} || more;
            END IF;"""  # noqa: S608 - module constants, no input


def statement_triggers(table, prefix, call):
    """PostgreSQL: (re)create AFTER INSERT, UPDATE and DELETE triggers on `table`,
    named `<prefix>_<op>`, each once per statement with its transition tables
    (new_rows, old_rows), running `call` ("function(arguments)")."""
    statements = []
    for op, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        name = f"{prefix}_{op.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {call}",
        ]
    return statements


def _postgresql(tables):
    statements = [
        f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}",
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            ids bigint[];
            more bigint[];
            widgets bigint[];
        BEGIN
            IF TG_OP = 'TRUNCATE' OR TG_NARGS = 0 THEN
                UPDATE agencies_dataversion
                SET version = nextval('{SEQUENCE}'), base_version = nextval('{SEQUENCE}');
                RETURN NULL;
            END IF;
            {_gathered(0, "ids")}
            -- In agency order, so that two writers lock versions in the same order;
            -- then, for counts, in widget order. Counts (a second argument: how to
            -- find their widgets) leave the base version as it was.
            INSERT INTO agencies_dataversion (agency_id, version, base_version)
            SELECT a, nextval('{SEQUENCE}'), nextval('{SEQUENCE}')
            FROM (SELECT DISTINCT a FROM unnest(ids) a WHERE a IS NOT NULL ORDER BY a) s
            ON CONFLICT (agency_id) DO UPDATE SET version = EXCLUDED.version,
                base_version = CASE WHEN TG_NARGS = 1 THEN EXCLUDED.base_version
                                    ELSE agencies_dataversion.base_version END;
            IF TG_NARGS = 1 THEN
                RETURN NULL;
            END IF;
            {_gathered(1, "widgets")}
            INSERT INTO agencies_widgetversion (widget_id, version)
            SELECT w, nextval('{SEQUENCE}')
            FROM (SELECT DISTINCT w FROM unnest(widgets) w WHERE w IS NOT NULL ORDER BY w) s
            ON CONFLICT (widget_id) DO UPDATE SET version = EXCLUDED.version;
            RETURN NULL;
        END
        $$
        """,  # noqa: S608 - module constants, no input
    ]
    for table, path in tables.items():
        query = PATHS[path][0].replace("'", "''")
        arguments = f"'{query}'"
        if table in COUNT_TABLES:
            arguments += ", '" + COUNT_TABLES[table][0].replace("'", "''") + "'"
        statements += statement_triggers(table, f"{table}_dv", f"{FUNCTION}({arguments})")
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_dv_truncate ON {table}",
            f"CREATE TRIGGER {table}_dv_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ]
    # Row-level, comparing in the function body: a trigger naming columns would stop
    # later migrations of django.contrib.auth from altering them.
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in USER_COLUMNS)
    statements += [
        f"""
        CREATE OR REPLACE FUNCTION {USER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR {changed} THEN
                UPDATE agencies_dataversion
                SET version = nextval('{SEQUENCE}'), base_version = nextval('{SEQUENCE}');
            END IF;
            RETURN NULL;
        END
        $$
        """,  # noqa: S608 - module constants, no input
        f"DROP TRIGGER IF EXISTS {USER_TABLE}_dv ON {USER_TABLE}",
        f"CREATE TRIGGER {USER_TABLE}_dv AFTER UPDATE OR DELETE ON {USER_TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {USER_FUNCTION}()",
    ]
    return statements


def _sqlite(tables):
    def bump(agency, *, base=True):
        return (
            "INSERT INTO agencies_dataversion (agency_id, version, base_version) "  # noqa: S608
            f"SELECT {agency}, v, v FROM "
            "(SELECT coalesce(max(version), 0) + 1 AS v FROM agencies_dataversion) "
            f"WHERE {agency} IS NOT NULL "
            "ON CONFLICT (agency_id) DO UPDATE SET version = excluded.version"
            + (", base_version = excluded.base_version;" if base else ";")
        )

    def bump_widget(widget):
        return (
            "INSERT INTO agencies_widgetversion (widget_id, version) "  # noqa: S608 - constants
            f"SELECT {widget}, (SELECT coalesce(max(version), 0) + 1 FROM agencies_widgetversion) "
            f"WHERE {widget} IS NOT NULL "
            "ON CONFLICT (widget_id) DO UPDATE SET version = excluded.version;"
        )

    statements = []
    for table, path in tables.items():
        expression = PATHS[path][1]
        counts = COUNT_TABLES.get(table)
        for op, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
            name = f"{table}_dv_{op.lower()}"
            body = " ".join(
                bump(expression.format(row=row), base=counts is None)
                + (bump_widget(counts[1].format(row=row)) if counts else "")
                for row in rows
            )
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {body} END",
            ]
    everyone = (
        "UPDATE agencies_dataversion SET "
        "version = (SELECT max(version) FROM agencies_dataversion) + 1, "
        "base_version = (SELECT max(version) FROM agencies_dataversion) + 1;"
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in USER_COLUMNS)
    statements += [
        f"DROP TRIGGER IF EXISTS {USER_TABLE}_dv_update",
        f"CREATE TRIGGER {USER_TABLE}_dv_update AFTER UPDATE ON {USER_TABLE} "
        f"FOR EACH ROW WHEN {changed} BEGIN {everyone} END",
        f"DROP TRIGGER IF EXISTS {USER_TABLE}_dv_delete",
        f"CREATE TRIGGER {USER_TABLE}_dv_delete AFTER DELETE ON {USER_TABLE} "
        f"FOR EACH ROW BEGIN {everyone} END",
    ]
    return statements


def install(schema_editor, tables=TABLES):
    """Create (or replace) the triggers."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql(tables)
    elif vendor == "sqlite":
        statements = _sqlite(tables)
    else:  # pragma: no cover - the stack is PostgreSQL and SQLite
        raise NotImplementedError(f"data version triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
