"""`make restore-check`: restore a backup into a scratch database and compare
the row count of every table with the live database. Exits non-zero on any
difference, so it can run from cron after each backup."""

import os
import subprocess
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from .backup import _program, pg_env_args


def _counts(conninfo):
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
            ).fetchone()[0]
            for t in tables
        }


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and compare row counts with the live one."

    def add_arguments(self, parser):
        parser.add_argument("dump", nargs="?", help="Backup file (default: the newest in backups/)")
        parser.add_argument("--scratch", default=None, help="Scratch database name")

    def handle(self, *args, dump=None, scratch=None, **options):
        args_, env, name = pg_env_args()
        if dump is None:
            dumps = sorted((Path(settings.BASE_DIR) / "backups").glob("*.dump"))
            if not dumps:
                raise CommandError("No backup in backups/: run `make backup` first.")
            dump = str(dumps[-1])
        scratch = scratch or f"{name}_restore_check"
        db = connection.settings_dict
        conninfo = {
            "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432,
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
        }
        conninfo = {k: v for k, v in conninfo.items() if v is not None}
        with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            subprocess.run(  # noqa: S603 - pg_restore from PATH, arguments from settings
                [_program("pg_restore"), "--no-owner", *args_, "--dbname", scratch, dump],
                check=True,
                env={**os.environ, **env},
            )
            live = _counts({**conninfo, "dbname": name})
            restored = _counts({**conninfo, "dbname": scratch})
        finally:
            with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        differences = {
            t: (live.get(t), restored.get(t))
            for t in sorted(set(live) | set(restored))
            if live.get(t) != restored.get(t)
        }
        rows = sum(live.values())
        if differences:
            for table, (a, b) in differences.items():
                self.stderr.write(f"{table}: live {a}, restored {b}")
            raise CommandError(f"{len(differences)} tables differ after restoring {dump}.")
        self.stdout.write(f"OK: {len(live)} tables, {rows} rows, identical after restoring {dump}.")
