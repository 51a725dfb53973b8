"""Large uploads of counts and survey results are saved by the background worker
(agencies.jobs), with a progress page; small ones inside the request as before.

The real worker (`manage.py worker`) runs in its own process on the test database
where a test needs it, so those tests commit their data (transaction=True).
"""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agencies import jobs, schedule
from agencies.models import JobStatus, Membership, PeriodicTask, UploadJob
from tests import factories as f
from tests.task_worker import (
    IN_ITS_OWN_PROCESS,
    finished,
    kill_worker_when,
    start_worker,
    wait_for,
    wait_until_stalled,
)
from widgets.models import CountUpload, SurveyResult, WidgetCount, WidgetStatus
from widgets.surveys.results import IMPORT_COLUMNS

HEADER = "agency,widget_id,widget,period_start,demand,delivered,within_standard"
FIRST_MONTH = dt.date(2021, 1, 1)


def _months(n):
    return [dt.date(FIRST_MONTH.year + (m // 12), m % 12 + 1, 1) for m in range(n)]


def _counts_file(widgets, months, name="counts.csv"):
    """One row per widget and month: demand 100 + the widget's place, 90 delivered."""
    lines = [HEADER]
    for i, widget in enumerate(widgets):
        for month in _months(months):
            lines.append(f"DA,{widget.pk},,{month:%Y-%m-%d},{100 + i},90,80")
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())


@pytest.fixture
def permits(agency_a):
    return [
        f.WidgetFactory(agency=agency_a, name=f"Permit {i}", status=WidgetStatus.APPROVED)
        for i in range(20)
    ]


def _confirm(client, url, upload):
    """Upload, check, confirm: the answer to the confirmation."""
    preview = client.post(url, {"file": upload})
    assert preview.context["can_commit"], preview.context.get("refusal")
    return client.post(url, {"token": preview.context["token"], "action": "commit"})


@IN_ITS_OWN_PROCESS
@pytest.mark.django_db(transaction=True)
def test_a_large_count_upload_is_queued_and_the_worker_saves_every_row(
    client, staff_a, permits, settings
):
    settings.UPLOAD_BACKGROUND_ROWS = 100
    url = reverse("widgets:count-upload", args=["da"])
    client.force_login(staff_a)
    response = _confirm(client, url, _counts_file(permits, 12))
    job = UploadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uploads/{job.pk}/"
    assert (job.title, job.path, job.rows_total, job.filenames) == (
        "Upload counts",
        url,
        240,
        ["counts.csv"],
    )
    assert WidgetCount.objects.count() == 0  # nothing was saved inside the request
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert '<label for="job-progress" id="job-label">Waiting for the worker…</label>' in page
    assert f'data-poll="/uploads/{job.pk}/status/"' in page  # js/upload-job.js
    assert f'<a class="usa-link" href="/uploads/{job.pk}/">Check progress</a>' in page  # no JS
    status = client.get(f"/uploads/{job.pk}/status/").json()
    assert status == {
        "status": "queued",
        "label": "Waiting for the worker…",
        "percent": 0,
        "rows_read": 0,
        "rows_total": 240,
        "text": "0.0% · 0 of 240 rows read.",
        "finished": False,
        "stalled": False,
    }

    code, err = finished(start_worker("--batch"))
    assert code == 0, err
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_read) == (JobStatus.DONE, 1, 240)
    assert job.message == "Saved counts.csv: 240 new, 0 changed, 0 unchanged rows."
    assert WidgetCount.objects.count() == 240
    count = WidgetCount.objects.get(widget=permits[7], period_start=dt.date(2021, 12, 1))
    assert (count.demand, count.delivered, count.within_standard, count.backlog) == (
        107,
        90,
        80,
        None,
    )
    assert CountUpload.objects.get().uploaded_by == staff_a
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert "✓ Saved" in page and "240 new, 0 changed, 0 unchanged rows" in page
    assert "data-poll" not in page
    status = client.get(f"/uploads/{job.pk}/status/").json()
    assert (status["finished"], status["percent"]) == (True, 100)


@pytest.mark.django_db
def test_a_small_count_upload_is_still_saved_inside_the_request(client, staff_a, permits):
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=["da"])
    response = _confirm(client, url, _counts_file(permits, 12))  # 240 rows: at most 2,000
    assert response.status_code == 302 and response["Location"] == url
    assert UploadJob.objects.count() == 0
    assert WidgetCount.objects.count() == 240


