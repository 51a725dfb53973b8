"""Status rules on their boundaries, for both directions (outcomes.status)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from outcomes.status import (
    Status,
    outcome_status,
    trajectory_value,
    trend,
    widget_status,
)

# Baseline 100 on 1 Jan 2025, target 200 on 1 Jan 2027 (730 days): halfway on
# 2 Jan 2026 (365 days) the trajectory is 150. Tolerance = 10% of 100 = 10.
UP_LINE = {
    "direction": "up",
    "baseline_value": D("100"),
    "baseline_date": dt.date(2025, 1, 1),
    "target_value": D("200"),
    "target_date": dt.date(2027, 1, 1),
}
HALFWAY = dt.date(2026, 1, 1) + dt.timedelta(days=1)  # 2026-01-02, day 366 of 730
# Down is better: 40 -> 20, trajectory 30 halfway, tolerance 2.
DOWN_LINE = {**UP_LINE, "direction": "down", "baseline_value": D("40"), "target_value": D("20")}


def test_trajectory_is_linear_and_clamped():
    assert trajectory_value(**_line(UP_LINE), on=dt.date(2026, 1, 1)) == D(100) + D(100) * D(
        365
    ) / D(730)
    assert trajectory_value(**_line(UP_LINE), on=dt.date(2024, 6, 1)) == D("100")
    assert trajectory_value(**_line(UP_LINE), on=dt.date(2030, 1, 1)) == D("200")


def _line(line):
    return {k: v for k, v in line.items() if k != "direction"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("150.2", Status.ON_TRACK),  # above the line: better when up is better
        ("150.1369863", Status.ON_TRACK),  # exactly the trajectory (366/730 of the way)
        ("141", Status.AT_RISK),  # 9.14 below
        ("140.1369863", Status.AT_RISK),  # exactly the tolerance below: at risk
        ("140.13", Status.OFF_TRACK),  # just beyond the tolerance
        ("90", Status.OFF_TRACK),
    ],
)
def test_up_is_better_boundaries(value, expected):
    exact = trajectory_value(**_line(UP_LINE), on=HALFWAY)
    if value == "150.1369863":
        value = exact
    elif value == "140.1369863":
        value = exact - D("10")
    assert outcome_status(**UP_LINE, on=HALFWAY, value=D(value)) == expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        ("-0.5", Status.ON_TRACK),  # below the line: better when down is better
        ("0", Status.ON_TRACK),  # exactly on it
        ("1.99", Status.AT_RISK),
        ("2", Status.AT_RISK),  # exactly the tolerance (10% of |20 - 40|)
        ("2.01", Status.OFF_TRACK),
    ],
)
def test_down_is_better_boundaries(offset, expected):
    exact = trajectory_value(**_line(DOWN_LINE), on=HALFWAY)
    assert outcome_status(**DOWN_LINE, on=HALFWAY, value=exact + D(offset)) == expected


def test_no_measurement_is_unknown_not_off_track():
    assert outcome_status(**UP_LINE, on=None, value=None) == Status.UNKNOWN


def test_after_the_target_date_the_target_itself_is_the_line():
    after = dt.date(2027, 6, 1)
    assert outcome_status(**DOWN_LINE, on=after, value=D("20")) == Status.ON_TRACK
    assert outcome_status(**DOWN_LINE, on=after, value=D("22")) == Status.AT_RISK
    assert outcome_status(**DOWN_LINE, on=after, value=D("22.5")) == Status.OFF_TRACK


@pytest.mark.parametrize(
    ("share", "standard", "expected"),
    [
        ("0.90", "90", Status.ON_TRACK),  # exactly the standard
        ("0.95", "90", Status.ON_TRACK),
        ("0.8999", "90", Status.AT_RISK),
        ("0.85", "90", Status.AT_RISK),  # exactly 5 points below
        ("0.8499", "90", Status.OFF_TRACK),
        (None, "90", Status.UNKNOWN),
        # Counts but no standard to judge them by: not "No data" beside its counts.
        ("0.9", None, Status.NO_STANDARD),
        (None, None, Status.NO_STANDARD),
    ],
)
def test_widget_status_against_its_standard_share(share, standard, expected):
    share = None if share is None else D(share)
    standard = None if standard is None else D(standard)
    assert widget_status(on_time_share=share, standard_share=standard) == expected


def test_trend_reads_the_direction():
    assert trend(direction="down", latest=D(30), previous=D(32)) == "better"
    assert trend(direction="up", latest=D(30), previous=D(32)) == "worse"
    assert trend(direction="up", latest=D(30), previous=D(30)) == "no change"
    assert trend(direction="up", latest=D(30), previous=None) is None


def test_every_status_has_a_label_and_a_css_class():
    assert [s.label for s in Status] == [
        "On track",
        "At risk",
        "Off track",
        "No data",
        "No standard",
    ]
    assert Status.OFF_TRACK.css == "status--off-track"
