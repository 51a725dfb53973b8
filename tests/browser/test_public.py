"""The public page with its charts and open data, as an anonymous visitor sees it:
every chart drawn under the real CSP, each chart's table one keyboard step away,
nothing that does not fit, axe on each state, and the data dictionary page."""

import io

from django.core.management import call_command

from .conftest import assert_no_axe_violations, fit_problems

DRAWN = (
    "() => document.querySelectorAll('[data-vega-drawn=\"true\"]').length"
    " === document.querySelectorAll('[data-vega-spec]').length"
)


def test_the_public_page_draws_every_chart_with_its_table(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/public/deq/")
    drawings = page.locator("[data-vega-spec]")
    assert drawings.count() >= 8  # five widgets and three outcomes
    page.wait_for_function(DRAWN)
    assert page.locator(".chart__drawing svg").count() == drawings.count()
    assert problems == []
    assert_no_axe_violations(page)
    assert fit_problems(page) == []
    # A chart's figures: one keyboard step from its summary.
    first = page.locator(".chart").first
    first.locator(".chart__table summary").focus()
    page.keyboard.press("Enter")
    assert first.locator(".chart__table table").is_visible()
    assert_no_axe_violations(page)
    assert fit_problems(page) == []
    # The open data, linked from the page, with its dictionary.
    page.get_by_role("link", name="The data dictionary", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("open data")
    assert page.locator("table").count() == 2
    assert_no_axe_violations(page)
    assert fit_problems(page) == []