@IN_ITS_OWN_PROCESS
@pytest.mark.django_db(transaction=True)
def test_counts_saved_by_someone_else_meanwhile_are_shown_as_the_preview_shows_them(
    client, staff_a, manager_a, permits, settings
):
    """The worker finds what the request would have: counts saved since the preview. Nothing
    from the file is saved, and the job's page shows the rows as the preview does, with a
    way to see the whole preview again and save it over their numbers."""
    settings.UPLOAD_BACKGROUND_ROWS = 100
    url = reverse("widgets:count-upload", args=["da"])
    client.force_login(staff_a)
    preview = client.post(url, {"file": _counts_file(permits, 12)})
    theirs = f.WidgetCountFactory(widget=permits[3], period_start=dt.date(2021, 5, 1), demand=5)
    response = client.post(url, {"token": preview.context["token"], "action": "commit"})
    job = UploadJob.objects.get()

    code, err = finished(start_worker("--batch"))
    assert code == 0, err
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Someone else saved counts for some of these periods")
    assert WidgetCount.objects.get() == theirs and CountUpload.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "✗ Nothing was saved" in page and "Someone else saved counts" in page
    # The preview against what is saved now, as the upload page shows it: their row changes.
    assert '<h2 id="preview-heading">Preview of counts.csv</h2>' in page
    assert "240 rows: 0 with errors, 239 new, 1 with changes, 0 unchanged." in page
    assert "Permit 3, 2021-05-01" in page and "demand: 5 → 103" in page
    assert 'name="token"' not in page  # nothing to save from here...
    again = page.split('href="/widgets/counts/da/upload/?preview=')[1].split('"')[0]
    shown = client.get(f"{url}?preview={again}")  # ...but the whole preview, to save again
    assert shown.status_code == 200 and shown.context["can_commit"]
    assert shown.context["preview"].changed_count == 1


@IN_ITS_OWN_PROCESS
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_saves_nothing_and_the_upload_is_run_again(
    client, staff_a, agency_a, settings
):
    """SIGKILL in the middle of the save's one transaction: no count, no upload record.
    The page says so; the next worker's schedule runs the job again, which saves all."""
    settings.UPLOAD_BACKGROUND_ROWS = 100
    widgets = [
        f.WidgetFactory(agency=agency_a, name=f"Licence {i}", status=WidgetStatus.APPROVED)
        for i in range(200)
    ]
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=["da"])
    _confirm(client, url, _counts_file(widgets, 60))  # 12,000 rows
    job = UploadJob.objects.get()
    assert job.rows_total == 12_000

    def nothing_saved_yet():
        assert WidgetCount.objects.count() == CountUpload.objects.count() == 0

    # The page sees the rows read while the save's transaction is still open.
    kill_worker_when(
        job,
        lambda j: j.status == JobStatus.READING and 0 < j.rows_read < j.rows_total,
        before=nothing_saved_yet,
    )
    job.refresh_from_db()
    assert job.status in (JobStatus.READING, JobStatus.SAVING)
    assert WidgetCount.objects.count() == CountUpload.objects.count() == 0  # nothing half saved
    wait_until_stalled(job)  # once the killed worker's database session has ended
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert "✗ The worker stopped before the save finished" in page
    assert "Nothing was saved" in page
    assert client.get(f"/uploads/{job.pk}/status/").json()["stalled"] is True

    # A worker comes back; its schedule finds the job stalled and runs it again.
    schedule.sync()
    PeriodicTask.objects.filter(name="stalled-uploads").update(next_run_at=timezone.now())
    worker = start_worker("--schedule-every", "0.1")
    try:
        wait_for(job, lambda j: j.finished)
    finally:
        worker.terminate()
        code, err = finished(worker, timeout=60)
    assert code == 0, err
    assert (job.status, job.attempts) == (JobStatus.DONE, 2), job.message
    assert WidgetCount.objects.count() == 12_000
    upload = CountUpload.objects.get()
    assert (upload.rows_total, upload.rows_new) == (12_000, 12_000)
    assert WidgetCount.objects.filter(upload=upload, demand=299, delivered=90).count() == 60


