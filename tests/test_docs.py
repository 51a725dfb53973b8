"""The repository explains itself: what it cites is in it.

The domain design is docs/domain.md; code and docs cite it, and the other pages
of docs/, by path and section: `docs/domain.md, "Counting"`. These tests read
every tracked text file and fail on

- a citation of the design or style notes the project was started from, which
  are not in the repository (cite docs/domain.md instead);
- a path that leaves the repository (a link above its root, or the shared
  folder the project was started from);
- a cited page of docs/ that does not exist, or a cited section that no heading
  of that page begins with.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = {
    ".py", ".md", ".html", ".txt", ".toml", ".cfg", ".ini", ".yml", ".yaml",
    ".sh", ".js", ".mjs", ".css", ".example", ".csv",
}  # fmt: skip
TEXT_NAMES = {"Makefile", "run"}  # `.ci/run`
# Generated or third-party, and large: nothing in them is a citation of ours.
SKIPPED = {"package-lock.json", "requirements.lock"}
# Not tracked (see .gitignore); used only when git cannot list the files.
UNTRACKED_DIRS = {".git", ".venv", "node_modules", "staticfiles", "reports", "media", "backups"}

OUTSIDE_DOCUMENTS = re.compile(r"\b(?:design|style)\.md\b", re.IGNORECASE)
OUTSIDE_PATHS = re.compile(r"/wor[k]/|(?:\.\./)+shared\b")  # [k]: not a match itself
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
CITATION = re.compile(r"\b(docs/[\w./-]+\.md)(?:'s)?[,:]?[\s#]*\(?\"([^\"\n]+)\"")


def tracked_files():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        paths = [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and not UNTRACKED_DIRS & set(p.relative_to(ROOT).parts)
        ]
    return sorted(
        p
        for p in paths
        if (p.suffix in TEXT_SUFFIXES or p.name in TEXT_NAMES)
        and p.name not in SKIPPED
        and p.exists()
    )


@pytest.fixture(scope="module")
def texts():
    found = {}
    for path in tracked_files():
        try:
            found[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    assert "docs/domain.md" in found
    return found


def _lines(text, pattern):
    for number, line in enumerate(text.splitlines(), start=1):
        for match in pattern.finditer(line):
            yield number, match


def headings(text):
    return {
        line.lstrip("#").strip()
        for line in text.splitlines()
        if re.match(r"#{1,6} ", line)  # fenced code in these pages holds no such line
    }


def test_nothing_cites_a_document_outside_the_repository(texts):
    found = [
        f"{path}:{number}: {match.group(0)}"
        for path, text in texts.items()
        for pattern in (OUTSIDE_DOCUMENTS, OUTSIDE_PATHS)
        for number, match in _lines(text, pattern)
    ]
    assert found == [], "cite docs/domain.md (or another page of docs/) instead:\n" + "\n".join(
        found
    )


def test_markdown_links_stay_in_the_repository_and_lead_somewhere(texts):
    broken = []
    for path, text in texts.items():
        if not path.endswith(".md"):
            continue
        for number, match in _lines(text, MARKDOWN_LINK):
            target = match.group(1).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):  # an anchor, or https:, mailto:
                continue
            resolved = (ROOT / path).parent.joinpath(target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{path}:{number}: {target}")
    assert broken == [], "\n".join(broken)


def test_cited_pages_and_sections_exist(texts):
    missing = []
    for path, text in texts.items():
        for page in sorted(set(re.findall(r"\bdocs/[\w./-]+\.md\b", text))):
            if page not in texts:
                missing.append(f"{path}: {page} does not exist")
        for match in CITATION.finditer(text):
            page, section = match.groups()
            # A section may be cited by the first words of its heading.
            if page in texts and not any(h.startswith(section) for h in headings(texts[page])):
                number = text.count("\n", 0, match.start()) + 1
                missing.append(f'{path}:{number}: {page} has no section "{section}"')
    assert missing == [], "\n".join(missing)


def test_the_domain_page_has_the_sections_the_code_cites_most():
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    assert {
        "Who may do what",
        "Counting",
        "How a write treats what it was not told",
        "Review workflow",
        "Outcomes and status",
        "Apps and layering",
    } <= headings(text)


# Spelled in pieces, so that this file does not cite what it forbids.
@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("see DESIGN" + ".md, 'Counting'", True),
        ("(Style" + ".md: one form renderer)", True),
        ("read ../sha" + "red/notes.txt", True),
        ("/wo" + "rk/sha" + "red/x", True),
        ('see docs/domain.md, "Counting"', False),
        ('"../../etc/passwd" is a hostile file name', False),
    ],
)
def test_the_checks_see_what_they_look_for(line, found):
    assert bool(OUTSIDE_DOCUMENTS.search(line) or OUTSIDE_PATHS.search(line)) is found
