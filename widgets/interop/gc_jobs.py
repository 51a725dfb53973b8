"""A confirmed inventory import, run by the background worker (docs/adr/0004).

The import page queues a confirmed import of more than INVENTORY_INLINE_ROWS rows
(`start`) instead of saving it inside the request, which gunicorn would cut at
30 s, and sends the person to the job's page, which shows its progress and then
its result. The worker (`manage.py db_worker`, django-tasks' database backend)
runs `run_inventory_import`: it reads the stashed files again, checks every row
again, and saves every service or none through `gc_commit.commit` (one
transaction). Reading reports progress as it goes; the save is all or nothing,
so a worker that stops in the middle (a restart, a crash) leaves nothing half
saved. While it runs, the worker holds a PostgreSQL advisory lock on the job:
a job that says it is running while nobody holds its lock has lost its worker,
and the page says so and offers to run it again (`stalled`, `retry`).
"""

import contextlib
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from agencies import tabular
from agencies.errors import NothingSaved
from agencies.models import Agency

from ..models import InventoryImportJob, JobStatus
from .gc_commit import commit
from .gc_inventory import InventoryImport

STASH_KIND = "inventory"
MAX_ROWS = 50_000
PROGRESS_EVERY = 100  # rows between two progress reports
LOCK_CLASS = 20_20  # the first key of the jobs' advisory locks
# Without advisory locks (SQLite): a running job silent this long has lost its worker.
SILENT_FOR = dt.timedelta(minutes=10)


def start(*, user, files, options, rows):
    """Queue the import of the stashed `files`; the job's page follows it."""
    job = InventoryImportJob.objects.create(
        started_by=user, files=files, options=options, rows_total=rows
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job):
    result = run_inventory_import.enqueue(job.pk)
    InventoryImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def retry(job):
    """Queue a failed or stalled job again (its files are still stashed)."""
    InventoryImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, rows_read=0, message="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(job))


def stalled(job):
    """True when the job says it is running but no worker is running it."""
    if job.status not in (JobStatus.READING, JobStatus.SAVING):
        return False
    if connection.vendor != "postgresql":
        return timezone.now() - job.updated_at > SILENT_FOR
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job.pk])
        free = cursor.fetchone()[0]
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job.pk])
    return free


@contextlib.contextmanager
def _held(job):
    """The job's advisory lock, for as long as this worker runs it (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, job.pk])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job.pk])


def _report(job, **fields):
    """Write the job's progress now, outside any transaction of the import."""
    InventoryImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _counted_rows(job):
    """tabular.read_rows that reports how many rows have been read."""
    read = {"rows": 0}

    def read_rows(fileobj, filename, *, required=()):
        for row in tabular.read_rows(fileobj, filename, required=required, max_rows=MAX_ROWS):
            read["rows"] += 1
            if read["rows"] % PROGRESS_EVERY == 0:
                _report(job, rows_read=read["rows"])
            yield row

    return read_rows


def _target_agency(user, slug):
    if not slug:
        return None
    agency = Agency.objects.for_user(user).filter(slug=slug).first()
    if agency is None:
        raise PermissionDenied("The agency chosen for this import no longer exists.")
    return agency


def _run(job):
    user = job.started_by
    agency = _target_agency(user, job.options.get("agency"))
    importer = InventoryImport(user=user, agency=agency, read_rows=_counted_rows(job))
    with contextlib.ExitStack() as opened:
        files = {}
        for name, token in job.files.items():
            fileobj, original = tabular.unstash(token, user=user, kind=f"{STASH_KIND}:{name}")
            opened.callback(fileobj.close)
            files[name] = (fileobj, original)
        _report(job, filenames=[original for _, original in files.values()])
        preview = importer.preview(files["services"], files.get("standards"))
    if preview.error_count:
        n = preview.error_count
        raise ValueError(
            f"{n} blocking error{'s' if n != 1 else ''} (the files or the data saved since "
            "changed): nothing was saved. Upload the files again to see them."
        )
    _report(job, status=JobStatus.SAVING, rows_read=job.rows_total)
    return commit(preview, by=user, files=tuple(job.filenames))


@task()
def run_inventory_import(job_id):
    """Run one queued inventory import: every service saved, or none."""
    job = InventoryImportJob.objects.select_related("started_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job.status
    with _held(job):
        _report(job, status=JobStatus.READING, rows_read=0, attempts=job.attempts + 1)
        try:
            summary = _run(job)
        except (NothingSaved, tabular.UploadError, PermissionDenied, ValueError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            if "nothing was saved" not in message.lower():
                message += " Nothing was saved."
            _report(job, status=JobStatus.FAILED, message=message)
            return job.status
        _report(
            job,
            status=JobStatus.DONE,
            message=f"Service inventory saved: {summary}",
            inventory_import=summary.inventory_import,
        )
    for token in job.files.values():
        tabular.discard(token)
    return job.status


def inline_rows():
    """Confirmed imports of at most this many rows are saved inside the request."""
    return settings.INVENTORY_INLINE_ROWS
