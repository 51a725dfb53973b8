"""Every page formats numbers through one set of filters
(agencies/templatetags/numbers.py; docs/architecture.md, "Numbers on pages"): no
template formats a number by hand, and no module but that one calls Django's
number filters itself. Exports (CSV, XLSX, the API) write raw values and format
nothing, so they are not concerned.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("agencies", "customers", "widgets", "outcomes", "demo", "config")
HOME = ROOT / "agencies" / "templatetags" / "numbers.py"

# (what a template must not do, what to use instead)
TEMPLATE_RULES = [
    (re.compile(r"\|\s*floatformat"), "floatformat: use |number, |money, |percent or |days"),
    (re.compile(r"\|\s*stringformat"), "stringformat: use the numbers filters"),
    (re.compile(r"\|\s*(intcomma|intword|apnumber)\b"), "humanize directly: use |whole"),
    (re.compile(r"\{%\s*load\b[^%]*\bhumanize\b"), "humanize directly: load numbers"),
    (re.compile(r"\$\s*\{\{"), "a hand-made $: use |money"),
    (re.compile(r"\}\}\s*%"), "a hand-made %: use |percent"),
    (re.compile(r"\}\}\s*days?\b"), "hand-made days: use |days (1 day, 3 days)"),
]
PYTHON_RULES = [
    (
        re.compile(r"\b(floatformat|intcomma|intword|stringformat)\b"),
        "Django's number filters outside agencies/templatetags/numbers.py",
    ),
    (re.compile(r":\.\d+f\}%"), "a hand-made percentage: use numbers.percent"),
    (re.compile(r"[\"']\$\{|f[\"']\$\{"), "a hand-made $: use numbers.money"),
]


def offences(text, rules):
    """(line number, rule) of each place `text` breaks one of `rules`."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, rule in rules:
            if pattern.search(line):
                found.append((number, rule))
    return found


def templates():
    for app in (ROOT / "templates", *(ROOT / app / "templates" for app in APPS)):
        yield from sorted(app.rglob("*.html")) if app.exists() else ()


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path != HOME and "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize(
    "bad",
    [
        "{{ w.standard_share|floatformat:'-1' }}% within",
        "{{ value|stringformat:'.2f' }}",
        "{{ n|intcomma }}",
        "{% load humanize %}",
        "<dd>${{ widget.fee }}</dd>",
        "{{ c.percent }}%",
        "within {{ w.standard_days }} days",
        "within {{ w.standard_days }} day{{ w.standard_days|pluralize }}",
    ],
)
def test_the_template_check_finds_hand_made_formats(bad):
    assert offences(bad, TEMPLATE_RULES)


@pytest.mark.parametrize(
    "bad",
    [
        "from django.template.defaultfilters import floatformat",
        "from django.contrib.humanize.templatetags.humanize import intcomma",
        'return f"{float(value) * 100:.1f}%"',
        'return f"${value}"',
    ],
)
def test_the_python_check_finds_hand_made_formats(bad):
    assert offences(bad, PYTHON_RULES)


def test_the_checks_pass_the_filters_themselves():
    good = "{% load numbers %}{{ w.standard_share|percent:100 }} within {{ d|days }} {{ f|money }}"
    assert not offences(good, TEMPLATE_RULES)
    assert not offences("label = f'{numbers.percent(share)} satisfied'", PYTHON_RULES)


def test_no_template_formats_a_number_by_hand():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {rule}"
        for path in templates()
        for line, rule in offences(path.read_text(), TEMPLATE_RULES)
    ]
    assert list(templates()), "no templates found"
    assert found == []


def test_no_module_but_the_filters_formats_a_number_by_hand():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {rule}"
        for path in modules()
        for line, rule in offences(path.read_text(), PYTHON_RULES)
    ]
    assert found == []
