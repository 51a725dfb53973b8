"""The background worker: django-tasks' `db_worker`, plus the schedule.

    manage.py worker [db_worker's options] [--schedule-every SECONDS] [--no-schedule]

Runs the queued tasks (large uploads, docs/adr/0004) as `db_worker` does, and
beside them looks every `--schedule-every` seconds (default 15) for scheduled
tasks that are due (agencies.schedule, settings.WORKER_SCHEDULE: count reminders,
the recovery of uploads whose worker stopped). Run as many as you like, on as
many hosts: each task runs once, and so does each scheduled run (docs/adr/0007).

SIGTERM or SIGINT stops it cleanly, wherever it is (GracefulWorker); a second
one stops it at once.
"""

import logging
import os
import signal

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from agencies.schedule import Scheduler

logger = logging.getLogger("django_tasks_db")


class GracefulWorker(db_worker.Worker):
    """db_worker's worker, which a first stop signal ends between two steps of its loop.

    db_worker's own calls sys.exit() from the signal handler whenever no task is
    running, wherever the main thread is. That is often inside its look for a queued
    task, a transaction: a SystemExit raised in the middle of the COMMIT leaves the
    connection mid-command, and the worker ends with a traceback and exit code 1
    (seen once in CI). Here the first signal only ends the loop: the worker stops
    after the look, the pause (at most --interval) or the task under way. A second
    signal still stops it at once, as db_worker's does.
    """

    def shutdown(self, signum, frame):
        if not self.running:
            super().shutdown(signum, frame)  # the second signal: stop now
            return
        logger.warning("Received %s - stopping after this step.", signal.strsignal(signum))
        self.running = False


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
            self._run(**options)
        finally:
            if scheduler is not None:
                scheduler.stop()

    def _run(self, *, verbosity, queue_name, exclude_queues, reload, **options):
        """db_worker's handle() (django-tasks-db 0.13.0), with GracefulWorker: it makes
        its Worker in the middle, where no subclass can reach. Keep the two in step
        when django-tasks-db is upgraded."""
        self.configure_logging(verbosity)
        if reload and options["batch"]:
            logger.warning("--reload and --batch cannot be given together: no reload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = GracefulWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            **{key: options[key] for key in _WORKER_OPTIONS},
        )
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()  # in the process that runs the tasks, not the watcher
        run_with_reloader(worker.run)


_WORKER_OPTIONS = ("interval", "batch", "backend_name", "startup_delay", "max_tasks", "worker_id")
