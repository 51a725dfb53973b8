"""Journeys of the foundation in a real browser, with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import assert_no_axe_violations, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq", publishes=True
    )
    other = f.AgencyFactory(name="Department of Motor Vehicles", abbreviation="DMV", slug="dmv")
    manager = f.UserFactory(username="manager@deq", first_name="Maria", last_name="Lopez")
    f.MembershipFactory(user=manager, agency=agency, role=Role.MANAGER)
    staff = f.UserFactory(username="staff@deq")
    f.MembershipFactory(user=staff, agency=agency, role=Role.STAFF)
    segment = f.CustomerSegmentFactory(agency=agency, name="Industrial facilities")
    widget = f.WidgetFactory(agency=agency, name="Air quality permit", status=WidgetStatus.APPROVED)
    widget.customer_segments.add(segment)
    f.WidgetCountFactory(widget=widget)
    f.WidgetFactory(agency=other, name="Vehicle title", status=WidgetStatus.APPROVED)
    outcome = f.ContributionFactory(outcome__agency=agency, widget=widget).outcome
    f.MeasurementFactory(outcome=outcome)
    return {"agency": agency, "widget": widget, "outcome": outcome}


def test_manager_signs_in_and_sees_their_agency_and_role(page, sign_in, world):
    sign_in("manager@deq")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Maria Lopez")
    expect(page.locator(".identity-bar")).to_contain_text(
        "Manager, Department of Environmental Quality"
    )
    assert_no_axe_violations(page)


def test_wrong_password_is_explained_and_accessible(page, sign_in, world):
    sign_in("manager@deq", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Please fix")
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agencies/",
        "/agencies/deq/",
        "/widgets/",
        "WIDGET",
        "/outcomes/",
        "OUTCOME",
        "/customers/",
    ],
)
def test_signed_in_pages_have_no_axe_violations(page, sign_in, base, world, path):
    sign_in("staff@deq")
    path = {
        "WIDGET": f"/widgets/{world['widget'].pk}/",
        "OUTCOME": f"/outcomes/{world['outcome'].pk}/",
    }.get(path, path)
    page.goto(base + path)
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page)


def test_anonymous_visitor_reads_the_public_page_and_is_sent_to_sign_in(page, base, world):
    page.goto(f"{base}/public/deq/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("what we deliver")
    expect(page.get_by_role("rowheader", name="Air quality permit")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}/widgets/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/widgets/"))
    assert_no_axe_violations(page)


def test_skip_link_moves_focus_to_the_main_content(page, sign_in, world):
    sign_in("staff@deq")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_no_inline_script_runs_and_nothing_breaks_the_csp(page, sign_in, world):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in("staff@deq")
    page.goto(page.url)
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_axe_check_catches_an_unlabelled_field(page):
    """The checker itself can fail: an input without a label is a violation."""
    page.set_content(
        "<html lang='en'><head><title>t</title></head>"
        "<body><main><h1>Form</h1><input type='text'></main></body></html>"
    )
    assert "label" in {v["id"] for v in axe_violations(page)}
