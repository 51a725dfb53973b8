"""The background worker: django-tasks' `db_worker`, plus the schedule.

    manage.py worker [db_worker's options] [--schedule-every SECONDS] [--no-schedule]

Runs the queued tasks (large uploads, docs/adr/0004) as `db_worker` does, and
beside them looks every `--schedule-every` seconds (default 15) for scheduled
tasks that are due (agencies.schedule, settings.WORKER_SCHEDULE: count reminders,
the recovery of uploads whose worker stopped). Run as many as you like, on as
many hosts: each task runs once, and so does each scheduled run (docs/adr/0007).
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from agencies.schedule import Scheduler


class Command(db_worker.Command):
    help = "Run the background worker: queued tasks, and the scheduled ones when due."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=15.0,
            help="Seconds between two looks for due scheduled tasks (default: 15).",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Run queued tasks only; queue no scheduled ones.",
        )

    def handle(self, *args, schedule=True, schedule_every=15.0, **options):
        scheduler = None
        # With --reload, the first process only watches the files and restarts the
        # second, which runs the tasks: the schedule belongs to the second.
        watcher = options["reload"] and not options["batch"]
        if schedule and (not watcher or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            scheduler = Scheduler(interval=schedule_every)
            scheduler.start()
        try:
            super().handle(*args, **options)
        finally:
            if scheduler is not None:
                scheduler.stop()
