"""A large count upload in a real browser: checked, confirmed, queued, and followed on its
progress page while the real worker saves it; with JavaScript (the bar moves in place)
and without it (a link asks again)."""

import datetime as dt
import os
import signal

import pytest
from playwright.sync_api import expect

from agencies import jobs
from agencies.models import JobStatus, Role, UploadJob
from tests import factories as f
from tests.task_worker import IN_ITS_OWN_PROCESS, finished, start_worker, wait_for
from widgets.models import WidgetCount, WidgetStatus

from .conftest import assert_no_axe_violations, fit_problems, upload

pytestmark = [pytest.mark.django_db(transaction=True), IN_ITS_OWN_PROCESS]
SHOTS = os.environ.get("JOB_SCREENSHOTS", "")  # a folder: screenshots of the job page


@pytest.fixture
def counts_file(tmp_path):
    """DEQ with 200 approved widgets, and a file of five years of their monthly counts."""
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    f.MembershipFactory(user=f.UserFactory(username="staff@deq"), agency=agency, role=Role.STAFF)
    lines = ["widget_id,period_start,demand,delivered,within_standard"]
    for i in range(200):
        widget = f.WidgetFactory(agency=agency, name=f"Permit {i}", status=WidgetStatus.APPROVED)
        for m in range(60):
            lines.append(f"{widget.pk},{dt.date(2021 + m // 12, m % 12 + 1, 1)},{100 + i},90,80")
    path = tmp_path / "counts-2021-2025.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _shoot(page, name):
    if not SHOTS:
        return
    size = page.viewport_size
    for width in (390, 1280, 1920):
        page.set_viewport_size({"width": width, "height": size["height"]})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def test_a_large_count_upload_is_saved_in_the_background_with_a_progress_bar(
    page, browser, sign_in, base, settings, counts_file
):
    settings.UPLOAD_BACKGROUND_ROWS = 1000
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/counts/deq/upload/")
    page.set_default_timeout(120_000)  # the preview reads 12,000 rows inside the request
    upload(page, counts_file)
    with page.expect_navigation():
        page.get_by_role("button", name="Save 12,000 rows").click()
    page.set_default_timeout(10_000)

    # Queued: nothing saved by the request; the page shows the bar and how to follow it.
    job = UploadJob.objects.get()
    assert page.url == f"{base}/uploads/{job.pk}/"
    expect(page.get_by_label("Waiting for the worker…")).to_have_attribute("value", "0")
    bar = page.locator("progress#job-progress")
    expect(page.get_by_role("status")).to_have_text("0.0% · 0 of 12,000 rows read.")
    assert WidgetCount.objects.count() == 0
    assert_no_axe_violations(page)
    assert fit_problems(page) == []
    _shoot(page, "upload-job-queued")
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads

    # A page without JavaScript, beside it: the same state, and a link to ask again.
    plain = browser.new_context(java_script_enabled=False, base_url=base)
    plain_page = plain.new_page()
    plain_page.context.add_cookies(page.context.cookies())
    plain_page.goto(f"/uploads/{job.pk}/")
    expect(plain_page.get_by_label("Waiting for the worker…")).to_be_visible()

    worker = start_worker()
    try:
        # Stopped in the middle of its transaction (SIGSTOP), the worker holds still while
        # the page shows how far it got, in place: the bar moves, the words follow.
        wait_for(job, lambda j: j.status == JobStatus.READING and j.rows_read > 0)
        worker.send_signal(signal.SIGSTOP)
        job.refresh_from_db()
        read = f"{job.rows_read:,} of 12,000 rows read."
        expect(page.get_by_label("Reading and checking every row…")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(read)
        expect(bar).to_have_attribute("value", str(job.percent))
        assert WidgetCount.objects.count() == 0  # the save is one transaction, still open
        assert_no_axe_violations(page)
        _shoot(page, "upload-job-reading")
        plain_page.get_by_role("link", name="Check progress").click()
        expect(plain_page.get_by_label("Reading and checking every row…")).to_be_visible()
        expect(plain_page.get_by_role("status")).to_contain_text(read)

        worker.send_signal(signal.SIGCONT)
        expect(page.get_by_role("heading", name="✓ Saved")).to_be_visible(timeout=120_000)
    finally:
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        code, err = finished(worker, timeout=60)
    assert code == 0, err
    expect(page.get_by_role("status")).to_contain_text(
        "Saved counts-2021-2025.csv: 12,000 new, 0 changed, 0 unchanged rows."
    )
    assert page.evaluate("window.stillTheSamePage") is True  # put in place, not reloaded
    assert_no_axe_violations(page)
    _shoot(page, "upload-job-saved")
    assert WidgetCount.objects.count() == 12_000

    plain_page.get_by_role("link", name="Check progress").click()
    expect(plain_page.get_by_role("heading", name="✓ Saved")).to_be_visible()
    plain.close()


def test_a_save_the_worker_refused_shows_the_rows_as_the_preview_does(
    page, sign_in, base, settings, tmp_path
):
    """Counts saved by someone else after the preview: the job's page lists the rows
    as the upload page's preview does, and opens the whole preview again to save."""
    settings.UPLOAD_BACKGROUND_ROWS = 5
    agency = f.AgencyFactory(name="Department of Motor Vehicles", abbreviation="DMV", slug="dmv")
    f.MembershipFactory(user=f.UserFactory(username="staff@dmv"), agency=agency, role=Role.STAFF)
    widget = f.WidgetFactory(agency=agency, name="Driver licence", status=WidgetStatus.APPROVED)
    lines = ["widget_id,period_start,demand,delivered"]
    lines += [f"{widget.pk},2026-{m:02d}-01,{100 + m},90" for m in range(1, 11)]
    path = tmp_path / "licences-2026.csv"
    path.write_text("\n".join(lines) + "\n")
    sign_in("staff@dmv")
    page.goto(f"{base}/widgets/counts/dmv/upload/")
    upload(page, path)
    f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 3, 1), demand=7)  # theirs
    with page.expect_navigation():
        page.get_by_role("button", name="Save 10 rows").click()
    job = UploadJob.objects.get()
    jobs.run_upload_job.call(job.pk)  # what the worker runs (here, in this process)

    page.reload()
    expect(page.get_by_role("heading", name="✗ Nothing was saved")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Someone else saved counts")
    expect(page.get_by_role("cell", name="Driver licence, 2026-03-01")).to_be_visible()
    expect(page.get_by_text("demand: 7 → 103")).to_be_visible()
    assert_no_axe_violations(page)
    assert fit_problems(page) == []
    _shoot(page, "upload-job-refused")
    page.get_by_role("link", name="See the whole preview again").click()
    expect(page.get_by_role("button", name="Save 10 rows")).to_be_visible()
    assert WidgetCount.objects.count() == 1  # theirs alone
