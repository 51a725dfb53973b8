"""Charts drawn in a real browser under the real CSP (docs/adr/0005-charts-vega-lite.md):
every chart on the agency dashboard and a widget's page is drawn, nothing is refused
by the policy, and each chart's table is one keyboard step away."""

import io

from django.core.management import call_command

from widgets.models import Widget

from .conftest import assert_no_axe_violations


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
