"""The release in every page key (config/release.py): a deploy's code never serves
a page, or part of one, that the code before it rendered."""

import shutil
from pathlib import Path

import pytest

from config.release import code_digest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tree(tmp_path):
    """A small copy of the code: a template, a module and a stylesheet."""
    for name, text in {
        "outcomes/templates/outcomes/includes/scorecard_body.html": "<th>On track</th>",
        "outcomes/dashboard.py": "ROWS = 1\n",
        "static/css/app.css": "td { white-space: normal; }",
        "package-lock.json": '{"lockfileVersion": 3}',
    }.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_same_code_has_the_same_digest_wherever_it_is(tree, tmp_path_factory):
    """Every host of a release, its files copied anywhere at any time, shares the
    pages of a shared Redis."""
    elsewhere = tmp_path_factory.mktemp("host-b") / "app"
    shutil.copytree(tree, elsewhere)
    assert code_digest(elsewhere) == code_digest(tree)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: (t / "outcomes/templates/outcomes/includes/scorecard_body.html").write_text(
            "<th>On track</th><th>At risk</th>"
        ),
        lambda t: (t / "outcomes/dashboard.py").write_text("ROWS = 2\n"),
        lambda t: (t / "static/css/app.css").write_text("td { white-space: nowrap; }"),
        lambda t: (t / "package-lock.json").write_text('{"lockfileVersion": 4}'),
        lambda t: (t / "outcomes/dashboard.py").rename(t / "outcomes/scorecard.py"),
        lambda t: (
            (t / "widgets/templates/widgets").mkdir(parents=True)
            or (t / "widgets/templates/widgets/new.html").write_text("new")
        ),
    ],
    ids=["template", "module", "stylesheet", "npm packages", "a file renamed", "a file added"],
)
def test_any_change_to_what_renders_pages_is_another_release(tree, change):
    before = code_digest(tree)
    change(tree)
    assert code_digest(tree) != before


def test_what_renders_no_page_is_not_part_of_it(tree):
    """Compiled modules (they differ by Python version and host) and documents."""
    before = code_digest(tree)
    (tree / "outcomes/__pycache__").mkdir()
    (tree / "outcomes/__pycache__/dashboard.cpython-311.pyc").write_bytes(b"\x00compiled")
    (tree / "outcomes/README.md").write_text("notes")
    assert code_digest(tree) == before


def test_this_code_has_a_digest_of_its_own():
    assert len(code_digest(ROOT)) == 16
