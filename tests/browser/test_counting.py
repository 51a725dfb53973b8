"""Counting in a real browser: the grid with a cell error corrected, and an upload."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from tests import factories as f
from widgets.models import WidgetCount, WidgetStatus

from .conftest import assert_no_axe_violations, fit_problems

pytestmark = pytest.mark.django_db(transaction=True)
SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture
def deq():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    f.MembershipFactory(user=f.UserFactory(username="staff@deq"), agency=agency, role=Role.STAFF)
    permit = f.WidgetFactory(agency=agency, name="Air quality permit", status=WidgetStatus.APPROVED)
    report = f.WidgetFactory(agency=agency, name="Inspection report", status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=permit, period_start=dt.date(2026, 8, 1), backlog=20)
    return {"agency": agency, "permit": permit, "report": report}


def test_staff_enters_a_period_and_corrects_one_cell(page, sign_in, base, deq):
    sign_in("staff@deq")
    assert_no_axe_violations(page)  # home, with its attention list
    page.goto(f"{base}/widgets/counts/deq/?frequency=month&period=2026-09-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Counts for September 2026")
    assert_no_axe_violations(page)
    permit = deq["permit"]
    values = {
        "Demand": "100",
        "Delivered": "90",
        "Within standard": "95",
        "Withdrawn": "5",
        "Backlog": "25",
        "Rework": "2",
        "Cost": "900",
    }
    for label, value in values.items():
        page.get_by_label(f"{label}, Air quality permit").fill(value)
    page.get_by_label("Demand, Inspection report").fill("7")
    page.get_by_role("button", name="Save all counts for September 2026").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be more than delivered")
    expect(page.get_by_label("Demand, Inspection report")).to_have_value("7")
    assert_no_axe_violations(page)  # the error state
    assert not WidgetCount.objects.filter(period_start=SEPTEMBER).exists()

    page.get_by_label("Within standard, Air quality permit").fill("85")
    page.get_by_role("button", name="Save all counts for September 2026").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved 2 rows for September 2026")
    saved = WidgetCount.objects.get(widget=permit, period_start=SEPTEMBER)
    assert (saved.within_standard, saved.delivered) == (85, 90)
    assert WidgetCount.objects.get(widget=deq["report"], period_start=SEPTEMBER).delivered is None

    page.goto(f"{base}/widgets/{permit.pk}/counts/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Edit September 2026").click()
    assert_no_axe_violations(page)


def test_staff_uploads_a_csv_through_preview_and_commit(page, sign_in, base, deq, tmp_path):
    upload = tmp_path / "september.csv"
    upload.write_text(
        "widget,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost\n"
        "Air quality permit,2026-09-01,100,90,85,5,25,2,900\n"
        "Inspection report,2026-09-01,7,,,,,,\n"
    )
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/counts/deq/upload/")
    assert_no_axe_violations(page)
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status").first).to_contain_text("2 rows: 0 with errors, 2 new")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save 2 rows").click()
    expect(page.get_by_role("status").first).to_contain_text("2 new, 0 changed")
    assert WidgetCount.objects.filter(period_start=SEPTEMBER, source="import").count() == 2
    page.goto(f"{base}/widgets/counts/deq/overdue/")
    assert_no_axe_violations(page)


def test_the_data_quality_pages_findings_fit_with_their_fix_link_on_screen(
    page, sign_in, base, deq
):
    """Every cell of a scrollable table stayed on one line (USWDS): a finding's
    sentences pushed its "Fix it" link past the right edge even at 1920 px. The
    sentences wrap, and the table fits its frame at 1280."""
    from widgets.periods import previous_period_start

    month = previous_period_start(dt.date.today().replace(day=1), "month")
    for _ in range(4):  # the same volume four months running: a suggestion
        f.WidgetCountFactory(widget=deq["report"], period_start=month, demand=120, delivered=110)
        month = previous_period_start(month, "month")
    sign_in("staff@deq")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/widgets/counts/deq/quality/")
    expect(page.get_by_text("Demand is 120 in each of the 4 periods")).to_be_visible()
    frame = page.locator(".table-frame", has_text="Demand is 120")
    expect(frame).to_have_attribute("data-overflowing", "false")
    link = page.locator("tr", has_text="Demand is 120").get_by_role("link", name="Fix it")
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 1280
    assert fit_problems(page) == []
    assert_no_axe_violations(page)
