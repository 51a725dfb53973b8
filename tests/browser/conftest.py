"""Browser tests: Playwright drives Debian's Chromium against a live server.

Playwright's own browser download does not work on every network, so the
tests launch /usr/bin/chromium (the Makefile installs it from Debian).
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import SAME_WORKER
from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Screenshots go to reports/ (git-ignored) on every run, and to docs/screenshots/
# (linked from the README) only with UPDATE_SCREENSHOTS=1 (`make screenshots`):
# pixels differ a little from run to run, and tests must not change tracked files.
SCREENSHOTS = Path(settings.BASE_DIR) / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "reports/screenshots"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Tests that save screenshots write the same file names (dashboard-1280.png
            # from two modules): under pytest-xdist they must share one worker.
            module = item.nodeid.split("::")[0]
            saves = any(value is SCREENSHOTS for value in vars(item.module).values())
            if saves and SAME_WORKER.get(module) != "screenshots":
                raise pytest.UsageError(
                    f"{module} saves screenshots: add it to SAME_WORKER in tests/conftest.py"
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's fallback fixture, which pytest 9 deprecates."""
    return None


@pytest.fixture
def base(live_server, page):
    page.set_default_timeout(10_000)
    return live_server.url


@pytest.fixture
def sign_in(page, base):
    """Sign in through the real form, as a person would."""

    def _sign_in(username, password=TEST_PASSWORD):
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


def axe_violations(page):
    """Run axe-core (from the npm registry) with the WCAG 2.2 A/AA rules."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_no_axe_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{json.dumps(violations, indent=2)}"


def measurement_files(folder, outcome):
    """Two measurement files for `outcome` (the upload preview's page states):
    one with errors of three kinds, a column not read and more rows than a page;
    one that changes, clears and adds values."""
    import datetime as dt

    measured = list(outcome.measurements.order_by("date")[:3])
    outcome.measurements.filter(pk=measured[1].pk).update(note="Provisional estimate")
    first = dt.date(2001, 1, 1)
    rows = []
    for i in range(70):
        value = "forty" if i % 9 == 4 else str(30 + i % 7)
        date = "2099-01-01" if i == 20 else (first + dt.timedelta(days=i)).isoformat()
        date = "2003-13-01" if i in (30, 31) else date
        rows.append(f"{outcome.pk},{date},{value},,monthly report")
    errors = folder / "measurements-with-errors.csv"
    errors.write_text("outcome_id,date,value,note,source\n" + "\n".join(rows) + "\n")
    changes = [
        f"{outcome.pk},{measured[0].date},{measured[0].value + 5},Revised",
        f"{outcome.pk},{measured[1].date},{measured[1].value},",
        f"{outcome.pk},{measured[2].date},{measured[2].value},Checked by the lab",
        f"{outcome.pk},{first.isoformat()},41.5,From the annual report",
    ]
    changed = folder / "measurements-with-changes.csv"
    changed.write_text("outcome_id,date,value,note\n" + "\n".join(changes) + "\n")
    return errors, changed


def upload(page, path, button="Check the file"):
    page.locator("main input[type=file]").first.set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


# The widths every page must fit: a phone, a laptop, a wide office screen.
FIT_WIDTHS = (390, 1280, 1920)

_FIT_CHECK = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px in ${root.clientWidth}`);
  }
  for (const table of document.querySelectorAll('main table')) {
    if (!table.offsetParent) continue;  // not shown (a closed <details>)
    const name = (table.caption ? table.caption.textContent : table.className).trim().slice(0, 60);
    const frame = table.parentElement;
    if (!frame.classList.contains('table-frame')) {
      problems.push(`"${name}" is not in a table frame`);
      continue;
    }
    const overflow = getComputedStyle(frame).overflowX;
    if (!['auto', 'scroll'].includes(overflow)) problems.push(`"${name}": its frame cannot scroll`);
    const over = frame.scrollWidth > frame.clientWidth + 1;
    const hint = frame.previousElementSibling;
    const cued = frame.dataset.overflowing === 'true' && hint && hint.matches('.table-frame__hint')
      && !hint.hidden && hint.offsetParent !== null;
    if (over && !cued) problems.push(`"${name}" overflows its frame with no scroll cue`);
    if (over && frame.getAttribute('tabindex') !== '0') {
      problems.push(`"${name}": no tab stop to scroll it`);
    }
    if (!over && frame.dataset.overflowing === 'true') {
      problems.push(`"${name}": a cue but nothing to scroll`);
    }
  }
  return problems;
}"""


def fit_problems(page, widths=FIT_WIDTHS):
    """What does not fit on the page at each width: the page itself scrolling
    sideways, a shown table outside a frame that scrolls, or a frame that
    overflows without its cue (app.js's hint and mark) and tab stop. Restores
    the viewport."""
    size = page.viewport_size
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": size["height"]})
        page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")
        problems += [f"{width} px: {p}" for p in page.evaluate(_FIT_CHECK)]
    page.set_viewport_size(size)
    return problems