@pytest.mark.django_db
def test_the_worker_saves_nothing_for_someone_who_may_no_longer_upload(
    client, staff_a, permits, settings
):
    settings.UPLOAD_BACKGROUND_ROWS = 100
    client.force_login(staff_a)
    _confirm(client, reverse("widgets:count-upload", args=["da"]), _counts_file(permits, 12))
    job = UploadJob.objects.get()
    Membership.objects.filter(user=staff_a).delete()  # left the agency meanwhile
    jobs.run_upload_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "You may no longer make this upload (your access to it has changed). Nothing was saved."
    )
    assert WidgetCount.objects.count() == 0


def _survey_file(widget, periods):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for period in periods:
        writer.writerow(
            {
                "widget_id": widget.pk,
                "period_start": f"{period:%Y-%m-%d}",
                "customers_served": 1000,
                "offered": 500,
                "respondents": 100,
                "satisfaction_4": 40,
                "satisfaction_5": 20,
            }
        )
    return SimpleUploadedFile("surveys.csv", out.getvalue().encode(), content_type="text/csv")


@pytest.mark.django_db
def test_a_large_survey_upload_is_queued_and_saved_by_the_worker(
    client, staff_a, permits, settings
):
    settings.UPLOAD_BACKGROUND_ROWS = 10
    client.force_login(staff_a)
    url = reverse("widgets:survey-import")
    response = _confirm(client, url, _survey_file(permits[0], _months(24)))
    job = UploadJob.objects.get()
    assert response["Location"] == f"/uploads/{job.pk}/"
    assert (job.title, job.rows_total, SurveyResult.objects.count()) == (
        "Import survey results",
        24,
        0,
    )
    jobs.run_upload_job.call(job.pk)  # what the worker runs (here, in this process)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.message == "Imported: 24 new, 0 changed, 0 unchanged survey results."
    assert SurveyResult.objects.filter(widget=permits[0], respondents=100).count() == 24


@pytest.mark.django_db
def test_a_stalled_job_is_run_again_until_its_last_attempt_then_reported(staff_a):
    job = UploadJob.objects.create(
        started_by=staff_a,
        path="/widgets/surveys/import/",
        title="Import survey results",
        status=JobStatus.SAVING,
        attempts=1,
    )
    # Silent for longer than a worker would be (what SQLite goes by), and no worker
    # holds its lock (what PostgreSQL goes by).
    silent_since = timezone.now() - jobs.SILENT_FOR - dt.timedelta(minutes=1)
    UploadJob.objects.filter(pk=job.pk).update(updated_at=silent_since)
    job.refresh_from_db()
    assert jobs.stalled(job)
    assert jobs.recover_stalled_jobs.call() == {"queued again": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.message) == (
        JobStatus.QUEUED,
        "The worker stopped; running it again (run 2).",
    )

    UploadJob.objects.filter(pk=job.pk).update(
        status=JobStatus.READING, attempts=jobs.MAX_ATTEMPTS, updated_at=silent_since
    )
    assert jobs.recover_stalled_jobs.call() == {"queued again": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result == {"retry": True}
    assert job.message.startswith("The worker stopped 3 times before the save finished")


@pytest.mark.django_db
def test_a_refused_job_is_not_run_again_by_a_post(client, staff_a):
    job = UploadJob.objects.create(
        started_by=staff_a,
        path="/widgets/surveys/import/",
        title="Import survey results",
        status=JobStatus.FAILED,
        message="2 rows have errors; nothing was saved.",
    )
    client.force_login(staff_a)
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert "Run it again" not in page  # the same file would be refused again
    assert client.post(f"/uploads/{job.pk}/").status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
