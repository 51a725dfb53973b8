"""Process limits of an XmR chart (Wheeler, "Understanding Variation").

- the centre line is the mean of the baseline points;
- the moving ranges are |x[i] - x[i-1]| between consecutive baseline points, and
  mR-bar is their average;
- the natural process limits are centre +/- 2.66 x mR-bar (2.66 = 3 / d2, with
  d2 = 1.128 for ranges of two points), so one sigma is mR-bar / 1.128.

The baseline is the first BASELINE_POINTS (12) points of a period: limits are
computed once from them and stay fixed for the rest of the period, so that later
points are judged against them rather than moving them. A period with fewer than
BASELINE_POINTS points has *trial limits*, computed from all its points, which
move as points are added. A period with fewer than MIN_POINTS (6) points has no
limits at all: too few to tell a signal from noise.

Periods: a step change (recorded with its reason) starts a new period at its
first point; each period has its own baseline and limits.
"""

import itertools
from dataclasses import dataclass
from decimal import Decimal

SCALING = Decimal("2.66")
D2 = Decimal("1.128")
BASELINE_POINTS = 12
MIN_POINTS = 6


@dataclass(frozen=True)
class Limits:
    centre: Decimal
    average_moving_range: Decimal
    upper: Decimal
    lower: Decimal
    trial: bool  # fewer than BASELINE_POINTS points: the limits will still move
    baseline_points: int

    @property
    def sigma(self):
        return self.average_moving_range / D2

    @property
    def upper_two_sigma(self):
        return self.centre + 2 * self.sigma

    @property
    def lower_two_sigma(self):
        return self.centre - 2 * self.sigma


@dataclass(frozen=True)
class Period:
    """Points [start, end) of the series share one set of limits (None: too few points)."""

    start: int
    end: int
    limits: Limits | None
    reason: str = ""  # why this period began (the step change's reason); "" for the first


def decimals(values):
    return [v if isinstance(v, Decimal) else Decimal(str(v)) for v in values]


def process_limits(values, *, baseline=BASELINE_POINTS):
    """Limits of one period's values (oldest first), or None with fewer than MIN_POINTS."""
    values = decimals(values)
    if len(values) < MIN_POINTS:
        return None
    base = values[:baseline]
    centre = sum(base) / len(base)
    ranges = [abs(b - a) for a, b in itertools.pairwise(base)]
    average_range = sum(ranges) / len(ranges)
    spread = SCALING * average_range
    return Limits(
        centre=centre,
        average_moving_range=average_range,
        upper=centre + spread,
        lower=centre - spread,
        trial=len(values) < baseline,
        baseline_points=len(base),
    )


def periods(dates, values, steps=()):
    """Split a series at its step changes: a list of Period, oldest first.

    `steps` are (date, reason) pairs; a step starts a new period at the first point
    on or after its date. A step at or before the first point, or one that falls in
    the same place as another, starts nothing new.
    """
    values = decimals(values)
    starts = {}
    for when, reason in sorted(steps):
        index = next((i for i, d in enumerate(dates) if d >= when), None)
        if index:  # not None, not the first point
            starts.setdefault(index, reason)
    bounds = [0, *sorted(starts), len(values)]
    return [
        Period(start, end, process_limits(values[start:end]), starts.get(start, ""))
        for start, end in itertools.pairwise(bounds)
        if end > start
    ]
