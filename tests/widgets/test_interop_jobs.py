"""A large service inventory import runs in the background worker, with progress.

The real worker (`manage.py worker`, django-tasks' database backend) runs in
its own process on the test database, as in production; so these tests commit
their data (transaction=True) for it to see.
"""

import contextlib
import io
import time
from pathlib import Path

import pytest
from django.db import connection

from agencies.models import JobStatus, UploadJob
from tests.task_worker import (
    IN_ITS_OWN_PROCESS,
    finished,
    kill_worker_when,
    start_worker,
    wait_until_stalled,
)
from widgets.models import PublishedRow, Widget, WidgetCount

pytestmark = [pytest.mark.django_db(transaction=True), IN_ITS_OWN_PROCESS]
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "interop" / "gc_sample"
URL = "/widgets/inventory/import/"


def _upload(path):
    upload = io.BytesIO(path.read_bytes())
    upload.name = path.name
    return upload


def _confirm(client, user, settings):
    """Upload the sample, check it, confirm: the import is queued as a job."""
    settings.INVENTORY_INLINE_ROWS = 100
    client.force_login(user)
    response = client.post(
        URL,
        {
            "services": _upload(SAMPLE / "si_2024_sample.csv"),
            "standards": _upload(SAMPLE / "ss_2024_sample.csv"),
            "agency": "",
        },
    )
    assert response.context["can_commit"]
    response = client.post(URL, {"token": response.context["token"]})
    assert response.status_code == 302
    job = UploadJob.objects.get()
    assert response["Location"] == f"/uploads/{job.pk}/"
    return job


def test_a_large_import_is_queued_and_the_worker_saves_it(client, admin_user, settings):
    job = _confirm(client, admin_user, settings)
    assert Widget.objects.count() == 0  # nothing was saved inside the request
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert '<progress id="job-progress"' in page and "Waiting for the worker" in page
    # js/upload-job.js follows its status
    assert f'<div id="job-state" data-poll="/uploads/{job.pk}/status/">' in page

    code, err = finished(start_worker("--batch"))
    assert code == 0, err
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.filenames == ["si_2024_sample.csv", "ss_2024_sample.csv"]
    assert Widget.objects.count() == 279
    assert PublishedRow.objects.count() == 283 + 488
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert "✓ Saved" in page and "279 widgets created" in page
    assert "data-poll" not in page  # finished: nothing more to follow


@contextlib.contextmanager
def _widgets_locked():
    """Hold a lock on the widgets table that lets it be read but not written, from a
    connection of its own (PostgreSQL; elsewhere nothing is held)."""
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or None
    ) as blocker:
        blocker.execute("LOCK TABLE widgets_widget IN SHARE MODE")
        try:
            yield
        finally:
            blocker.rollback()


def test_a_worker_stopped_in_the_middle_saves_nothing_and_the_job_runs_again(
    client, admin_user, settings
):
    job = _confirm(client, admin_user, settings)
    # Killed inside the one transaction of the save: its writes of widgets wait on a
    # lock this test holds (a fast save could otherwise commit within the wait).
    with _widgets_locked():
        kill_worker_when(job, lambda j: j.status == JobStatus.SAVING, before=lambda: time.sleep(1))
        job.refresh_from_db()
        assert job.status == JobStatus.SAVING
        assert Widget.objects.count() == WidgetCount.objects.count() == 0  # nothing half saved
        assert PublishedRow.objects.count() == 0
    # The killed worker's database session ends once it finds its client gone.
    wait_until_stalled(job)
    page = client.get(f"/uploads/{job.pk}/").content.decode()
    assert "The worker stopped before the save finished" in page
    assert "Nothing was saved" in page

    assert client.post(f"/uploads/{job.pk}/").status_code == 302
    code, err = finished(start_worker("--batch"))
    assert code == 0, err
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert Widget.objects.count() == 279


def test_only_whoever_started_an_import_sees_it(client, admin_user, staff_a, settings):
    job = _confirm(client, admin_user, settings)
    client.force_login(staff_a)
    assert client.get(f"/uploads/{job.pk}/").status_code == 404
    assert client.get(f"/uploads/{job.pk}/status/").status_code == 404
    assert client.post(f"/uploads/{job.pk}/").status_code == 404
