"""Natural process limits and signals against worked examples (outcomes.spc)."""

from decimal import Decimal as D

from outcomes import spc


def test_limits_of_a_worked_example():
    # 10 points; moving ranges 2,1,3,2,1,1,2,4,2 -> sum 18, average 2.
    values = [10, 12, 11, 14, 12, 13, 12, 10, 14, 12]
    limits = spc.process_limits(values)
    assert limits.mean == D("12")  # 120 / 10
    assert limits.average_moving_range == D("2")  # 18 / 9
    assert limits.upper == D("17.32")  # 12 + 2.66 x 2
    assert limits.lower == D("6.68")
    assert spc.signals(values, limits) == []  # routine variation only


def test_a_point_outside_the_limits_is_a_signal():
    values = [10, 12, 11, 14, 12, 13, 12, 10, 14, 30]
    # mean 13.8; moving ranges 2,1,3,2,1,1,2,4,16 -> 32/9 = 3.555..; upper = 13.8 + 9.4577 = 23.26
    limits = spc.process_limits(values)
    assert round(limits.upper, 2) == D("23.26")
    found = spc.signals(values, limits)
    assert [(s.index, s.rule) for s in found] == [(9, "outside")]
    assert found[0].text == "above the upper process limit"


def test_a_run_of_eight_on_one_side_of_the_mean_is_a_signal():
    # 112 / 14: mean 8 (the two 8s sit on it); moving ranges sum to 24, average
    # 24/13, limits 8 +/- 4.91. The last eight points are above the mean, inside the limits.
    values = [4, 8, 5, 7, 4, 8, 9, 10, 9, 10, 9, 10, 9, 10]
    limits = spc.process_limits(values)
    assert limits.mean == D("8")
    assert round(limits.upper, 2) == D("12.91")
    found = spc.signals(values, limits)
    assert [s.index for s in found] == list(range(6, 14))
    assert {s.rule for s in found} == {"run"}
    assert found[0].text == "part of a run of 8 points above the mean"


def test_seven_in_a_row_is_not_a_run_and_a_point_on_the_mean_breaks_one():
    values = [2, 2, 2, 2, 2, 2, 2, 5, 8, 8, 8, 8, 8, 8, 8]
    limits = spc.process_limits(values)
    assert limits.mean == D("5")
    assert [s for s in spc.signals(values, limits) if s.rule == "run"] == []


def test_too_few_points_have_no_limits_and_no_signals():
    assert spc.process_limits([1, 2, 3, 4, 5]) is None
    assert spc.signals([1, 2, 3, 4, 5], None) == []
