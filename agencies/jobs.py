"""Uploads saved by the background worker, with their progress (docs/adr/0004).

A confirmed upload (agencies.uploads.UploadView) of more rows than the page's
`background_rows()` is not saved inside the request, which gunicorn would cut at
its timeout: `start` keeps the opened ticket as an UploadJob and queues
`run_upload_job` (django-tasks' database backend; `manage.py worker` runs it),
and the person is sent to the job's page (agencies.job_views), which shows a
progress bar and then the result.

The worker runs the commit of the very page the upload came from: it resolves
the page's URL, applies the page's @grant again for the person who confirmed it
(they may have lost the right since), and calls the view's `commit_files()`
with the stashed files, as the request would have. So the save is the page's
own: one transaction, every row or none, and a refusal (rows with errors,
counts someone else saved since) is kept with the preview the worker found,
for the job's page to show as the upload page would (`previews.stored`).

Progress (rows read) goes through a database connection of its own, so that
the page sees it while the save's transaction is still open (PostgreSQL).

A worker that stops in the middle (a restart, a crash, SIGKILL) saves nothing:
the transaction dies with its connection. While it runs a job the worker holds
a PostgreSQL advisory lock on it, so a job that says it is running while nobody
holds its lock has lost its worker (`stalled`). `recover_stalled_jobs`, which
the worker runs every minute (settings.WORKER_SCHEDULE), queues such a job
again, up to MAX_ATTEMPTS runs, then reports it failed; its page says so.
"""

import contextlib
import datetime as dt
import logging
import time

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import Http404, HttpRequest
from django.urls import resolve
from django.utils import timezone
from django_tasks import task

from . import previews, tabular
from .errors import NothingSaved, UploadRejected
from .models import JobStatus, UploadJob
from .models.jobs import RUNNING
from .templatetags.numbers import percent, whole

logger = logging.getLogger(__name__)

LOCK_CLASS = 20_20  # the first key of the jobs' advisory locks
MAX_ATTEMPTS = 3  # runs of one job, the first included, before it is reported failed
REPORT_EVERY = 0.5  # seconds between two writes of the rows read
# Without advisory locks (SQLite): a running job silent this long has lost its worker.
SILENT_FOR = dt.timedelta(minutes=10)
UNEXPECTED = (
    "An unexpected error stopped the save, and nothing was saved. It has been logged "
    "for the administrators; run it again, and tell them if it happens again."
)
GONE = "You may no longer make this upload (your access to it has changed)."
STOPPED = (
    "The worker stopped {n} times before the save finished (restarts or crashes). "
    "Nothing was saved: every row is saved in one transaction, or none. Run it again."
)


# --- the request's side ---------------------------------------------------------------


def start(view, data):
    """Queue the confirmed upload of `view` (an UploadView, during its request) whose
    ticket `data` was opened; returns the job, whose page follows it."""
    job = UploadJob.objects.create(
        started_by=view.request.user,
        path=view.request.path,
        title=str(view.title)[:200],
        success_url=view.get_success_url()[:300],
        files=data["files"],
        options=data["options"],
        state=data["state"],
        filenames=data.get("names", []),
        rows_total=data.get("rows", 0),
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    result = run_upload_job.enqueue(job_id)
    UploadJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def retry(job, *, message=""):
    """Queue a failed or stalled job again (its files are still stashed), unless it has
    moved on since `job` was read (another worker, or another retry, took it)."""
    moved = UploadJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts)
    if moved.update(
        status=JobStatus.QUEUED,
        rows_read=0,
        message=message,
        result={},
        updated_at=timezone.now(),
    ):
        transaction.on_commit(lambda: _enqueue(job.pk))


def may_retry(job, *, stalled):
    """Running it again may succeed: the worker stopped, or failed unexpectedly."""
    return stalled or (job.status == JobStatus.FAILED and job.result.get("retry", False))


def stalled(job):
    """True when the job says it is running but no worker is running it."""
    if job.status not in RUNNING:
        return False
    if connection.vendor != "postgresql":
        return timezone.now() - job.updated_at > SILENT_FOR
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job.pk])
        free = cursor.fetchone()[0]
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job.pk])
    return free


def progress_text(job):
    """The progress in words, as the page and its status endpoint say it."""
    read = f"{whole(job.rows_read)} of {whole(job.rows_total)} rows read"
    if job.all_read:
        return f"{percent(job.percent, 100)} · {read}; saving every row, or none."
    return f"{percent(job.percent, 100)} · {read}."


def status(job):
    """What the job's page needs to update its progress bar (a small JSON answer)."""
    is_stalled = stalled(job)
    return {
        "status": job.status,
        "label": f"{job.get_status_display()}…",
        "percent": job.percent,
        "rows_read": job.rows_read,
        "rows_total": job.rows_total,
        "text": progress_text(job),
        "finished": job.finished,
        "stalled": is_stalled,
    }


def page_view(job):
    """An instance of the upload page's view (its nouns and labels), or None when the
    page is no more."""
    try:
        return resolve(job.path).func.view_class()
    except (Http404, AttributeError):
        return None


