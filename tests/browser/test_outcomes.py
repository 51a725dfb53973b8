"""Outcomes in a real browser: a manager opens the dashboard, follows an off-track
outcome, adds a countermeasure and closes the monthly review; axe-core finds
nothing on the dashboard, outcome (with chart), outcome form with errors, review,
scorecard, public page and huddle board. Screenshots go where tests/browser/conftest.py says."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from outcomes.dashboard import add_months, reference_month
from outcomes.models import Review, ReviewStatus
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import SCREENSHOTS, assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def months_back(n):
    return add_months(reference_month(), -n)


@pytest.fixture
def world():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq", publishes=True
    )
    manager = f.UserFactory(username="manager@deq")
    f.MembershipFactory(user=manager, agency=agency, role=Role.MANAGER)
    program = f.ProgramFactory(agency=agency, name="Air quality")
    widget = f.WidgetFactory(
        agency=agency, program=program, name="Air quality permit", status=WidgetStatus.APPROVED
    )
    for n in range(13):
        f.WidgetCountFactory(
            widget=widget,
            period_start=months_back(n),
            demand=100,
            delivered=100,
            within_standard=93,
            withdrawn=0,
            backlog=20,
        )
        f.SurveyResultFactory(widget=widget, period_start=months_back(n), satisfaction_5=40)
    outcome = f.OutcomeFactory(
        agency=agency,
        program=program,
        name="Cleaner air",
        baseline_date=months_back(12),
        target_date=add_months(reference_month(), 24),
    )
    for n, value in enumerate([38, 39, 37, 40, 39, 41, 40, 42, 41, 43, 44, 52]):
        f.MeasurementFactory(outcome=outcome, date=months_back(11 - n), value=Decimal(value))
    f.ContributionFactory(outcome=outcome, widget=widget)
    f.OutcomeFactory(agency=agency, name="Faster permits", direction="up")
    return {"agency": agency, "outcome": outcome}


def test_manager_covers_an_off_track_outcome_and_closes_the_review(page, sign_in, base, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in("manager@deq")
    page.goto(f"{base}/outcomes/agency/deq/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Department of Environmental Quality")
    attention = page.get_by_role("region", name="Needs attention")
    expect(attention).to_contain_text("Cleaner air")
    assert_no_axe_violations(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"dashboard-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Follow the off-track outcome to its run chart (the first of its two entries: it is
    # also listed under the concerning signals).
    attention.get_by_role("link", name="Cleaner air", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cleaner air")
    expect(page.locator(".status--off-track").first).to_contain_text("Off track")
    expect(page.locator("#outcome-chart-title + div[data-vega-drawn=true] svg")).to_have_count(1)
    latest = page.get_by_text(f"{months_back(0):%-d %b %Y}: above the upper process limit")
    expect(latest).to_be_visible()
    expect(page.locator("[data-mark=concerning-high]").first).to_contain_text(
        "Special cause: concerning, high"
    )
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Add a countermeasure").click()
    page.get_by_label("Problem").fill("Unhealthy days well above the trajectory.")
    page.get_by_label("Root cause").fill("Permit renewals are waiting too long.")
    page.get_by_label("Action").fill("Clear renewals older than 90 days.")
    page.get_by_label("Due date").fill("2027-03-31")
    page.get_by_role("button", name="Save countermeasure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cleaner air")
    expect(page.get_by_role("table", name="Countermeasures for Cleaner air")).to_contain_text(
        "Clear renewals older than 90 days."
    )

    # The monthly review: open it, record it, close it.
    page.goto(f"{base}/outcomes/agency/deq/reviews/")
    page.get_by_label("Month reviewed").select_option(reference_month().isoformat())
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review of")
    expect(page.get_by_text("countermeasure open").first).to_be_visible()
    page.get_by_label("Attendees").fill("Director; air program lead")
    page.get_by_label("Decisions").fill("Two more permit writers for the renewals queue.")
    page.get_by_role("button", name="Save the record").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Close the review").click()
    expect(page.get_by_role("status")).to_contain_text("is closed")
    review = Review.objects.get(agency=world["agency"])
    assert review.status == ReviewStatus.CLOSED
    assert review.countermeasures.count() == 1
    assert_no_axe_violations(page)


def test_outcome_form_errors_scorecard_public_and_huddle_are_accessible(page, sign_in, base, world):
    sign_in("manager@deq")
    page.goto(f"{base}/outcomes/agency/deq/new/")
    page.get_by_label("Name").fill("Fewer spills")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_role("alert")).to_contain_text("Please fix")
    assert_no_axe_violations(page)

    page.goto(f"{base}/outcomes/scorecard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statewide scorecard")
    assert_no_axe_violations(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"scorecard-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Department of Environmental Quality").click()
    expect(page).to_have_url(f"{base}/outcomes/agency/deq/")

    page.goto(f"{base}/outcomes/agency/deq/huddle/")
    expect(page.locator("[data-refresh-seconds]")).to_have_attribute("data-refresh-seconds", "300")
    page.get_by_role("button", name="Pause refreshing").click()
    expect(page.get_by_role("button", name="Resume refreshing")).to_be_visible()
    assert_no_axe_violations(page)

    page.context.clear_cookies()
    page.goto(f"{base}/public/deq/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("what we deliver")
    expect(page.get_by_text("Clear renewals")).to_have_count(0)
    assert_no_axe_violations(page)


def test_manager_records_a_step_change_and_the_chart_restarts_its_limits(
    page, sign_in, base, world
):
    outcome = world["outcome"]
    sign_in("manager@deq")
    page.goto(f"{base}/outcomes/{outcome.pk}/")
    form = page.locator("form", has=page.get_by_role("button", name="Record the step change"))
    page.get_by_text("Record a step change", exact=True).click()  # open the <details>
    # Without a reason: nothing recorded, said at the top of the page.
    form.get_by_label("First measurement of the new period").select_option(
        months_back(5).isoformat()
    )
    form.evaluate("f => f.submit()")  # past the browser's own required check
    page.wait_for_load_state()
    expect(page.get_by_text("The step change was not recorded")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_text("Record a step change", exact=True).click()
    form.get_by_label("First measurement of the new period").select_option(
        months_back(5).isoformat()
    )
    form.get_by_label("What changed").fill("New permit conditions for every large source")
    form.get_by_role("button", name="Record the step change").click()
    expect(page.get_by_text("Recorded a step change")).to_be_visible()
    expect(page.locator("#step-changes + p + ul")).to_contain_text(
        "New permit conditions for every large source"
    )
    expect(page.locator("#outcome-chart-title + div[data-vega-drawn=true] svg")).to_have_count(1)
    # Two periods of 6 points, each with its own trial limits.
    since = page.get_by_role("listitem").filter(
        has_text=f"From {months_back(5):%-d %b %Y} (step change: New permit conditions"
    )
    expect(since).to_contain_text("trial limits")
    spec = page.evaluate(
        "() => JSON.parse(document.getElementById('outcome-chart-spec').textContent)"
    )
    assert [v["segment"] for v in spec["data"]["values"]] == [0] * 6 + [1] * 6
    assert_no_axe_violations(page)


def test_a_long_attention_list_is_one_screen_and_opens_by_keyboard(page, sign_in, base, world):
    """Twelve widgets off track: the first ten in the table, the rest behind "Show 2
    more", which the keyboard opens; axe finds nothing, folded or open."""
    agency = world["agency"]
    for n in range(12):
        slow = f.WidgetFactory(
            agency=agency, name=f"Slow permit {n:02}", status=WidgetStatus.APPROVED
        )
        f.WidgetCountFactory(
            widget=slow, period_start=months_back(0), delivered=100, within_standard=40 + n
        )
    sign_in("manager@deq")
    page.goto(f"{base}/outcomes/agency/deq/")
    attention = page.get_by_role("region", name="Needs attention")
    shown = attention.get_by_role(
        "region", name="Widgets off track with no open countermeasure", exact=True
    )
    expect(shown.get_by_role("row")).to_have_count(11)  # the header and ten widgets
    expect(shown.get_by_role("row").nth(1)).to_contain_text("Slow permit 00")  # furthest below
    folded = attention.get_by_text("Slow permit 11", exact=True)
    expect(folded).to_be_hidden()
    assert_no_axe_violations(page)
    more = attention.locator("summary", has_text="Show 2 more")
    more.focus()
    page.keyboard.press("Enter")
    expect(folded).to_be_visible()
    assert_no_axe_violations(page)
