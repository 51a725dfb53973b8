"""Tables that fit (issue 19, point 3): every table scrolls in its own frame, and a
frame that overflows says so. The sweep of every page at every width is in
test_axe_pages; these prove the check itself and the cue a person sees."""

import io

from django.core.management import call_command

from widgets.models import Widget

from .conftest import fit_problems

WIDE = "".join(f"<th scope='col'>Column number {n}</th>" for n in range(30))


def test_the_check_finds_a_table_outside_a_frame_and_an_overflow_without_a_cue(page, base):
    page.goto(f"{base}/accounts/login/")
    page.evaluate(
        """(wide) => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            `<table><caption>Loose</caption><tr>${wide}</tr></table>` +
            `<div class="table-frame usa-table-container--scrollable">` +
            `<table><caption>Framed</caption><tr>${wide}</tr></table></div>`);
        }""",
        WIDE,
    )
    problems = fit_problems(page, widths=(1280,))
    assert any('"Loose" is not in a table frame' in p for p in problems), problems
    assert any('"Framed" overflows its frame with no scroll cue' in p for p in problems)
    assert any("the page scrolls sideways" in p for p in problems), problems


def test_a_wide_table_on_a_phone_scrolls_in_its_frame_with_a_cue_and_a_fixed_first_column(
    page, base, sign_in
):
    call_command("seed_demo", stdout=io.StringIO())
    widget = Widget.objects.get(name="Air quality permit")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("staff@deq")
    page.get_by_label("Password").fill("widgets-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/widgets/{widget.pk}/counts/")
    frame = page.locator(".table-frame").first
    assert frame.get_attribute("data-overflowing") == "true"
    assert frame.get_attribute("tabindex") == "0"
    hint = page.get_by_text("Scroll sideways in the table for more columns")
    assert hint.is_visible()
    first = frame.locator("tbody tr").first.locator("th, td").first
    before = first.bounding_box()["x"]
    frame.evaluate("f => { f.scrollLeft = 400; }")
    assert frame.evaluate("f => f.scrollLeft") > 0
    assert abs(first.bounding_box()["x"] - before) < 1, "the first column should stay in place"
    assert fit_problems(page) == []
    # A table that fits: no cue, and no tab stop that scrolls nothing.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/agencies/")
    frame = page.locator(".table-frame").first
    assert frame.get_attribute("data-overflowing") == "false"
    assert frame.get_attribute("tabindex") is None
    assert not page.get_by_text("Scroll sideways in the table").is_visible()
