"""The Spanish catalogue (locale/es) is complete, and its committed .mo is the .po compiled.

The .mo files are committed (docs/adr/0008): compiling them needs GNU gettext,
which a server may not have, and a missing .mo would show Spanish readers English
without a word. This test compiles each .po with msgfmt and compares the catalogues.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def _catalogue(mo_path):
    with mo_path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _msgfmt():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("GNU gettext's msgfmt is needed to check the catalogues (apt install gettext)")
    return msgfmt


def test_there_is_a_spanish_catalogue():
    assert LOCALE / "es" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_committed_mo_is_the_po_compiled(po, tmp_path):
    msgfmt = _msgfmt()
    compiled = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(compiled), str(po)], check=True)
    assert _catalogue(po.with_suffix(".mo")) == _catalogue(compiled), (
        f"{po.with_suffix('.mo')} is stale: run manage.py compilemessages and commit it"
    )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_entry_is_translated(po, tmp_path):
    """msgfmt --statistics says "N translated messages" and names fuzzy or untranslated ones."""
    done = subprocess.run(
        [_msgfmt(), "--statistics", "-o", str(tmp_path / "x.mo"), str(po)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "fuzzy" not in done.stderr and "untranslated" not in done.stderr, done.stderr
