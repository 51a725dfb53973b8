"""`make backup`: a pg_dump of the database (custom format) into backups/."""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _program(name):
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def pg_env_args():
    """pg_dump/pg_restore connection arguments from the Django database settings."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise CommandError("Backups are for PostgreSQL: set DATABASE_URL.")
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["--username", db["USER"]]
    env = {"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {}
    return args, env, db["NAME"]


class Command(BaseCommand):
    help = "Dump the database with pg_dump into backups/<name>-<time>.dump."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/<db>-<time>.dump)")

    def handle(self, *args, output=None, **options):
        args_, env, name = pg_env_args()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(output or Path(settings.BASE_DIR) / "backups" / f"{name}-{stamp}.dump")
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - pg_dump from PATH, arguments from settings
            [
                _program("pg_dump"),
                "--format=custom",
                "--no-owner",
                *args_,
                "--file",
                str(path),
                name,
            ],
            check=True,
            env={**os.environ, **env},
        )
        self.stdout.write(str(path))
