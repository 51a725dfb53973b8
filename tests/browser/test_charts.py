"""Charts drawn in a real browser under the real CSP (docs/adr/0005-charts-vega-lite.md):
every chart on the agency dashboard and a widget's page is drawn, nothing is refused
by the policy, and each chart's table is one keyboard step away."""

import io

import pypdfium2 as pdfium
from django.core.management import call_command
from playwright.sync_api import expect

from outcomes.models import Outcome, Review
from widgets.models import Widget

from .conftest import SCREENSHOTS, assert_no_axe_violations


def test_every_chart_on_the_dashboard_and_a_widget_page_is_drawn_under_the_csp(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("manager@deq")
    page.get_by_label("Password").fill("widgets-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    widget = Widget.objects.get(name="Unemployment benefit payment")
    for path, least in (("/outcomes/agency/deq/", 10), (f"/widgets/{widget.pk}/", 6)):
        page.goto(base + path)
        drawings = page.locator("[data-vega-spec]")
        count = drawings.count()
        assert count >= least, path  # two per widget on the dashboard; six on a widget's page
        page.wait_for_function(
            "n => document.querySelectorAll('[data-vega-drawn=\"true\"]').length === n", arg=count
        )
        assert page.locator(".chart__drawing svg").count() == count
        assert problems == [], path  # a CSP refusal (eval, inline style) is a console error
        assert_no_axe_violations(page)
    page.goto(f"{base}/outcomes/agency/deq/")
    drawings = page.locator("[data-vega-spec]")
    # Screen readers get the words and the table, not the drawing.
    assert drawings.first.get_attribute("aria-hidden") == "true"
    first = page.locator(".pictures__item").first
    first.locator(".chart__table summary").first.focus()
    page.keyboard.press("Enter")
    assert first.locator(".chart__table table").first.is_visible()
    assert_no_axe_violations(page)


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("widgets-demo-2026")
    page.get_by_role("button", name="Sign in").click()


def test_the_outcome_chart_is_drawn_under_the_csp_with_its_words(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    outcome = Outcome.objects.get(agency__slug="dmv", step_changes__isnull=False)
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, base, "manager@dmv")
    page.goto(f"{base}/outcomes/{outcome.pk}/")
    drawing = page.locator("[data-vega-spec=outcome-chart-spec]")
    expect(drawing).to_have_attribute("data-vega-drawn", "true")
    # The lines break at the step change: one path per period for the centre line.
    assert drawing.locator("svg path").count() > 4
    assert drawing.get_attribute("aria-hidden") == "true"
    expect(page.get_by_text("Green dashed line: the target trajectory.")).to_be_visible()
    assert problems == []
    assert_no_axe_violations(page)


def test_the_held_review_links_its_kept_pack_and_it_downloads(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    held = Review.objects.get(agency__slug="deq")
    _sign_in(page, base, "staff@deq")
    page.goto(f"{base}/outcomes/reviews/{held.pk}/")
    link = page.get_by_role("link", name="Download the review pack")
    expect(link).to_be_visible()
    expect(page.locator("#pack + p")).to_contain_text("kept as it was when the review closed")
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        link.click()
    saved = download.value
    assert saved.suggested_filename == f"DEQ-review-pack-{held.month:%Y-%m}.pdf"
    with open(saved.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The cover and the first item's page, for docs/outcomes.md.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(saved.path())
    for number, name in ((0, "review-pack-cover"), (2, "review-pack-item")):
        sheet = document[number]
        sheet.render(scale=1.5).to_pil().save(SCREENSHOTS / f"{name}.png")
        sheet.close()
    document.close()
