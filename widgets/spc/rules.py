"""The four detection rules of a process behaviour chart, as the NHS "Making Data
Count" guidance applies Wheeler's XmR chart. Each finds *detections* in one
period's values against that period's limits:

- OUTSIDE: a point above the upper or below the lower process limit (points in
  a row beyond the same limit make one detection);
- RUN: RUN_LENGTH (7) or more points in a row on the same side of the centre line
  (a point exactly on the centre line ends a run);
- TREND: TREND_LENGTH (7) or more points in a row, each higher than the one
  before (rising) or each lower (falling); an equal point ends a trend;
- TWO_OF_THREE: two (or three) out of three points in a row beyond two sigma on
  the same side of the centre line; the points beyond two sigma are marked
  (windows that overlap make one detection).

A detection is (rule, side, indices): side "high" (above the centre line, or
rising) or "low"; indices are positions in the period's values, oldest first.
"""

import itertools
from dataclasses import dataclass

OUTSIDE = "outside"
TWO_OF_THREE = "two-of-three"
RUN = "run"
TREND = "trend"
RULES = (OUTSIDE, TWO_OF_THREE, RUN, TREND)  # strongest first: a point's rule when several
RUN_LENGTH = 7
TREND_LENGTH = 7

HIGH = "high"
LOW = "low"


@dataclass(frozen=True)
class Detection:
    rule: str
    side: str
    indices: tuple


def detect(values, limits):
    """Every detection in one period's values (Decimals, oldest first), strongest rule first."""
    if limits is None:
        return []
    return [
        *_outside(values, limits),
        *_two_of_three(values, limits),
        *_runs(values, limits.centre),
        *_trends(values),
    ]


def _outside(values, limits):
    """Points outside the limits; points in a row outside on the same side make one."""
    sides = [HIGH if v > limits.upper else LOW if v < limits.lower else None for v in values]
    for side, indices in _stretches(sides, 1):
        yield Detection(OUTSIDE, side, indices)


def _stretches(keys, minimum):
    """(key, indices) of each stretch of equal, non-None keys at least `minimum` long."""
    index = 0
    for key, group in itertools.groupby(keys):
        length = len(list(group))
        if key is not None and length >= minimum:
            yield key, tuple(range(index, index + length))
        index += length


def _runs(values, centre):
    sides = [HIGH if v > centre else LOW if v < centre else None for v in values]
    for side, indices in _stretches(sides, RUN_LENGTH):
        yield Detection(RUN, side, indices)


def _trends(values):
    # steps[i] is the move from point i to point i + 1; TREND_LENGTH points make
    # TREND_LENGTH - 1 moves the same way.
    steps = [HIGH if b > a else LOW if b < a else None for a, b in itertools.pairwise(values)]
    for side, moves in _stretches(steps, TREND_LENGTH - 1):
        yield Detection(TREND, side, (*moves, moves[-1] + 1))


def _two_of_three(values, limits):
    for side, beyond in (
        (HIGH, [v > limits.upper_two_sigma for v in values]),
        (LOW, [v < limits.lower_two_sigma for v in values]),
    ):
        marked = set()
        for start in range(len(values) - 2):
            window = range(start, start + 3)
            if sum(beyond[i] for i in window) >= 2:
                marked.update(i for i in window if beyond[i])
        group = []
        for index in sorted(marked):
            if group and index - group[-1] > 2:  # not in a window with the group's last point
                yield Detection(TWO_OF_THREE, side, tuple(group))
                group = []
            group.append(index)
        if group:
            yield Detection(TWO_OF_THREE, side, tuple(group))
