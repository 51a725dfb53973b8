"""Process behaviour charts by the book: Wheeler's XmR chart with the NHS "Making
Data Count" conventions. Pure arithmetic, no database; docs/outcomes.md says the
same in plain words.

- `limits`: baselines, trial limits, periods split by step changes;
- `rules`: the four detection rules;
- `marks`: the variation and assurance marks.

`analyse(dates, values, direction=, steps=, target=)` puts them together for
one series: its periods with their limits, its signals (each named by its dates
and rule, and judged improving, concerning or neutral), what each point is part
of, and the two marks.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import marks, rules
from .limits import BASELINE_POINTS, MIN_POINTS, Limits, Period, decimals, periods, process_limits
from .marks import CONCERNING, IMPROVING, NEUTRAL, Mark
from .rules import HIGH, LOW, OUTSIDE, RUN, RUN_LENGTH, TREND, TREND_LENGTH, TWO_OF_THREE

__all__ = [
    "BASELINE_POINTS",
    "CONCERNING",
    "HIGH",
    "IMPROVING",
    "LOW",
    "MIN_POINTS",
    "NEUTRAL",
    "OUTSIDE",
    "RUN",
    "RUN_LENGTH",
    "TREND",
    "TREND_LENGTH",
    "TWO_OF_THREE",
    "Analysis",
    "Limits",
    "Mark",
    "Period",
    "Signal",
    "analyse",
    "process_limits",
]


@dataclass(frozen=True)
class Signal:
    """One detection, in the series' terms: indices and dates of its points."""

    rule: str
    side: str  # HIGH or LOW
    indices: tuple
    start: dt.date | None
    end: dt.date | None
    judgement: str  # IMPROVING, CONCERNING or NEUTRAL

    @property
    def describe(self):
        """The rule in words, e.g. "a run of 8 points below the centre line"."""
        n = len(self.indices)
        above = "above" if self.side == HIGH else "below"
        if self.rule == OUTSIDE:
            limit = f"{above} the {'upper' if self.side == HIGH else 'lower'} process limit"
            return limit if n == 1 else f"{n} points in a row {limit}"
        if self.rule == RUN:
            return f"a run of {n} points {above} the centre line"
        if self.rule == TREND:
            return f"{n} points in a row {'rising' if self.side == HIGH else 'falling'}"
        return f"{n} points beyond two sigma {above} the centre line, 2 or more in every 3"

    @property
    def when(self):
        if self.start is None:
            return ""
        if self.end == self.start:
            return f"{self.start:%-d %b %Y}"
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"

    @property
    def text(self):
        """The signal in one line: dates, rule and judgement."""
        what = "special cause" if self.judgement == NEUTRAL else self.judgement
        return f"{self.when}: {self.describe} ({what})" if self.when else self.describe


@dataclass
class Analysis:
    dates: list
    values: list
    periods: list  # Period, oldest first
    signals: list  # Signal, in order of their first point
    point_signals: list  # per point: the strongest Signal it is part of, or None
    variation: Mark
    assurance: Mark | None
    direction: str | None = None

    @property
    def limits(self):
        """The latest period's limits (None: too few points since it began)."""
        return self.periods[-1].limits if self.periods else None

    @property
    def latest_signal(self):
        return self.point_signals[-1] if self.point_signals else None

    @property
    def concerning(self):
        """The latest point is part of a concerning signal: it goes on the review agenda."""
        return self.latest_signal is not None and self.latest_signal.judgement == CONCERNING

    @property
    def improving(self):
        return self.latest_signal is not None and self.latest_signal.judgement == IMPROVING

    def period_of(self, index):
        return next(p for p in self.periods if p.start <= index < p.end)


def analyse(dates, values, *, direction=None, steps=(), target=None):
    """The chart of one series (dates and values oldest first).

    direction: "up" or "down" (which way is better), or None for a measure with
    no better direction. steps: (date, reason) of each step change. target: the
    target for the latest point (None: no assurance mark).
    """
    values = decimals(values)
    dates = list(dates)
    if len(dates) != len(values):
        raise ValueError("One date per value.")
    split = periods(dates, values, steps)
    found = []
    for period in split:
        for d in rules.detect(values[period.start : period.end], period.limits):
            indices = tuple(period.start + i for i in d.indices)
            found.append(
                Signal(
                    rule=d.rule,
                    side=d.side,
                    indices=indices,
                    start=dates[indices[0]] if dates else None,
                    end=dates[indices[-1]] if dates else None,
                    judgement=marks.judgement(d.side, direction),
                )
            )
    strength = {rule: rank for rank, rule in enumerate(rules.RULES)}
    point_signals = [None] * len(values)
    for signal in sorted(found, key=lambda s: strength[s.rule], reverse=True):
        for index in signal.indices:
            point_signals[index] = signal  # the strongest is written last
    limits = split[-1].limits if split else None
    target = None if target is None else Decimal(str(target))
    return Analysis(
        dates=dates,
        values=values,
        periods=split,
        signals=sorted(found, key=lambda s: (s.indices[0], strength[s.rule])),
        point_signals=point_signals,
        variation=marks.variation(
            point_signals[-1] if point_signals else None,
            direction=direction,
            has_limits=limits is not None,
        ),
        assurance=marks.assurance(limits, target=target, direction=direction),
        direction=direction,
    )
