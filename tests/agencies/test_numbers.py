"""The one set of number filters every page uses (agencies/templatetags/numbers.py)."""

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from agencies.templatetags import numbers as n

UNKNOWN = str(n.UNKNOWN)
NA = str(n.NOT_APPLICABLE)


class _NotApplicable:
    """Stands in for widgets.measures.NOT_APPLICABLE: not a number, printed "n/a"."""

    def __str__(self):
        return "n/a"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (2109757, "2,109,757"),
        (-35, "-35"),
        (D("1000"), "1,000"),
        (D("12.5"), "12.5"),  # a count is whole; a fraction is shown, not cut off
    ],
)
def test_whole_numbers_have_thousands_separators(value, shown):
    assert n.whole(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("99600.00"), "$99,600"),
        (D("12.50"), "$12.50"),
        (D("12.5"), "$12.50"),
        (0, "$0"),
        (D("0.004"), "$0"),  # rounds to no cents
        (D("0.005"), "$0.01"),
        (D("1234567.89"), "$1,234,567.89"),
        (D("-35"), "-$35"),
        (D("-35.5"), "-$35.50"),
    ],
)
def test_money_has_cents_only_where_they_matter(value, shown):
    assert n.money(value) == shown


def test_a_unit_cost_always_has_its_cents():
    assert n.money(D("5700"), "cents") == "$5,700.00"
    assert n.money(D("5762.5"), "cents") == "$5,762.50"


@pytest.mark.parametrize(
    ("value", "scale", "shown"),
    [
        (D("0.029"), 1, "2.9%"),
        (D("0.051"), 1, "5.1%"),
        (0, 1, "0.0%"),
        (1, 1, "100.0%"),
        (D("0.99999"), 1, "100.0%"),
        (D("-0.05"), 1, "-5.0%"),
        (12, 1, "1,200.0%"),
        (D("95.00"), 100, "95.0%"),
        (D("92.5"), 100, "92.5%"),
    ],
)
def test_one_percentage_format_one_decimal(value, scale, shown):
    assert n.percent(value, scale) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (D("1.0"), "1 day"),
        (D("1.04"), "1 day"),  # one day, once rounded as shown
        (2, "2 days"),
        (D("1.5"), "1.5 days"),
        (D("107.63"), "107.6 days"),
        (1500, "1,500 days"),
        (-1, "-1 days"),
    ],
)
def test_days_have_the_plural_they_need(value, shown):
    assert n.days(value) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (D("95.70"), "%", "95.7%"),
        (D("671"), "sites", "671 sites"),
        (D("1"), "days", "1 day"),
        (D("30"), "days", "30 days"),
        (D("1234.25"), "tonnes", "1,234.25 tonnes"),
        (D("1200"), "$", "$1,200"),
        (D("0.333333"), "", "0.33"),
    ],
)
def test_a_measured_value_with_its_unit(value, unit, shown):
    assert n.quantity(value, unit) == shown


def test_number_drops_trailing_zeros_and_groups():
    assert n.number(D("95.70")) == "95.7"
    assert n.number(D("600")) == "600"
    assert n.number(D("123456.789")) == "123,456.79"
    assert n.number(D("-0.001")) == "0"
    assert n.number(D("3.14159"), 1) == "3.1"


@pytest.mark.parametrize("shape", [n.whole, n.money, n.percent, n.days, n.number, n.quantity])
def test_unknown_is_a_dash_with_the_word_for_screen_readers_in_every_format(shape):
    assert shape(None) == UNKNOWN
    assert shape("") == UNKNOWN
    assert "unknown" in UNKNOWN and "—" in UNKNOWN


@pytest.mark.parametrize("shape", [n.whole, n.money, n.percent, n.days, n.number, n.quantity])
def test_not_applicable_is_n_a_in_every_format(shape):
    assert shape(_NotApplicable()) == NA
    assert "n/a" in NA and "not applicable" in NA


@pytest.mark.parametrize(
    ("latest", "previous", "better", "arrow", "word", "moved"),
    [
        # A number that rose is "↗" whatever the measure; better or worse is its direction's.
        (671, 650, "down", "↗", "Worse", "rose"),
        (671, 650, "up", "↗", "Better", "rose"),
        (30, 32, "down", "↘", "Better", "fell"),
        (30, 32, "up", "↘", "Worse", "fell"),
        (30, 32, None, "↘", "Down", "fell"),
        (D("-1"), D("-3"), "down", "↗", "Worse", "rose"),
    ],
)
def test_a_change_shows_the_real_direction_and_judges_by_the_better_one(
    latest, previous, better, arrow, word, moved
):
    html = str(n.change(latest, previous, better))
    assert f'<span aria-hidden="true">{arrow} </span>{word}' in html
    assert f'<span class="usa-sr-only"> (it {moved})</span>' in html  # not by the arrow alone


def test_no_change_and_unknown_change():
    assert "No change" in str(n.change(D("30.0"), 30, "up"))
    assert n.change(None, 30, "up") == n.UNKNOWN
    assert n.change(30, None, "up") == n.UNKNOWN
    assert n.movement(30, 32, "sideways") == ("down", None)


def test_field_reads_a_dict_key_or_an_attribute_and_none_for_nothing():
    class Flow:
        delivered = 12

    assert n.field({"current": 1}, "current") == 1
    assert n.field(Flow(), "delivered") == 12
    assert n.field(Flow(), "missing") is None
    assert n.field(None, "delivered") is None


