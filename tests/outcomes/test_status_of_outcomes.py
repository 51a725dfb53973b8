"""An Outcome's status reads the outcome's own direction and latest measurement."""

import datetime as dt
from decimal import Decimal as D

import pytest

from outcomes.models import Direction
from outcomes.status import Status, month_end, outcome_status, status_of_outcome, trend

from .. import factories as f

pytestmark = pytest.mark.django_db

# 100 -> 200 over 2025-2027: on 1 Jan 2027 the line is at the target, 200.
AT_TARGET_DATE = dt.date(2027, 1, 1)


def _outcome(direction):
    return f.OutcomeFactory(
        direction=direction,
        baseline_value=D("100"),
        baseline_date=dt.date(2025, 1, 1),
        target_value=D("200"),
        target_date=AT_TARGET_DATE,
    )


def test_an_up_is_better_outcome_above_its_line_is_on_track_and_below_it_off_track():
    outcome = _outcome(Direction.UP)
    assert status_of_outcome(outcome, on=AT_TARGET_DATE, value=D("210")) == Status.ON_TRACK
    assert status_of_outcome(outcome, on=AT_TARGET_DATE, value=D("150")) == Status.OFF_TRACK


def test_a_down_is_better_outcome_above_its_line_is_off_track():
    outcome = _outcome(Direction.DOWN)
    assert status_of_outcome(outcome, on=AT_TARGET_DATE, value=D("230")) == Status.OFF_TRACK
    assert status_of_outcome(outcome, on=AT_TARGET_DATE, value=D("195")) == Status.ON_TRACK


def test_status_of_an_outcome_defaults_to_its_annotated_latest_measurement():
    outcome = _outcome(Direction.UP)
    outcome.latest_date, outcome.latest_value = AT_TARGET_DATE, D("191")
    assert status_of_outcome(outcome) == Status.AT_RISK
    del outcome.latest_date, outcome.latest_value
    assert status_of_outcome(outcome) == Status.UNKNOWN


def test_a_value_given_without_its_date_is_not_read_with_the_latest_measurements_date():
    outcome = _outcome(Direction.UP)
    outcome.latest_date, outcome.latest_value = AT_TARGET_DATE, D("191")
    assert status_of_outcome(outcome, value=D("250")) == Status.UNKNOWN
    assert status_of_outcome(outcome, on=AT_TARGET_DATE) == Status.UNKNOWN


def test_a_measurement_without_a_date_is_unknown():
    assert (
        outcome_status(
            direction="up",
            baseline_value=100,
            baseline_date=dt.date(2025, 1, 1),
            target_value=200,
            target_date=AT_TARGET_DATE,
            on=None,
            value=150,
        )
        == Status.UNKNOWN
    )


def test_plain_numbers_are_read_exactly_as_decimals():
    # 0.1 as a float is 0.1000000000000000055...: read as the decimal it prints as.
    line = {
        "direction": "up",
        "baseline_value": 0.1,
        "baseline_date": dt.date(2025, 1, 1),
        "target_value": 0.2,
        "target_date": AT_TARGET_DATE,
    }
    assert outcome_status(**line, on=AT_TARGET_DATE, value=0.2) == Status.ON_TRACK


def test_trend_when_down_is_better_and_the_value_rises_is_worse():
    assert trend(direction="down", latest=D(33), previous=D(32)) == "worse"
    assert trend(direction="up", latest=D(33), previous=D(32)) == "better"
    assert trend(direction="up", latest=None, previous=D(32)) is None
    assert trend(direction="down", latest=D("32.5"), previous=D(32)) == "worse"


@pytest.mark.parametrize(
    ("month", "last_day"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2028, 2, 10), dt.date(2028, 2, 29)),
        (dt.date(2026, 4, 30), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ],
)
def test_month_end_is_the_last_day_of_the_month(month, last_day):
    assert month_end(month) == last_day
