"""Measures declared once (widgets.measures): a new count field or measure needs
nothing but its entry (and, for a count field, a migration and demo values)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from widgets import measures
from widgets.models import WidgetCount

ROOT = Path(__file__).resolve().parents[2]


def test_every_count_field_is_a_column_with_the_registrys_help():
    for spec in measures.COUNT_FIELDS:
        column = WidgetCount._meta.get_field(spec.name)
        assert column.help_text == spec.help
        assert column.null  # unknown is not zero


def test_every_measure_is_computed_from_count_fields():
    names = set(measures.all_names())
    for spec in measures.MEASURES:
        assert {spec.numerator, spec.denominator} <= names, spec.name
        assert spec.how


@pytest.mark.slow
def test_a_throwaway_count_field_and_measure_show_wherever_measures_do(tmp_path):
    """tests/measure_probe/checks.py, in a process whose widgets.measures has one more
    of each (tests/measure_probe/plugin.py), on SQLite with tables made from the models."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.measure_probe.plugin",
            "tests/measure_probe/checks.py",
            "-o",
            "python_files=checks.py",
            "--nomigrations",
            "-n",
            "0",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