def test_the_filters_in_a_template_with_localisation():
    html = Template(
        "{% load numbers %}{{ a|whole }} {{ b|money }} {{ c|percent }} within {{ d|days }}"
        " {{ e|percent:100 }} {% change 5 4 'down' %}"
    ).render(Context({"a": 2109757, "b": D("99600.00"), "c": D("0.029"), "d": 1, "e": 95}))
    assert html.startswith("2,109,757 $99,600 2.9% within 1 day 95.0% ")
    assert "Worse" in html


def test_exact_keeps_every_digit_and_groups():
    assert n.exact(D("15400.00")) == "15,400"
    assert n.exact(D("0.123456")) == "0.123456"
    assert n.exact(1000000) == "1,000,000"
    assert n.exact(D("0.000")) == "0"
    assert n.exact(None) == n.UNKNOWN


def test_separators_are_the_active_languages():
    with translation.override("de"):
        assert n.whole(2109757) == "2.109.757"
        assert n.percent(D("0.051")) == "5,1%"
        assert n.money(D("12.5")) == "$12,50"
    assert n.whole(2109757) == "2,109,757"


# --- the grouping itself: Python's, checked against Django's numberformat -----------------

from django.utils import numberformat  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.as_tuple().exponent) + len(d.as_tuple().digits) < 260
)


def _django(value, places, language):
    with translation.override(language):
        from django.utils.formats import get_format

        separators = [
            get_format(name, language, use_l10n=True)
            for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        ]
        return numberformat.format(
            value, separators[0], places, separators[1], separators[2],
            force_grouping=True, use_l10n=True,
        )  # fmt: skip


def _ours(value, places, language):
    with translation.override(language):
        return n._grouped(value, places)


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(st.integers(-(10**30), 10**30), _DECIMALS),
    places=st.one_of(st.none(), st.integers(0, 4)),
    language=st.sampled_from(["en", "es"]),
)
def test_numbers_are_grouped_exactly_as_djangos_numberformat_groups_them(value, places, language):
    """_grouped writes most numbers with Python's own grouping (fast); whatever it is
    given, it must write what Django's numberformat writes, in English and Spanish."""
    assert _ours(value, places, language) == _django(value, places, language)


@pytest.mark.parametrize(
    ("value", "places", "en", "es"),
    [
        (1234567, None, "1,234,567", "1\xa0234\xa0567"),
        (D("1234.50"), 2, "1,234.50", "1\xa0234,50"),
        (D("-0.00"), 2, "0.00", "0,00"),  # Django zeroes what no place shows
        (D("1E+3"), None, "1,000", "1\xa0000"),
        (D("5700.0"), 2, "5,700.00", "5\xa0700,00"),  # padded to the places asked
        (D("12.345"), 2, "12.34", "12,34"),  # cut, as Django cuts
    ],
)
def test_grouped_examples(value, places, en, es):
    """Spanish groups with a no-break space and marks decimals with a comma."""
    assert (_ours(value, places, "en"), _ours(value, places, "es")) == (en, es)


# --- Formats: one language's formats, taken once by a loop ---------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("name", "value", "args"),
    [
        ("whole", 2109757, ()),
        ("whole", D("1234.5"), ()),
        ("number", D("1234.567"), ()),
        ("number", D("0.25"), (1,)),
        ("money", D("99600"), ()),
        ("money", D("5762.5"), ("cents",)),
        ("percent", D("0.9345"), ()),
        ("percent", 95, (100,)),
        ("days", 1, ()),
        ("days", D("1.5"), ()),
        ("days", 12, ()),
        ("days", None, ()),
    ],
)
def test_a_loops_formats_write_what_each_number_alone_writes(language, name, value, args):
    """`formats=active_formats()` (what the dashboard's tables pass for each cell) gives
    the same text as the filter asking for the active language itself."""
    formatter = getattr(n, name)
    with translation.override(language):
        alone = formatter(value, *args)
        assert formatter(value, *args, formats=n.active_formats()) == alone


def test_active_formats_are_the_active_languages():
    with translation.override("es"):
        spanish = n.active_formats()
    with translation.override("en"):
        english = n.active_formats()
    assert (english.decimal, english.thousands) == (".", ",")
    assert spanish.decimal == "," and spanish is not english
    with translation.override("es"):
        assert n.active_formats() is spanish  # read once per language
        assert n.days(2) == spanish.days_words(2) % {"days": "2"}


# Past the default decimal context's 28 digits: quantizing 10**30 to tenths raised
# InvalidOperation (a 500 on the widget edit page, where the coach words a standard
# of days the database refuses), and normalize() or a product by 100 rounded away the
# digits past the 28th. Every digit is kept, as for any other number.
HUGE = 10**30 + 7  # 31 digits


@pytest.mark.parametrize(
    ("name", "value", "args", "shown"),
    [
        ("number", HUGE, (), "1,000,000,000,000,000,000,000,000,000,007"),
        ("number", D(f"{HUGE}.25"), (1,), "1,000,000,000,000,000,000,000,000,000,007.3"),
        ("days", HUGE, (), "1,000,000,000,000,000,000,000,000,000,007 days"),
        ("money", D(f"{HUGE}.5"), (), "$1,000,000,000,000,000,000,000,000,000,007.50"),
        ("percent", HUGE, (100,), "1,000,000,000,000,000,000,000,000,000,007.0%"),
        ("percent", HUGE, (), "100,000,000,000,000,000,000,000,000,000,700.0%"),
        ("exact", D(f"{HUGE}.125"), (), "1,000,000,000,000,000,000,000,000,000,007.125"),
        ("whole", HUGE, (), "1,000,000,000,000,000,000,000,000,000,007"),
        ("number", -HUGE, (), "-1,000,000,000,000,000,000,000,000,000,007"),
    ],
)
def test_numbers_past_28_digits_keep_every_digit(name, value, args, shown):
    assert str(getattr(n, name)(value, *args)) == shown
