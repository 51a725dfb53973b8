"""Status of an outcome or a widget: on track, at risk, off track, or unknown.

Pure arithmetic, no database: the dashboards, the review, the scorecard, the
public page and the TV huddle view all ask here, so the rules live in one place
(docs/outcomes.md explains them for people).

Outcomes. The target trajectory runs in a straight line from the baseline
(value, date) to the target (value, date); before the baseline it is the
baseline, after the target date it is the target. The latest measurement is
compared with the trajectory value on its date, in the outcome's direction
("up is better" or "down is better"):

- on track: at the trajectory value or better;
- at risk: worse, but by no more than the tolerance, OUTCOME_TOLERANCE (10%)
  of |target - baseline|;
- off track: worse by more than the tolerance;
- unknown: no measurement yet.

Widgets. The on-time share (within standard / delivered) of the period shown
is compared with the widget's standard share:

- on track: on-time share >= standard share;
- at risk: below it by no more than WIDGET_TOLERANCE_POINTS (5 percentage points);
- off track: further below;
- no standard: the widget has no standard share to be judged against, whatever its
  counts ("No data" beside a row of counts would not be true);
- unknown: nothing delivered with a known on-time count.

Boundaries belong to the better status: exactly on the trajectory is on track,
exactly at the tolerance is at risk.
"""

import datetime as dt
import enum
from decimal import Decimal

from widgets.measures import is_not_applicable

OUTCOME_TOLERANCE = Decimal("0.10")
WIDGET_TOLERANCE_POINTS = Decimal("5")

UP = "up"
DOWN = "down"


class Status(enum.Enum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OFF_TRACK = "off-track"
    UNKNOWN = "unknown"
    NO_STANDARD = "no-standard"  # widgets only

    do_not_call_in_templates = enum.nonmember(True)

    @property
    def label(self):
        return _LABELS[self]

    @property
    def css(self):
        return f"status--{self.value}"


# An outcome's statuses (it has a target, never a standard), in the order the
# scorecard's columns show them.
OF_OUTCOMES = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.UNKNOWN)

# The order a count by status lists them in: what needs attention first (the huddle
# board's tiles left out, a tier's roll-up).
WORST_FIRST = (
    Status.OFF_TRACK,
    Status.AT_RISK,
    Status.ON_TRACK,
    Status.UNKNOWN,
    Status.NO_STANDARD,
)

_LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.UNKNOWN: "No data",
    Status.NO_STANDARD: "No standard",
}


def _decimal(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def trajectory_value(*, baseline_value, baseline_date, target_value, target_date, on):
    """The value the straight line from baseline to target reaches on date `on`."""
    baseline_value, target_value = _decimal(baseline_value), _decimal(target_value)
    if on <= baseline_date:
        return baseline_value
    if on >= target_date:
        return target_value
    elapsed = Decimal((on - baseline_date).days)
    span = Decimal((target_date - baseline_date).days)
    return baseline_value + (target_value - baseline_value) * elapsed / span


def outcome_status(
    *, direction, baseline_value, baseline_date, target_value, target_date, on, value
):
    """Status of an outcome whose latest measurement is `value` on date `on`."""
    if value is None or on is None:
        return Status.UNKNOWN
    expected = trajectory_value(
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        target_value=target_value,
        target_date=target_date,
        on=on,
    )
    value = _decimal(value)
    # Positive: better than the trajectory, in the outcome's direction.
    gap = value - expected if direction == UP else expected - value
    tolerance = OUTCOME_TOLERANCE * abs(_decimal(target_value) - _decimal(baseline_value))
    if gap >= 0:
        return Status.ON_TRACK
    if -gap <= tolerance:
        return Status.AT_RISK
    return Status.OFF_TRACK


def status_of_outcome(outcome, *, on=None, value=None):
    """`outcome_status` for an Outcome, by default on its annotated latest measurement."""
    if on is None and value is None:
        on = getattr(outcome, "latest_date", None)
        value = getattr(outcome, "latest_value", None)
    return outcome_status(
        direction=outcome.direction,
        baseline_value=outcome.baseline_value,
        baseline_date=outcome.baseline_date,
        target_value=outcome.target_value,
        target_date=outcome.target_date,
        on=on,
        value=value,
    )


def widget_status(*, on_time_share, standard_share):
    """`on_time_share` is 0..1 (None when unknown, NOT_APPLICABLE without a
    within-standard count); `standard_share` is 0..100."""
    if standard_share is None:
        return Status.NO_STANDARD
    if on_time_share is None or is_not_applicable(on_time_share):
        return Status.UNKNOWN
    percent = _decimal(on_time_share) * 100
    standard = _decimal(standard_share)
    if percent >= standard:
        return Status.ON_TRACK
    if standard - percent <= WIDGET_TOLERANCE_POINTS:
        return Status.AT_RISK
    return Status.OFF_TRACK


def trend(*, direction, latest, previous):
    """'better', 'worse' or 'no change' from the previous measurement; None if unknown."""
    if latest is None or previous is None:
        return None
    change = _decimal(latest) - _decimal(previous)
    if change == 0:
        return "no change"
    better = change > 0 if direction == UP else change < 0
    return "better" if better else "worse"


def month_end(month):
    """The last day of the month that `month` falls in."""
    first_next = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)
