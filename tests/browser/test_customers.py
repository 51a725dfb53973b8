"""Customers in a real browser: the segment list, a segment with its chart, the form
(with an error first, then corrected), the survey form and the statewide view; axe-core
finds nothing on any of them."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from customers.models import CustomerSegment
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    staff = f.UserFactory(username="staff@deq")
    f.MembershipFactory(user=staff, agency=agency, role=Role.STAFF)
    segment = f.CustomerSegmentFactory(
        agency=agency, name="Industrial facilities", estimated_size=900
    )
    widget = f.WidgetFactory(agency=agency, name="Air quality permit", status=WidgetStatus.APPROVED)
    widget.customer_segments.add(segment)
    f.WidgetCountFactory(widget=widget, period_start=dt.date.today().replace(day=1))
    for month, satisfied in ((1, 40), (2, 20), (3, 55)):
        f.SurveyResultFactory(
            widget=widget,
            segment=segment,
            period_start=dt.date(2026, month, 1),
            satisfaction_4=satisfied,
            satisfaction_2=10,
        )
    return {"segment": segment, "widget": widget}


def test_staff_creates_a_segment_after_correcting_an_error(page, sign_in, base, world):
    sign_in("staff@deq")
    page.get_by_role("link", name="Customers", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer segments")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Add a customer segment").click()
    page.get_by_label("Name").fill("Small businesses")
    page.get_by_label("Kind").select_option("business")
    page.get_by_label("Estimated size").fill("-10")
    # USWDS draws the checkbox on the label; a person clicks the label.
    page.locator("label", has_text="Air quality permit").click()
    expect(page.get_by_label("Air quality permit")).to_be_checked()
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("alert")).to_contain_text("Estimated size cannot be negative.")
    assert_no_axe_violations(page)

    page.get_by_label("Estimated size").fill("2500")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Small businesses")
    segment = CustomerSegment.objects.get(name="Small businesses")
    assert [w.name for w in segment.widgets.all()] == ["Air quality permit"]


def test_segment_page_with_chart_survey_form_and_statewide_are_accessible(
    page, sign_in, base, world
):
    sign_in("staff@deq")
    page.goto(f"{base}/customers/{world['segment'].pk}/")
    # vega-embed drew the spec (docs/adr/0005).
    drawing = page.locator("[data-vega-spec=segment-chart-spec]")
    expect(drawing).to_have_attribute("data-vega-drawn", "true")
    expect(drawing.locator("svg")).to_be_visible()
    expect(
        page.get_by_role("table", name="Survey results of Industrial facilities")
    ).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/widgets/{world['widget'].pk}/surveys/new/")
    expect(page.get_by_label("Overall satisfaction: 5 · Strongly agree")).to_be_visible()
    page.get_by_label("Period start").fill("2026-04-01")
    page.get_by_label("Respondents").fill("10")
    page.get_by_label("Trust: 4 · Agree").fill("20")
    page.get_by_role("button", name="Save survey result").click()
    expect(page.get_by_role("alert")).to_contain_text("Trust: 20 answers in all")
    assert_no_axe_violations(page)

    page.goto(f"{base}/customers/statewide/")
    expect(page.get_by_text("Businesses receive 1 widget from 1 agency.")).to_be_visible()
    assert_no_axe_violations(page)
