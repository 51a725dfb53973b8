"""Screenshots of the main pages with the demo data, at 1280, 390 and 1920 px wide,
saved to reports/screenshots/ (docs/screenshots/, linked from the README, with
`make screenshots`), each page checked by axe."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from outcomes.models import Outcome
from widgets.models import Survey, Widget

from .conftest import SCREENSHOTS as OUT
from .conftest import assert_no_axe_violations, measurement_files, upload

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PASSWORD = "widgets-demo-2026"


def _pages():
    permit = Widget.objects.get(name="Air quality permit")
    trouble = Widget.objects.get(name="Unemployment benefit payment")
    return {
        "home": "/",
        "widgets": "/widgets/",
        "widget": f"/widgets/{permit.pk}/",
        # A system in trouble: its measures' signals, and what its customers said.
        "widget-in-trouble": f"/widgets/{trouble.pk}/",
        "widget-form": f"/widgets/{permit.pk}/edit/",
        "count-grid": "/widgets/counts/deq/",
        "customers": "/customers/",
        "dashboard": "/outcomes/agency/deq/",
        "scorecard": "/outcomes/scorecard/",
        "outcome": f"/outcomes/{Outcome.objects.filter(agency__slug='deq').first().pk}/",
        # A hosted survey's page: its links, QR code and funnel (docs/surveys.md).
        "survey": f"/widgets/survey/{Survey.objects.get(widget__agency__slug='deq').pk}/",
    }


def _shoot(page, name, widths=(1280, 390, 1920)):
    """A screenshot at each width, with axe run at each width too, once every chart
    on the page is drawn."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-vega-spec]')]"
        ".every(el => el.dataset.vegaDrawn === 'true')"
    )
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)  # the charts redraw to their new width
        assert_no_axe_violations(page)
        page.screenshot(path=OUT / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_screenshots_of_the_main_pages(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    OUT.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/public/deq/")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-vega-drawn=\"true\"]').length"
        " === document.querySelectorAll('[data-vega-spec]').length"
    )
    _shoot(page, "public", widths=(1920, 1280, 390))
    # What a customer answers, in Spanish, with no account (docs/surveys.md).
    page.goto(f"{base}/s/{Survey.objects.get(widget__agency__slug='deq').code}/?lang=es")
    _shoot(page, "survey-answer-es", widths=(390, 1280, 1920))
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("manager@deq")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for name, path in _pages().items():
        page.goto(base + path)
        _shoot(page, name)
    assert len(list(OUT.glob("*-390.png"))) >= len(_pages()) + 2


def test_screenshots_of_a_process_behaviour_chart_after_a_step_change(page, base):
    """The outcome page docs/outcomes.md shows: limits before and after a step change,
    both marks explained, at a phone's, a laptop's and a wall screen's width."""
    call_command("seed_demo", stdout=io.StringIO())
    OUT.mkdir(parents=True, exist_ok=True)
    outcome = Outcome.objects.get(agency__slug="dmv", step_changes__isnull=False)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("manager@dmv")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/outcomes/{outcome.pk}/")
    expect(page.locator("#outcome-chart-title + div[data-vega-drawn=true] svg")).to_have_count(1)
    _shoot(page, "outcome-step-change", widths=(1920, 1280, 390))


def test_screenshots_of_an_upload_preview(page, base, tmp_path):
    """The preview every import shows: with errors, and with changes."""
    call_command("seed_demo", stdout=io.StringIO())
    OUT.mkdir(parents=True, exist_ok=True)
    errors, changes = measurement_files(tmp_path, Outcome.objects.filter(agency__slug="deq")[0])
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("staff@deq")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/outcomes/measurements/import/")
    upload(page, errors)
    _shoot(page, "upload-preview-errors")
    upload(page, changes)
    _shoot(page, "upload-preview-changes")
