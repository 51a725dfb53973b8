"""Natural process limits and signals for a run chart (an XmR chart, as in
Wheeler, "Understanding Variation"). Pure arithmetic, no database.

- mean of the points;
- moving ranges |x[i] - x[i-1]| and their average, mR-bar;
- natural process limits: mean +/- 2.66 x mR-bar (2.66 = 3 / d2, d2 = 1.128
  for ranges of two points).

A signal, something other than routine variation worth asking about, is:

- a point outside the limits (rule "outside"), or
- a run of RUN_LENGTH (8) or more points in a row on one side of the mean
  (rule "run"; a point exactly on the mean ends a run). Every point of the
  run is marked.

Limits need MIN_POINTS (6) points; with fewer the chart shows the series and
the target line only, and no signals.
"""

import itertools
from dataclasses import dataclass
from decimal import Decimal

SCALING = Decimal("2.66")
RUN_LENGTH = 8
MIN_POINTS = 6


@dataclass(frozen=True)
class Limits:
    mean: Decimal
    average_moving_range: Decimal
    upper: Decimal
    lower: Decimal


@dataclass(frozen=True)
class Signal:
    index: int
    rule: str  # "outside" or "run"
    text: str


def _decimals(values):
    return [v if isinstance(v, Decimal) else Decimal(str(v)) for v in values]


def process_limits(values):
    """Limits of a series (oldest first), or None with fewer than MIN_POINTS points."""
    values = _decimals(values)
    if len(values) < MIN_POINTS:
        return None
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    average_range = sum(ranges) / len(ranges)
    spread = SCALING * average_range
    return Limits(
        mean=mean, average_moving_range=average_range, upper=mean + spread, lower=mean - spread
    )


def signals(values, limits):
    """Signals in a series, one per point (a point outside the limits wins over a run)."""
    if limits is None:
        return []
    values = _decimals(values)
    found = {}
    for index, value in enumerate(values):
        if value > limits.upper:
            found[index] = Signal(index, "outside", "above the upper process limit")
        elif value < limits.lower:
            found[index] = Signal(index, "outside", "below the lower process limit")
    for start, end, side in _runs(values, limits.mean):
        for index in range(start, end):
            found.setdefault(
                index,
                Signal(index, "run", f"part of a run of {end - start} points {side} the mean"),
            )
    return [found[i] for i in sorted(found)]


def _runs(values, mean):
    """(start, end, side) of each run of RUN_LENGTH+ points on one side of the mean."""
    runs, start, side = [], 0, None
    for index, value in enumerate([*values, mean]):  # the sentinel closes the last run
        current = "above" if value > mean else "below" if value < mean else None
        if current != side or current is None:
            if side is not None and index - start >= RUN_LENGTH:
                runs.append((start, index, side))
            start, side = index, current
    return runs