# --- the worker's side ----------------------------------------------------------------


@contextlib.contextmanager
def _held(job_id):
    """The job's advisory lock, for as long as this worker runs it (PostgreSQL). A
    second run of the same job waits here, then finds it finished."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, job_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id])


def _update(job, **fields):
    UploadJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)


class _Progress:
    """Writes the rows read (at most every REPORT_EVERY seconds) where the job's page
    sees them at once: on PostgreSQL through a connection of its own, outside the
    save's transaction; elsewhere only while no transaction is open."""

    def __init__(self, job):
        self.job = job
        self.written = 0.0
        self.own = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )

    def read(self, rows):
        """The view has read `rows` rows of the files (agencies.uploads.UploadView.read_rows)."""
        done = rows >= self.job.rows_total
        if done and self.job.status == JobStatus.SAVING:
            return  # said once: every row is read, the save goes on
        if not done and time.monotonic() - self.written < REPORT_EVERY:
            return
        self.written = time.monotonic()
        status = JobStatus.SAVING if done else JobStatus.READING
        self.job.rows_read, self.job.status = rows, status
        if self.own is None:
            if not connection.in_atomic_block:
                _update(self.job, rows_read=rows, status=status)
            return
        table = connection.ops.quote_name(UploadJob._meta.db_table)
        with self.own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_read = %s, status = %s, updated_at = %s WHERE id = %s",  # noqa: S608 (the table's own name)
                [rows, status, timezone.now(), self.job.pk],
            )

    def close(self):
        if self.own is not None:
            self.own.close()


def _page(job):
    """The upload page's view, set up as the confirming request was: same URL, same
    person, the page's own @grant applied again (PermissionDenied / Http404)."""
    user = job.started_by
    if not user.is_active:
        raise PermissionDenied("The account that confirmed this upload is no longer active.")
    match = resolve(job.path)
    guarded = match.func
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = job.path
    request.user = user
    kwargs = guarded.grant.check(user, request.method, match.kwargs)
    view = guarded.view_class(**guarded.view_initkwargs)
    view.setup(request, **kwargs)
    return view


def _refused(job, view, exc):
    """What the job keeps of a save its page refused: the message, and the preview the
    worker found with a ticket to see it whole (the files are kept for it)."""
    if exc.preview is None:
        _discard(job)
        return {}
    again = view.sign_ticket(
        job.files,
        job.options,
        view.extra_state(exc.preview),
        rows=job.rows_total,
        names=job.filenames,
    )
    return {"preview": previews.stored(exc.preview), "ticket": again}


def _discard(job):
    for token in job.files.values():
        tabular.discard(token)


def _run(job):
    """Save the job through its page; (status, message, result)."""
    progress = _Progress(job)
    view = None
    try:
        view = _page(job)
        view.progress = progress
        with view.open_files({"files": job.files}) as files:
            message = view.commit_files(files, job.options, state=job.state)
    except UploadRejected as exc:
        return JobStatus.FAILED, exc.message, _refused(job, view, exc)
    except NothingSaved as exc:
        _discard(job)
        return JobStatus.FAILED, exc.message, {}
    except tabular.UploadError as exc:
        return JobStatus.FAILED, f"{exc} Nothing was saved.", {}
    except PermissionDenied as exc:
        return JobStatus.FAILED, f"{exc or GONE} Nothing was saved.", {}
    except Http404:  # out of their scope now, or the page is no more
        return JobStatus.FAILED, f"{GONE} Nothing was saved.", {}
    finally:
        progress.close()
    _discard(job)
    return JobStatus.DONE, message, {}


@task()
def run_upload_job(job_id):
    """Run one queued upload: every row saved, or none."""
    with _held(job_id):
        job = UploadJob.objects.select_related("started_by").filter(pk=job_id).first()
        if job is None or job.finished:  # deleted, or finished by an earlier run
            return None
        _update(job, status=JobStatus.READING, rows_read=0, attempts=job.attempts + 1)
        try:
            outcome, message, result = _run(job)
        except Exception:
            logger.exception("Upload job %s failed unexpectedly", job_id)
            _update(job, status=JobStatus.FAILED, message=UNEXPECTED, result={"retry": True})
            raise  # django-tasks keeps the traceback with the task's result
        _update(job, status=outcome, message=message, result=result)
        return outcome


@task()
def recover_stalled_jobs():
    """Run again each job whose worker stopped in the middle, up to MAX_ATTEMPTS runs;
    then report it failed. Scheduled every minute (settings.WORKER_SCHEDULE)."""
    again = failed = 0
    for job in UploadJob.objects.filter(status__in=RUNNING):
        if not stalled(job):
            continue
        if job.attempts < MAX_ATTEMPTS:
            retry(job, message=f"The worker stopped; running it again (run {job.attempts + 1}).")
            again += 1
        else:
            message = STOPPED.format(n=job.attempts)
            _update(job, status=JobStatus.FAILED, message=message, result={"retry": True})
            failed += 1
    return {"queued again": again, "failed": failed}
