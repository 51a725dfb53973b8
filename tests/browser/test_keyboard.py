"""Keyboard only: the first journey (define a widget, read the coach, fix it,
submit) with Tab, Shift+Tab, Enter and Space; focus is always visible."""

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from tests import factories as f
from widgets.models import Widget, WidgetStatus

pytestmark = pytest.mark.django_db(transaction=True)

# Focus on <body> means "nothing focused yet" (before the first Tab); any
# element that has focus must show it.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return outline || shadow;
}"""


@pytest.fixture
def deq():
    agency = f.AgencyFactory(
        name="Department of Environmental Quality", abbreviation="DEQ", slug="deq"
    )
    f.ProgramFactory(agency=agency, name="Air Quality")
    f.CustomerSegmentFactory(agency=agency, name="Residents", kind="individual")
    f.MembershipFactory(user=f.UserFactory(username="staff@deq"), agency=agency, role=Role.STAFF)
    return agency


def tab_to(page, predicate_js, limit=80, backwards=False):
    """Press Tab (or Shift+Tab) until the focused element matches; assert focus shows."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_VISIBLE), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate(
            f"() => {{ const el = document.activeElement; return ({predicate_js})(el); }}"
        ):
            return
    raise AssertionError(f"never reached {predicate_js}")


def by_label(text):
    return f"el => el.labels && [...el.labels].some(l => l.textContent.trim().startsWith({text!r}))"


def by_text(text):
    return f"el => el.textContent.trim().startsWith({text!r})"


def test_define_fix_and_submit_with_the_keyboard_alone(page, base, deq):
    page.goto(f"{base}/accounts/login/")
    tab_to(page, by_label("Username"))
    page.keyboard.type("staff@deq")
    tab_to(page, by_label("Password"))
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    tab_to(page, by_text("Define a widget"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Define a widget")
    tab_to(page, by_label("Program"))
    page.keyboard.press("ArrowDown")
    tab_to(page, by_label("Name"))
    page.keyboard.type("Processing applications")
    tab_to(page, by_label("Kind"))
    page.keyboard.press("ArrowDown")
    tab_to(page, by_text("Save draft"))
    page.keyboard.press("Enter")
    expect(page.locator(".coach")).to_contain_text("describes work you do")

    # Fix it: back up with Shift+Tab to the name, then forward through the rest.
    tab_to(page, by_text("Save changes"))
    tab_to(page, by_label("Name"), backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("Open burning permit")
    tab_to(page, "el => el.type === 'checkbox' && el.labels[0].textContent.includes('Residents')")
    page.keyboard.press("Space")
    tab_to(page, by_label("Definition of done"))
    page.keyboard.type("The permit is emailed to the resident.")
    tab_to(page, by_label("Unit of count"))
    page.keyboard.type("permit issued")
    tab_to(page, by_label("Service standard: days"))
    page.keyboard.type("2")
    tab_to(page, by_label("Service standard: share"))
    page.keyboard.type("95")
    tab_to(page, by_text("Save changes"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open burning permit")

    tab_to(page, by_text("Submit for review"))
    page.keyboard.press("Enter")
    expect(page.locator(".usa-tag")).to_have_text("Submitted for review")
    widget = Widget.objects.get(name="Open burning permit")
    assert widget.status == WidgetStatus.SUBMITTED
    assert [s.name for s in widget.customer_segments.all()] == ["Residents"]
