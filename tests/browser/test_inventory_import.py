"""The published service inventory imported in a real browser: checked, confirmed,
queued, and followed on its progress page while the real worker saves it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from agencies.models import JobStatus, UploadJob
from tests import factories as f
from tests.task_worker import IN_ITS_OWN_PROCESS, finished, start_worker
from widgets.models import Widget

from .conftest import SCREENSHOTS, assert_no_axe_violations, fit_problems

pytestmark = [pytest.mark.django_db(transaction=True), IN_ITS_OWN_PROCESS]
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "interop" / "gc_sample"


def _check_and_shoot(page, name):
    """axe and fit at a phone's, a laptop's and a wide screen's width, with a screenshot
    of each (reports/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        assert_no_axe_violations(page)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    assert fit_problems(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_published_inventory_is_saved_in_the_background_with_progress(
    page, sign_in, base, settings
):
    settings.INVENTORY_INLINE_ROWS = 100
    admin = f.AdminFactory(username="admin@gc")
    sign_in(admin.username)
    page.goto(f"{base}/widgets/inventory/import/")
    page.locator("main input[name=services]").set_input_files(str(SAMPLE / "si_2024_sample.csv"))
    page.locator("main input[name=standards]").set_input_files(str(SAMPLE / "ss_2024_sample.csv"))
    page.get_by_role("button", name="Check the files").click()
    # The department's own data errors are findings: they do not stop the import.
    # They are listed by kind first, each kind with its count, then the services.
    expect(page.get_by_role("heading", name="Findings by kind")).to_be_visible()
    expect(page.get_by_text("These do not stop the save")).to_be_visible()
    _check_and_shoot(page, "inventory-preview")
    # Filtered to one kind of finding, by a labelled select.
    page.get_by_label("Findings", exact=True).select_option("error:volume_meeting_target")
    with page.expect_navigation():
        page.get_by_role("button", name="Show these services").click()
    expect(page.get_by_text("3 of 279 services match the filters")).to_be_visible()
    _check_and_shoot(page, "inventory-preview-filtered")
    page.get_by_role("button", name="Save 279 services").click()

    # Queued: nothing saved by the request; the page shows the progress bar.
    progress = page.get_by_label("Waiting for the worker…")
    expect(progress).to_be_visible()
    assert Widget.objects.count() == 0
    assert_no_axe_violations(page)

    worker = start_worker("--batch")
    try:
        # The page reloads itself until the result is there.
        expect(page.get_by_role("heading", name="✓ Saved")).to_be_visible(timeout=300_000)
    finally:
        code, err = finished(worker)
    assert code == 0, err
    expect(page.get_by_role("status")).to_contain_text("279 widgets created")
    assert_no_axe_violations(page)
    assert UploadJob.objects.get().status == JobStatus.DONE
    assert Widget.objects.count() == 279
