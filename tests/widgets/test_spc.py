"""Process behaviour charts by the book (widgets.spc), as worked examples.

Every example starts from the same stable baseline of 12 monthly points that
alternate 10, 12, 10, 12, ...: centre line 11, every moving range 2, so mR-bar 2,
natural process limits 11 +/- 2.66 x 2 = 5.68 to 16.32, one sigma 2 / 1.128 =
1.773, two sigma lines 7.454 and 14.546. What follows the baseline is the example:
a shift, a trend, an outlier, two of three near a limit.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from widgets import spc

BASELINE = [10, 12] * 6


def months(n, start=dt.date(2024, 1, 1)):
    return [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(n)
    ]


def chart(values, **kwargs):
    return spc.analyse(months(len(values)), values, **kwargs)


def found(analysis):
    return [(s.rule, s.side, s.indices) for s in analysis.signals]


# --- limits ---------------------------------------------------------------------------


def test_limits_come_from_the_baseline_and_stay_fixed_after_it():
    analysis = chart([*BASELINE, 9, 9, 9, 9, 9, 9, 9])
    limits = analysis.limits
    assert limits.centre == D("11")  # the 12 baseline points only, not the 9s after them
    assert limits.average_moving_range == D("2")
    assert limits.upper == D("16.32")
    assert limits.lower == D("5.68")
    assert limits.trial is False
    assert limits.baseline_points == 12


def test_a_stable_baseline_is_routine_variation():
    analysis = chart(BASELINE)
    assert analysis.signals == []
    assert analysis.variation.kind == "common-cause"


def test_fewer_than_twelve_points_give_trial_limits_from_all_of_them():
    eleven = chart(BASELINE[:11])  # 10, 12, ..., 10: centre 120 / 11
    assert eleven.limits.trial is True
    assert round(eleven.limits.centre, 4) == D("10.9091")
    assert chart(BASELINE).limits.trial is False  # twelve: limits of record


def test_limits_need_six_points():
    assert chart([10, 12, 10, 12, 10]).limits is None
    assert chart([10, 12, 10, 12, 10, 12]).limits is not None
    assert chart([10, 12, 10, 12, 10]).variation.kind == "no-judgement"


def test_one_sigma_is_the_average_moving_range_over_d2():
    limits = chart(BASELINE).limits
    assert limits.sigma == D(2) / D("1.128")
    assert limits.upper_two_sigma == D(11) + 2 * D(2) / D("1.128")
    assert limits.lower_two_sigma == D(11) - 2 * D(2) / D("1.128")


def test_a_series_of_no_points_has_no_periods_limits_or_signals():
    analysis = spc.analyse([], [], direction="up", target=D(11))
    assert analysis.periods == []
    assert analysis.limits is None
    assert analysis.signals == []
    assert analysis.latest_signal is None
    assert not analysis.concerning and not analysis.improving
    assert analysis.variation.kind == "no-judgement"
    assert analysis.assurance is None


def test_an_analysis_keeps_the_series_it_judged_with_its_values_as_decimals():
    dates = months(6)
    analysis = spc.analyse(iter(dates), [10, "12", 10.5, D(12), 10, 12])
    assert analysis.dates == dates
    assert analysis.values == [D(10), D(12), D("10.5"), D(12), D(10), D(12)]
    assert all(isinstance(v, D) for v in analysis.values)


def test_a_series_needs_one_date_per_value():
    with pytest.raises(ValueError, match=r"^One date per value\.$"):
        spc.analyse(months(3), [10, 12])


# --- the four rules --------------------------------------------------------------------


def test_an_outlier_below_the_lower_limit_is_a_signal():
    analysis = chart([*BASELINE, 5])
    assert found(analysis) == [("outside", "low", (12,))]
    assert analysis.signals[0].describe == "below the lower process limit"


def test_a_point_above_the_upper_limit_is_a_signal():
    assert found(chart([*BASELINE, 17])) == [("outside", "high", (12,))]


def test_a_point_exactly_on_a_process_limit_is_inside_it():
    assert chart([*BASELINE, D("16.32")]).signals == []
    assert chart([*BASELINE, D("5.68")]).signals == []


def test_points_in_a_row_beyond_one_limit_are_one_signal():
    analysis = chart([*BASELINE, 17, 18, 11, 17])
    assert [s for s in found(analysis) if s[0] == "outside"] == [
        ("outside", "high", (12, 13)),
        ("outside", "high", (15,)),
    ]
    assert analysis.signals[0].describe == "2 points in a row above the upper process limit"


def test_points_in_a_row_below_the_lower_limit_are_one_signal():
    analysis = chart([*BASELINE, 5, 4])
    assert [s for s in found(analysis) if s[0] == "outside"] == [("outside", "low", (12, 13))]
    assert analysis.signals[0].describe == "2 points in a row below the lower process limit"


def test_a_shift_of_seven_points_below_the_centre_line_is_a_run():
    # 9 is inside the limits and inside two sigma: the run is the only signal.
    analysis = chart([*BASELINE, 9, 9, 9, 9, 9, 9, 9], direction="up")
    assert found(analysis) == [("run", "low", tuple(range(12, 19)))]
    run = analysis.signals[0]
    assert run.text == (
        "1 Jan 2025 to 1 Jul 2025: a run of 7 points below the centre line (concerning)"
    )


def test_six_points_on_one_side_are_not_a_run():
    assert chart([*BASELINE, 9, 9, 9, 9, 9, 9]).signals == []


def test_a_run_above_the_centre_line_is_high_and_counts_every_point_of_it():
    # The baseline's last point (12) is above the centre line too: a run of 8.
    assert found(chart([*BASELINE, 13, 13, 13, 13, 13, 13, 13])) == [
        ("run", "high", tuple(range(11, 19)))
    ]


def test_a_point_on_the_centre_line_ends_a_run():
    assert chart([*BASELINE, 9, 9, 9, 11, 9, 9, 9]).signals == []


def test_a_point_on_the_centre_line_ends_a_run_above_it_too():
    # Without the 11 the baseline's last 12 and the 13s would be a run of eight.
    assert chart([*BASELINE, 13, 13, 13, 11, 13, 13, 13]).signals == []


def test_seven_points_rising_in_a_row_are_a_trend():
    # From 12 down to 8, then 8, 9, ..., 14: seven points each higher than the one before,
    # all inside two sigma, crossing the centre line (so no run).
    analysis = chart([*BASELINE, 8, 9, 10, 11, 12, 13, 14])
    assert found(analysis) == [("trend", "high", tuple(range(12, 19)))]
    assert analysis.signals[0].describe == "7 points in a row rising"


def test_seven_points_falling_in_a_row_are_a_trend():
    analysis = chart([*BASELINE[:-1], 14, 13, 12, 11, 10, 9, 8])
    assert found(analysis) == [("trend", "low", tuple(range(11, 18)))]
    assert analysis.signals[0].describe == "7 points in a row falling"


def test_six_points_rising_or_an_equal_point_are_not_a_trend():
    assert chart([*BASELINE, 9, 10, 11, 12, 13, 14]).signals == []
    assert chart([*BASELINE, 8, 9, 10, 10, 11, 12, 13]).signals == []


def test_an_equal_point_ends_a_falling_trend():
    # 14 down to 8 is seven moves, but one of them (12 to 12) is no move at all.
    assert chart([*BASELINE[:-1], 14, 13, 12, 12, 11, 10, 9, 8]).signals == []


def test_two_of_three_beyond_two_sigma_on_one_side_are_a_signal():
    # 15 is above the two-sigma line (14.546) but inside the limit (16.32).
    analysis = chart([*BASELINE, 15, 11, 15])
    assert found(analysis) == [("two-of-three", "high", (12, 14))]
    assert analysis.signals[0].describe == (
        "2 points beyond two sigma above the centre line, 2 or more in every 3"
    )


def test_two_of_three_below_the_centre_line():
    analysis = chart([*BASELINE, 7, 7, 11])
    assert found(analysis) == [("two-of-three", "low", (12, 13))]
    assert analysis.signals[0].describe == (
        "2 points beyond two sigma below the centre line, 2 or more in every 3"
    )


def test_one_of_three_or_two_on_opposite_sides_are_not_a_signal():
    assert chart([*BASELINE, 15, 11, 11]).signals == []
    assert chart([*BASELINE, 15, 7, 11]).signals == []


def test_two_points_beyond_two_sigma_with_two_between_them_are_not_a_signal():
    assert chart([*BASELINE, 15, 11, 11, 15]).signals == []


def test_a_point_exactly_on_a_two_sigma_line_is_not_beyond_it():
    # Baseline 10, 11.128, ...: centre 10.564, mR-bar 1.128, so one sigma is exactly 1
    # and the two sigma lines are 12.564 and 8.564.
    baseline = [10, D("11.128")] * 6
    assert chart([*baseline, D("12.564"), 11, D("12.564")]).signals == []
    assert chart([*baseline, D("8.564"), 10, D("8.564")]).signals == []
    assert found(chart([*baseline, D("12.565"), 11, D("12.565")])) == [
        ("two-of-three", "high", (12, 14))
    ]


def test_two_of_three_three_points_apart_are_two_signals():
    # 13 and 16 share no window of three points.
    assert found(chart([*BASELINE, 15, 15, 11, 11, 15, 15])) == [
        ("two-of-three", "high", (12, 13)),
        ("two-of-three", "high", (16, 17)),
    ]


def test_a_point_named_by_several_rules_takes_the_strongest():
    # The last of seven points below the centre line is also below the lower limit.
    analysis = chart([*BASELINE, 9, 9, 9, 9, 9, 9, 5])
    assert analysis.point_signals[-1].rule == "outside"
    assert analysis.point_signals[12].rule == "run"
    assert found(analysis) == [  # in the order of their first points
        ("run", "low", tuple(range(12, 19))),
        ("outside", "low", (18,)),
    ]


# --- signals in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "direction", "text"),
    [
        (5, "up", "1 Jan 2025: below the lower process limit (concerning)"),
        (17, "up", "1 Jan 2025: above the upper process limit (improving)"),
        (17, None, "1 Jan 2025: above the upper process limit (special cause)"),
    ],
)
def test_a_signal_of_one_point_is_named_by_its_date_and_judged(last, direction, text):
    (signal,) = chart([*BASELINE, last], direction=direction).signals
    assert signal.when == "1 Jan 2025"
    assert signal.text == text


def test_a_signal_without_dates_is_its_rule_alone():
    signal = spc.Signal(
        rule=spc.OUTSIDE, side=spc.LOW, indices=(0,), start=None, end=None, judgement="neutral"
    )
    assert signal.when == ""
    assert signal.text == "below the lower process limit"


# --- step changes ----------------------------------------------------------------------


def test_a_step_change_restarts_the_limits_at_its_first_point():
    values = [*BASELINE, 20, 22, 20, 22, 20, 22, 20, 22]
    dates = months(len(values))
    before = spc.analyse(dates, values)
    assert {"outside", "run"} <= {s.rule for s in before.signals}  # judged on the old limits

    after = spc.analyse(dates, values, steps=[(dates[12], "New filter installed")])
    assert [(p.start, p.end) for p in after.periods] == [(0, 12), (12, 20)]
    assert after.periods[0].limits.centre == D("11")  # the chart shows both
    new = after.periods[1]
    assert new.limits.centre == D("21")
    assert new.limits.trial is True  # 8 points since the step
    assert new.reason == "New filter installed"
    assert after.signals == []
    assert after.variation.kind == "common-cause"


def test_a_step_between_measurements_starts_at_the_next_point_and_one_at_the_start_is_ignored():
    values = [*BASELINE, 20, 22, 20, 22, 20, 22]
    dates = months(len(values))
    later = spc.analyse(dates, values, steps=[(dates[11] + dt.timedelta(days=3), "Change")])
    assert [(p.start, p.end) for p in later.periods] == [(0, 12), (12, 18)]
    first = spc.analyse(dates, values, steps=[(dates[0], "Too early")])
    assert len(first.periods) == 1
    assert first.periods[0].reason == ""


def test_rules_do_not_run_across_a_step_change():
    # Ten points below the old centre line (10.33): five before the step (a 10 and
    # four 9s) and five after it: no run of seven within one period.
    values = [*BASELINE[:8], 9, 9, 9, 9, 9, 9, 9, 9, 10, 9]
    dates = months(len(values))
    steps = [(dates[12], "Reorganised")]
    assert spc.analyse(dates, values).signals != []
    assert spc.analyse(dates, values, steps=steps).signals == []


def test_a_step_after_the_last_point_starts_nothing_and_two_on_one_point_start_one_period():
    values = [*BASELINE, 20, 22, 20, 22, 20, 22]
    dates = months(len(values))
    after_the_end = spc.analyse(dates, values, steps=[(dates[-1] + dt.timedelta(days=1), "Late")])
    assert [(p.start, p.end) for p in after_the_end.periods] == [(0, 18)]
    both = spc.analyse(
        dates,
        values,
        steps=[(dates[12], "Second"), (dates[11] + dt.timedelta(days=3), "First")],
    )
    assert [(p.start, p.end, p.reason) for p in both.periods] == [
        (0, 12, ""),
        (12, 18, "First"),  # the earlier step's reason
    ]


def test_each_point_belongs_to_the_period_it_falls_in():
    values = [*BASELINE, 20, 22, 20, 22, 20, 22]
    dates = months(len(values))
    analysis = spc.analyse(dates, values, steps=[(dates[12], "Change")])
    first, second = analysis.periods
    assert analysis.period_of(0) is first
    assert analysis.period_of(11) is first
    assert analysis.period_of(12) is second
    assert analysis.period_of(17) is second


# --- the variation mark ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "direction", "kind", "symbol"),
    [
        (17, "up", "improving-high", "H"),
        (17, "down", "concerning-high", "H"),
        (5, "down", "improving-low", "L"),
        (5, "up", "concerning-low", "L"),
        (17, None, "neutral-high", "H"),
        (5, None, "neutral-low", "L"),
    ],
)
def test_the_variation_mark_follows_the_latest_signal_and_the_better_direction(
    last, direction, kind, symbol
):
    mark = chart([*BASELINE, last], direction=direction).variation
    assert (mark.kind, mark.symbol) == (kind, symbol)
    assert mark.label.startswith("Special cause: ")


def test_an_earlier_signal_leaves_the_latest_point_common_cause():
    analysis = chart([*BASELINE, 17, 11], direction="up")
    assert len(analysis.signals) == 1
    assert analysis.variation.kind == "common-cause"
    assert not analysis.concerning and not analysis.improving


def test_only_a_concerning_latest_signal_is_concerning():
    assert chart([*BASELINE, 5], direction="up").concerning
    assert not chart([*BASELINE, 5], direction="down").concerning
    assert chart([*BASELINE, 5], direction="down").improving


SIGNAL = "Special cause variation: the latest point is part of a signal"


@pytest.mark.parametrize(
    ("values", "direction", "mark"),
    [
        (
            BASELINE[:5],
            "up",
            spc.Mark(
                "no-judgement",
                "Not enough data",
                "Fewer than 6 points since the limits last started: too few to tell a signal "
                "from routine variation.",
                "?",
                "none",
            ),
        ),
        (
            BASELINE,
            "up",
            spc.Mark(
                "common-cause",
                "Common cause variation",
                "Only routine variation: the latest point is part of no signal, so do not "
                "react to its rise or fall alone.",
                "~",
                "common",
            ),
        ),
        (
            [*BASELINE, 17],
            "up",
            spc.Mark(
                "improving-high",
                "Special cause: improving, high",
                f"{SIGNAL} above the centre line, the better direction: something has changed "
                "for the better; find out what, and keep it.",
                "H",
                "improving",
            ),
        ),
        (
            [*BASELINE, 9, 9, 9, 9, 9, 9, 9],
            "up",
            spc.Mark(
                "concerning-low",
                "Special cause: concerning, low",
                f"{SIGNAL} below the centre line, the worse direction: something has changed "
                "for the worse; find out why.",
                "L",
                "concerning",
            ),
        ),
        (
            [*BASELINE, 8, 9, 10, 11, 12, 13, 14],
            None,
            spc.Mark(
                "neutral-high",
                "Special cause: neutral, high",
                f"{SIGNAL} rising; this measure has no better direction, so find out what changed.",
                "H",
                "neutral",
            ),
        ),
        (
            [*BASELINE[:-1], 14, 13, 12, 11, 10, 9, 8],
            "up",
            spc.Mark(
                "concerning-low",
                "Special cause: concerning, low",
                f"{SIGNAL} falling, the worse direction: something has changed for the "
                "worse; find out why.",
                "L",
                "concerning",
            ),
        ),
    ],
)
def test_the_variation_mark_says_what_it_means_in_words(values, direction, mark):
    assert chart(values, direction=direction).variation == mark


# --- the assurance mark ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "kind"),
    [
        ("up", 5, "meet"),  # the lower limit, 5.68, is above the target
        ("up", "5.68", "meet"),  # on the target is meeting it
        ("up", 17, "miss"),  # the upper limit, 16.32, is below it
        ("up", "16.32", "hit-and-miss"),  # the upper limit just meets it
        ("up", 11, "hit-and-miss"),
        ("down", 17, "meet"),
        ("down", "16.32", "meet"),
        ("down", 5, "miss"),
        ("down", 11, "hit-and-miss"),
    ],
)
def test_the_assurance_mark_compares_the_limits_with_the_target(direction, target, kind):
    assert chart(BASELINE, direction=direction, target=D(str(target))).assurance.kind == kind


def test_no_assurance_without_a_target_a_direction_or_limits():
    assert chart(BASELINE, direction="up").assurance is None
    assert chart(BASELINE, direction=None, target=D(11)).assurance is None
    assert chart(BASELINE[:5], direction="up", target=D(11)).assurance is None


@pytest.mark.parametrize(
    ("direction", "target", "mark"),
    [
        (
            "down",
            "1000",
            spc.Mark(
                "meet",
                "Will consistently meet the target",
                "Both process limits are on the better side of the target (1,000): as it "
                "runs now, the process will meet it every period.",
                "P",
                "improving",
            ),
        ),
        (
            "up",
            "1234.567",
            spc.Mark(
                "miss",
                "Will consistently miss the target",
                "Both process limits are on the worse side of the target (1,234.57): as it "
                "runs now, the process will miss it every period; only a change to the "
                "process will meet it.",
                "F",
                "concerning",
            ),
        ),
        (
            "up",
            "10.50",
            spc.Mark(
                "hit-and-miss",
                "Hit and miss",
                "The target (10.5) lies between the process limits: as it runs now, the "
                "process will meet it in some periods and miss it in others, by chance alone.",
                "?",
                "common",
            ),
        ),
    ],
)
def test_the_assurance_mark_says_what_it_means_with_the_target_in_figures(direction, target, mark):
    assert chart(BASELINE, direction=direction, target=D(target)).assurance == mark


def test_an_analysis_keeps_the_better_direction_it_was_judged_by():
    assert chart(BASELINE, direction="down").direction == "down"
    assert chart(BASELINE).direction is None


def test_every_mark_has_a_shape_words_and_a_sentence():
    for analysis in (
        chart(BASELINE, direction="up", target=D(5)),
        chart([*BASELINE, 17], direction="down", target=D(20)),
    ):
        for mark in (analysis.variation, analysis.assurance):
            assert mark.symbol and mark.label and mark.sentence.endswith(".")
