"""Tiered huddles in a real browser (issue 24's journey): a team member raises a
problem on the team's board, the program manager escalates it, the agency manager
writes an A3 for it and closes it with the measure after; every step is in the
history, axe passes on each page, the A3 prints on one landscape page, and the
boards fit at 390, 1280 and 1920 px."""

import io

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agencies.models import Agency, Membership, Program, Role
from outcomes.models import Board, Problem, ProblemStatus

from .conftest import SCREENSHOTS, assert_no_axe_violations, fit_problems

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PASSWORD = "widgets-demo-2026"
WHAT = "Renewal applications wait 14 days at intake, against 5."


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The Air Quality Division is run by a program manager of its own.
    deq = Agency.objects.get(slug="deq")
    lead = get_user_model().objects.create_user(
        "lead@deq", "lead@deq.example.gov", DEMO_PASSWORD, first_name="Rosa", last_name="Diaz"
    )
    Membership.objects.create(user=lead, agency=deq, role=Role.MANAGER)
    Program.objects.filter(agency=deq, name="Air Quality Division").update(manager=lead)
    return deq


def _as(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _checked(page):
    assert_no_axe_violations(page)
    problems = fit_problems(page)
    assert problems == [], (page.url, problems)


def test_a_problem_goes_up_from_a_team_and_is_solved_with_an_a3(page, base, demo):
    team_board = Board.objects.get(team__name="Permit writers")
    # 1. A team member raises it on the team's board.
    _as(page, base, "staff@deq")
    page.goto(f"{base}{team_board.get_absolute_url()}")
    _checked(page)
    page.get_by_role("link", name="Raise a problem").click()
    _checked(page)
    page.locator("#id_what").fill(WHAT)
    page.locator("#id_where").fill("Intake queue, Phoenix office")
    page.locator("#id_since").fill("2026-09-01")
    page.get_by_label("Widget").select_option(label="Air quality permit")
    page.get_by_role("button", name="Raise the problem").click()
    problem = Problem.objects.get(what=WHAT)
    assert page.url.endswith(problem.get_absolute_url())
    _checked(page)
    page.locator("#id_what").fill("Count the queue every morning")
    page.locator("#id_due_date").fill("2026-12-20")
    page.get_by_role("button", name="Add the action").click()
    assert page.get_by_role("row", name="Count the queue every morning").is_visible()
    # A team member cannot escalate: no button for them.
    assert page.get_by_role("button", name="Escalate").count() == 0

    # 2. The program manager escalates it: to the program's board, then the agency's.
    _as(page, base, "lead@deq")
    page.goto(f"{base}{team_board.get_absolute_url()}")
    page.get_by_role("link", name=WHAT).click()
    page.get_by_role("button", name="Escalate to Air Quality Division, DEQ").click()
    _checked(page)
    page.get_by_role("button", name="Escalate to Department of Environmental Quality").click()
    top = Problem.objects.get(what=WHAT, board__tier="agency")
    assert page.url.endswith(top.get_absolute_url())

    # 3. The agency manager sees what came up and from where, and writes its A3.
    _as(page, base, "manager@deq")
    page.goto(f"{base}{top.board.get_absolute_url()}")
    _checked(page)
    row = page.get_by_role("row", name=WHAT[:30])
    assert "Air Quality Division, DEQ" in row.inner_text()  # came up from
    row.get_by_role("link", name=WHAT[:30]).click()
    page.get_by_role("link", name="an A3").click()
    _checked(page)
    for label, text in [
        ("Background", "Air permits are the first step of every new plant."),
        ("Current condition", "14 days at intake; the standard is 5."),
        ("Goal", "5 days at intake by March."),
        ("Why? (1)", "Writers take new files in weekly batches."),
        ("Why? (2)", "Renewals and new permits share one queue."),
        ("Root cause", "One queue, taken in batches."),
        ("Countermeasures", "A renewals lane, taken daily."),
    ]:
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#id_what").fill("Open a renewals lane")
    page.locator("#id_due_date").fill("2027-01-15")
    page.get_by_role("button", name="Add the action").click()
    # Closing without the measure after is refused, in words beside the form.
    page.get_by_role("link", name="an A3").click()
    page.get_by_role("button", name="Save and close it as solved").click()
    assert "the measure after" in page.locator(".usa-alert--error").inner_text()
    _checked(page)  # the error state
    page.get_by_label("Follow up").fill("Counted the queue for eight weeks.")
    page.get_by_label("Measure after").fill("96.5")
    page.get_by_label("Measured on").fill("2026-11-01")
    page.get_by_role("button", name="Save and close it as solved").click()
    top.refresh_from_db()
    assert (top.status, top.depth, str(top.measure_after)) == (
        ProblemStatus.SOLVED,
        "a3",
        "96.5000",
    )

    # Every step is in the history, on every board's problem.
    for one in (problem, top):
        page.goto(f"{base}{one.get_absolute_url()}")
        history = page.locator(".history").inner_text()
        for step in (
            "Raised",
            "Planned (action “Count the queue every morning”)",
            "Escalated to Air Quality Division, DEQ",
            "Came up from Permit writers team, Air Quality Division, DEQ",
            "Escalated to Department of Environmental Quality",
            "Came up from Air Quality Division, DEQ",
            "A3 written",
            "Solved (a3)",
        ):
            assert step in history, (one, step)
    _checked(page)

    # The A3 prints on one landscape page.
    page.goto(f"{base}/outcomes/problems/{top.pk}/a3/")
    page.wait_for_selector(".chart__drawing svg, .chart__drawing canvas")
    _checked(page)
    for width in (390, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 1080 if width == 1920 else 900})
        page.screenshot(path=SCREENSHOTS / f"a3-{width}.png", full_page=True)
    page.emulate_media(media="print")
    document = pdfium.PdfDocument(page.pdf(prefer_css_page_size=True, print_background=True))
    assert len(document) == 1
    width, height = document[0].get_size()
    assert width > height  # landscape
    text = document[0].get_textpage().get_text_range()
    assert "7. Follow-up" in text and "96.5%" in text
    document.close()


@pytest.mark.parametrize("tier", ["team", "program", "agency", "state"])
def test_every_tiers_board_and_tv_view_fit(page, base, demo, tier):
    board = {
        "team": Board.objects.get(team__name="Permit writers"),
        "program": Board.objects.get(tier="program", program__name="Air Quality Division"),
        "agency": Board.objects.get(tier="agency", agency=demo),
        "state": Board.objects.state(),
    }[tier]
    _as(page, base, "manager@deq")
    page.goto(f"{base}{board.get_absolute_url()}")
    _checked(page)
    for width in (390, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 1080 if width == 1920 else 900})
        page.screenshot(path=SCREENSHOTS / f"board-{tier}-{width}.png", full_page=True)
    # The TV view: one wall screen, nothing scrolls, numbers and names 48 px or more.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/outcomes/boards/{board.pk}/tv/")
    found = page.evaluate(
        """() => {
          const root = document.documentElement;
          const big = [...document.querySelectorAll('.huddle-tile__name, [data-huddle-number]')];
          return {scroll: [root.scrollWidth - root.clientWidth,
                           root.scrollHeight - root.clientHeight],
                  smallest: Math.min(...big.map(e => parseFloat(getComputedStyle(e).fontSize))),
                  tiles: document.querySelectorAll('.huddle-tile').length};
        }"""
    )
    assert found["scroll"] == [0, 0], found
    assert found["smallest"] >= 48 and found["tiles"] >= 1, found
    assert_no_axe_violations(page)
    page.screenshot(path=SCREENSHOTS / f"huddle-{tier}-1920.png")
