"""The huddle board on a wall screen (1920 x 1080): no scroll either way, numbers and
names 48 px or more as the browser computes them, axe passes, with the demo's largest
agencies and with more tiles than fit. Screenshots where tests/browser/conftest.py says."""

import io

import pytest
from django.core.management import call_command

from agencies.models import Agency
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import SCREENSHOTS, assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
TV = {"width": 1920, "height": 1080}

_MEASURE = """() => {
  const root = document.documentElement;
  const texts = [...document.querySelectorAll(
    '.huddle__title, .huddle-tile__name, [data-huddle-number]')];
  return {
    scroll: [root.scrollWidth - root.clientWidth, root.scrollHeight - root.clientHeight],
    clipped: [...document.querySelectorAll('.huddle-tile')]
      .filter(t => t.scrollHeight > t.clientHeight + 1).length,
    // A name is cut at two lines; a glyph's descent past its line box is not a line.
    cut: [...document.querySelectorAll('.huddle-tile__name')]
      .filter(e => e.scrollHeight - e.clientHeight > parseFloat(getComputedStyle(e).fontSize) / 2)
      .map(e => e.textContent),
    smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
    texts: texts.length,
    tiles: document.querySelectorAll('.huddle-tile').length,
  };
}"""


def _sign_in(page, base, slug):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(f"manager@{slug}")
    page.get_by_label("Password").fill("widgets-demo-2026")
    page.get_by_role("button", name="Sign in").click()


def _check(page, base, slug, name):
    page.goto(f"{base}/outcomes/agency/{slug}/huddle/")
    found = page.evaluate(_MEASURE)
    assert found["scroll"] == [0, 0], found
    assert found["clipped"] == 0, found
    assert found["cut"] == [], found
    assert found["smallest"] >= 48, found
    assert found["texts"] >= 2 * found["tiles"], found
    assert_no_axe_violations(page)
    page.screenshot(path=SCREENSHOTS / f"{name}-1920.png")
    return found


@pytest.mark.parametrize("slug", ["dmv", "des"])
def test_the_huddle_board_fits_a_wall_screen_in_large_type(page, base, slug):
    call_command("seed_demo", stdout=io.StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(TV)
    _sign_in(page, base, slug)
    found = _check(page, base, slug, f"huddle-{slug}")
    assert found["tiles"] >= 8  # every outcome and widget of the agency


def test_more_than_fit_are_counted_on_the_board(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    des = Agency.objects.get(slug="des")
    for n in range(6):
        f.WidgetFactory(
            agency=des,
            name=f"Longer named widget number {n} for the wall",
            status=WidgetStatus.APPROVED,
        )
    page.set_viewport_size(TV)
    _sign_in(page, base, "des")
    found = _check(page, base, "des", "huddle-more")
    assert found["tiles"] == 9
    assert page.locator(".huddle-tile--more").is_visible()
    assert "8 of 15 shown" in page.locator(".huddle__meta").inner_text()
