"""Scheduled jobs, run by the background worker without cron (docs/adr/0007).

django-tasks 0.12 queues and runs tasks but has no schedule of its own. The
schedule is settings.WORKER_SCHEDULE: a name -> the dotted path of a django-tasks
@task and either `at` (daily, "HH:MM" in TIME_ZONE) or `every` (seconds). Each
entry is a PeriodicTask row whose `next_run_at` says when it is due;
`manage.py worker` (django-tasks' db_worker and this) looks every few seconds
(`run_due`) and queues what is due. The task then runs like any other, on
whichever worker claims it.

Once, whatever the number of workers: a worker claims the due rows with
SELECT ... FOR UPDATE SKIP LOCKED, and in the same transaction queues each task
(its row in the same database) and moves `next_run_at` on. Another worker looking
at the same moment skips the locked rows, or, once the first has committed, finds
them no longer due. A worker that dies in the middle rolls all of it back, so the
run is neither lost nor doubled; a worker that was down when a run was due
queues it once when it comes back (no catching up on every missed run).
"""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.utils import exclusive_transaction

from .models import PeriodicTask

logger = logging.getLogger(__name__)


def _timing(entry):
    """(at, every) of one settings.WORKER_SCHEDULE entry."""
    if "at" in entry:
        return dt.time.fromisoformat(entry["at"]), None
    return None, dt.timedelta(seconds=float(entry["every"]))


def sync(schedule=None, *, now=None):
    """Make the PeriodicTask rows say what `schedule` (settings.WORKER_SCHEDULE) says:
    a new entry is first due at its next time, a changed one is due anew, a removed
    one is deleted. Safe to run from several workers at once."""
    schedule = settings.WORKER_SCHEDULE if schedule is None else schedule
    now = now or timezone.now()
    with transaction.atomic():
        rows = {p.name: p for p in PeriodicTask.objects.select_for_update()}
        for name, entry in schedule.items():
            at, every = _timing(entry)
            row = rows.get(name)
            if row is not None and (row.task_path, row.at, row.every) == (entry["task"], at, every):
                continue
            row = row or PeriodicTask(name=name)
            row.task_path, row.at, row.every = entry["task"], at, every
            row.next_run_at = row.following(now)
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                pass  # another worker starting at the same moment made it
        PeriodicTask.objects.exclude(name__in=list(schedule)).delete()


def run_due(*, now=None):
    """Queue every scheduled task that is due, once whichever worker asks; returns
    the names queued."""
    now = now or timezone.now()
    queued = []
    # SQLite has no FOR UPDATE: there the transaction takes the database's write lock first.
    with exclusive_transaction():
        due = PeriodicTask.objects.select_for_update(skip_locked=True).filter(next_run_at__lte=now)
        for row in due:
            result = import_string(row.task_path).enqueue()
            row.last_run_at, row.last_task_id = now, str(result.id)
            row.next_run_at = row.following(now)
            row.save(update_fields=["last_run_at", "last_task_id", "next_run_at", "updated_at"])
            queued.append(row.name)
    for name in queued:
        logger.info("Queued the scheduled task %s", name)
    return queued


class Scheduler(threading.Thread):
    """Looks for due tasks every `interval` seconds, beside the worker's own loop (a
    daemon thread with its own database connection: it dies with the worker)."""

    def __init__(self, *, interval):
        super().__init__(name="widgets-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self):
        synced = False
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    if not synced:
                        sync()
                        synced = True
                    run_due()
                except Exception:  # a database that does not answer: try at the next look
                    logger.exception("The scheduler could not look for due tasks")
                self.stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self):
        self.stopping.set()
