"""The catalogue in a real browser: define, coach, fix, submit, approve; axe on every page."""

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from tests import factories as f
from widgets.models import Widget, WidgetStatus

from .conftest import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deq():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    f.ProgramFactory(agency=agency, name="Air Quality")
    f.CustomerSegmentFactory(agency=agency, name="Residents", kind="individual")
    for username, role in [("staff@deq", Role.STAFF), ("manager@deq", Role.MANAGER)]:
        f.MembershipFactory(user=f.UserFactory(username=username), agency=agency, role=role)
    return agency


def test_staff_defines_fixes_and_submits_then_manager_approves(page, sign_in, base, deq):
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Define a widget").click()
    page.get_by_label("Program").select_option(label="Air Quality")
    page.get_by_label("Name").fill("Processing applications")
    page.get_by_label("Kind (required)").select_option("permit")
    page.get_by_role("button", name="Save draft").click()
    coach = page.locator(".coach")
    expect(coach).to_contain_text("describes work you do")
    assert_no_axe_violations(page)

    page.get_by_label("Name").fill("Open burning permit")
    page.locator("label", has_text="Residents").click()
    expect(page.get_by_label("Residents")).to_be_checked()
    page.get_by_label("Definition of done").fill("The permit is emailed to the resident.")
    page.get_by_label("Unit of count").fill("permit issued")
    page.get_by_label("Service standard: days").fill("2")
    page.get_by_label("Service standard: share (%)").fill("95")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open burning permit")
    expect(page.locator(".coach")).to_contain_text("No suggestions")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".usa-tag")).to_have_text("Submitted for review")

    page.get_by_role("button", name="Sign out").click()
    sign_in("manager@deq")
    page.goto(f"{base}/widgets/review/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Approve Open burning permit").click()
    expect(page.get_by_role("status").first).to_contain_text("approved")
    assert Widget.objects.get(name="Open burning permit").status == WidgetStatus.APPROVED


def test_form_errors_are_listed_and_accessible(page, sign_in, base, deq):
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/new/deq/")
    page.get_by_label("Service standard: share (%)").fill("150")
    page.get_by_role("button", name="Save draft").click()
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("Please fix")
    expect(summary).to_be_focused()
    assert_no_axe_violations(page)


def test_import_preview_is_accessible(page, sign_in, base, deq, tmp_path):
    sign_in("staff@deq")
    page.goto(f"{base}/widgets/import/")
    assert_no_axe_violations(page)
    upload = tmp_path / "defs.csv"
    upload.write_text(
        "agency,program,name,kind\nDEQ,Air Quality,Open burning permit,permit\n"
        "DEQ,Nowhere,Outreach,other\n"
    )
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "1 widget definition has errors. Nothing has been saved."
    )
    assert_no_axe_violations(page)
