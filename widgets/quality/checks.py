"""The data-quality checks (docs/domain.md, "Data quality"): each a small function
over one widget's periods (a Series) or over a queryset, returning Findings.
widgets.quality reads the periods and runs them."""

import datetime as dt
import functools
import math
import statistics
from dataclasses import dataclass, field

from agencies.templatetags import numbers

from .. import flow, measures
from ..models import LIVE_STATUSES
from ..periods import describe_period, period_start, previous_period_start, starts_between

ERROR, WARNING, SUGGESTION = "error", "warning", "suggestion"
# In the order pages list them; text and a symbol, never colour alone.
GRADES = {ERROR: "Error", WARNING: "Warning", SUGGESTION: "Suggestion"}
GRADE_SYMBOLS = {ERROR: "✗", WARNING: "!", SUGGESTION: "?"}

REPORTED_PERIODS = 24  # findings are about the last 24 periods of each widget
EARLIER_PERIODS = 12  # a value is compared with (up to) the 12 periods before it
MIN_EARLIER = 3  # ... of which at least 3 must be known
FAR_SD = 20  # more than this many standard deviations from their mean: a suggestion...
REPEATED_RUN = 4  # the same non-zero volume this many periods running: a suggestion...
# ... and either only when this unlikely by chance (unlikely_by_chance, run_needed):
# counts of a few a period make small jumps and short runs every month.
CHANCE = 1e-4

# The checks, by name: what each looks for (the page's filter and docs/domain.md).
CHECKS = {
    "share-above-whole": "A share above its whole",
    "far-from-earlier": "Far from earlier periods",
    "repeated-volume": "The same volume period after period",
    "standard-without-volume": "A service standard but no volume",
    "unexplained-balance-gap": "Backlog does not balance, no reason given",
    "late-count": "Late count",
}


def volume_fields():
    """The volumes: the registry's headline flows (demand and delivered)."""
    return [f for f in measures.COUNT_FIELDS if f.headline and not f.stock]


def share_fields():
    """(share, whole) count fields: within standard and rework, of delivered."""
    return [(f, measures.field(f.share_of)) for f in measures.COUNT_FIELDS if f.share_of]


@dataclass(frozen=True)
class Finding:
    grade: str
    check: str
    widget: object
    period: dt.date | None  # None: about the widget's recent periods as a whole
    what: str  # what is wrong
    fix: str  # how to fix it
    values: tuple = ()  # ((label, value), ...)
    count_id: int | None = None  # the count to fix, when there is one

    @property
    def grade_label(self):
        return GRADES[self.grade]

    @property
    def symbol(self):
        return GRADE_SYMBOLS[self.grade]

    @property
    def check_label(self):
        return CHECKS[self.check]

    @property
    def period_label(self):
        if self.period is None:
            return f"last {REPORTED_PERIODS} periods"
        return describe_period(self.period, self.widget.reporting_frequency)

    @property
    def message(self):
        """What is wrong and how to fix it, in one sentence each."""
        return f"{self.what} {self.fix}"


def _number(value):
    """As the pages show numbers (agencies/templatetags/numbers.py), to one decimal."""
    return "blank" if value is None else str(numbers.number(value, 1))


# --- one widget's periods ----------------------------------------------------------


@dataclass
class Series:
    """One widget's counts by period in the window read, and which periods the
    findings are about (the last REPORTED_PERIODS, or a file's rows)."""

    widget: object
    points: dict = field(default_factory=dict)  # period -> {field: value}
    count_ids: dict = field(default_factory=dict)  # period -> pk of the stored count
    reported: set = field(default_factory=set)

    def earlier(self, period, n):
        """The n periods before `period` at the widget's frequency, newest first."""
        found, frequency = [], self.widget.reporting_frequency
        for _ in range(n):
            period = previous_period_start(period, frequency)
            found.append(period)
        return found

    def value(self, period, name):
        point = self.points.get(period)
        return None if point is None else point.get(name)


def shares_above_whole(series):
    """Error: within standard (or rework) above delivered: more delivered on time
    (or sent back) than were delivered at all."""
    found = []
    for period in sorted(series.reported, reverse=True):
        for share, whole in share_fields():
            part, total = series.value(period, share.name), series.value(period, whole.name)
            if part is None or total is None or part <= total:
                continue
            found.append(
                Finding(
                    ERROR,
                    "share-above-whole",
                    series.widget,
                    period,
                    f"{share.label} ({_number(part)}) is more than {whole.label.lower()} "
                    f"({_number(total)}): it is a share of it.",
                    f"Correct {share.label.lower()} or {whole.label.lower()} for this period.",
                    ((share.label, part), (whole.label, total)),
                    series.count_ids.get(period),
                )
            )
    return found


def far_from_earlier(series):
    """Suggestion: a volume more than FAR_SD sample standard deviations from the mean
    of its known values in the EARLIER_PERIODS periods before it (at least
    MIN_EARLIER of them), and unlikely by chance around that mean
    (unlikely_by_chance). When those are all equal (standard deviation 0), any
    other value is infinitely many standard deviations away, and chance decides
    alone: 2 after twelve 1s is not reported, 8 is.

    The test is exact, in whole numbers, with no square root: for n earlier values
    with sum S and sum of squares Q, a value x is more than FAR_SD sample standard
    deviations from their mean when (n·x - S)²·(n - 1) > FAR_SD²·n·(n·Q - S²). n, S
    and Q come from a window slid once along the widget's periods (_Run.sums), not
    from adding up twelve values again for every period; the mean and standard deviation
    are worked out only for a finding's words (most periods have none): at a state's
    size the check judges tens of thousands of values per page or file."""
    found = []
    points = series.points
    run = _Run(series)
    for period in sorted(series.reported, reverse=True):
        point = points.get(period)
        if not point:
            continue
        for spec in volume_fields():
            value = point.get(spec.name)
            if value is None:
                continue
            n, total, squares = run.sums(period, spec.name)
            if n < MIN_EARLIER:
                continue
            spread = n * squares - total * total  # n(n-1) x variance
            gap = n * value - total  # n x (value - mean)
            # With all earlier values equal (spread 0) this keeps only a value equal
            # to them: any other is infinitely many standard deviations away.
            if gap * gap * (n - 1) <= FAR_SD * FAR_SD * n * spread:
                continue
            if not unlikely_by_chance(value, total, n):
                continue
            found.append(_far_finding(series, spec, period, value, run.earlier(period, spec.name)))
    return found


def unlikely_by_chance(value, total, n):
    """Whether a count `value` is unlikely by chance after `n` earlier periods adding up
    to `total`: a count that varies by chance (Poisson) around their mean is `value`
    or further from it with probability below CHANCE.

    That probability is bounded above by Chernoff's bound for the Poisson tail on
    `value`'s side of the mean m: exp(value - m + value * ln(m / value)), exp(-m) for
    0. Below CHANCE, the true probability is too: never a chance value reported. The
    mean is taken as at least 1/n: n earlier zeros cannot tell a rate of 0 from a
    small one, and a first 1 after them is likely (a widget asked for now and then),
    where 4 is not."""
    mean = max(total / n, 1 / n)
    log_tail = -mean if value == 0 else value - mean + value * math.log(mean / value)
    return log_tail < math.log(CHANCE)


def _far_finding(series, spec, period, value, earlier):
    """The far-from-earlier finding of `value`, worded from its `earlier` values."""
    n = len(earlier)
    mean = statistics.fmean(earlier)
    if len(set(earlier)) == 1:
        what = (
            f"{spec.label} is {_number(value)}; in each of the {n} earlier "
            f"periods it was {_number(mean)}."
        )
        values = ((spec.label, value), (f"Earlier periods ({n})", mean))
    else:
        sd = statistics.stdev(earlier)
        distance = abs(value - mean) / sd
        what = (
            f"{spec.label} is {_number(value)}, {_number(distance)} standard deviations "
            f"from the mean of the {n} earlier periods ({_number(mean)})."
        )
        values = (
            (spec.label, value),
            (f"Mean of {n} earlier periods", round(mean, 1)),
            ("Standard deviation", round(sd, 1)),
            ("Standard deviations from the mean", round(distance, 1)),
        )
    return Finding(
        SUGGESTION,
        "far-from-earlier",
        series.widget,
        period,
        what,
        f"Check {spec.label.lower()} for this period: a typing slip (a digit too "
        "many, or a total for several periods) or a real change worth a note.",
        values,
        series.count_ids.get(period),
    )


class _Run:
    """One widget's periods in a run, from EARLIER_PERIODS before the first reported
    to the last reported, and what the far-from-earlier check asks of them: the
    EARLIER_PERIODS periods before a reported period, and the count, sum and sum of
    squares of a volume's known values in them.

    Stepping back from each reported period in turn would cost as many steps again
    per period, and adding up its earlier values as many additions: both are read off
    the run instead, the sums from a window slid along it once per volume (exact:
    volumes are whole numbers). A period off the widget's calendar (a count written
    by hand in the database: a write checks the period first) is not on the run: it
    steps back and adds up on its own, so that it is judged, not an error page."""

    def __init__(self, series):
        self.series = series
        reported = sorted(series.reported)
        timeline = []
        if reported:
            frequency = series.widget.reporting_frequency
            period = period_start(reported[0], frequency)
            timeline = series.earlier(period, EARLIER_PERIODS)[::-1]
            timeline += starts_between(period, reported[-1], frequency)
        self.timeline = timeline
        self.index = {p: i for i, p in enumerate(timeline)}
        self._windows = {}  # volume -> [(n, S, Q) of the window before each position]

    def before(self, period):
        """The EARLIER_PERIODS periods before `period`, in no particular order."""
        i = self.index.get(period)
        if i is None:
            return self.series.earlier(period, EARLIER_PERIODS)
        return self.timeline[i - EARLIER_PERIODS : i]

    def earlier(self, period, name):
        """The known values of volume `name` in the periods before `period`."""
        points = self.series.points
        found = (points.get(p) for p in self.before(period))
        return [v for v in (p.get(name) for p in found if p) if v is not None]

    def sums(self, period, name):
        """(n, S, Q) of `earlier(period, name)`."""
        i = self.index.get(period)
        if i is None:
            earlier = self.earlier(period, name)
            return len(earlier), sum(earlier), sum(v * v for v in earlier)
        windows = self._windows.get(name)
        if windows is None:
            windows = self._windows[name] = self._slide(name)
        return windows[i]

    def _slide(self, name):
        """(n, S, Q) of the known values of `name` in the EARLIER_PERIODS run positions
        before each position: each value enters the window once and leaves it once."""
        points = self.series.points
        values = [(points.get(p) or {}).get(name) for p in self.timeline]
        windows, n, total, squares = [], 0, 0, 0
        for i, value in enumerate(values):
            windows.append((n, total, squares))
            if value is not None:
                n, total, squares = n + 1, total + value, squares + value * value
            if i >= EARLIER_PERIODS and (old := values[i - EARLIER_PERIODS]) is not None:
                n, total, squares = n - 1, total - old, squares - old * old
        return windows


@functools.lru_cache(maxsize=4096)  # counts repeat; a process meets few distinct ones
def run_needed(value):
    """How many periods running the same non-zero count `value` must last to be worth
    a second look: REPEATED_RUN, or more where a run that long is likely by chance.

    A count that varies by chance around `value` (Poisson) is `value` again in the
    next period with probability P(X = value): 37% for a count of 1, 4% for 100. A
    run of L periods is then a chance of P(X = value) ** (L - 1), which must be below
    CHANCE: 11 periods for a count of 1, 7 for 5, 6 for 10, 5 for 20, 4 from 74
    up. With 4 for every count, a state of daily counts of a few a day had 2,186
    suggestions, 2,010 of them runs of 5 or less that chance makes every month."""
    value = int(value)
    log_same = value * math.log(value) - value - math.lgamma(value + 1)  # ln P(X = v)
    needed = REPEATED_RUN
    while (needed - 1) * log_same >= math.log(CHANCE):
        needed += 1
    return needed


# The longest run_needed (for a count of 1): how far a file's rows are judged on.
LONGEST_RUN = run_needed(1)


def repeated_volumes(series):
    """Suggestion: the same non-zero volume in run_needed(volume) or more consecutive periods
    (a missing period or a blank value ends a run). One finding per run, at its latest
    period among those the findings are about."""
    found = []
    if not series.points:
        return found
    # Every period from the first stored to the last, walked once for all the volumes
    # (the run left at the end is closed after the walk).
    frequency = series.widget.reporting_frequency
    periods = sorted(series.points)
    timeline = starts_between(periods[0], periods[-1], frequency)
    for spec in volume_fields():
        run = []
        for period in timeline:
            value = series.value(period, spec.name)
            if run and value == series.value(run[-1], spec.name):
                run.append(period)
            else:
                found.extend(_run_finding(series, spec, run))
                run = [period] if value else []
        found.extend(_run_finding(series, spec, run))
    return found


def _run_finding(series, spec, run):
    reported = [p for p in run if p in series.reported]
    if len(run) < REPEATED_RUN or not reported:
        return []
    value = series.value(run[-1], spec.name)
    if len(run) < run_needed(value):
        return []
    frequency = series.widget.reporting_frequency
    first, last = describe_period(run[0], frequency), describe_period(run[-1], frequency)
    return [
        Finding(
            SUGGESTION,
            "repeated-volume",
            series.widget,
            reported[-1],
            f"{spec.label} is {_number(value)} in each of the {len(run)} periods from "
            f"{first} to {last}.",
            f"Check that {spec.label.lower()} is counted each period, not copied from the "
            "period before.",
            ((spec.label, value), ("Periods running", len(run))),
            series.count_ids.get(reported[-1]),
        )
    ]


def standard_without_volume(series):
    """Warning: a widget produced now (approved, or under review after a change) with a
    service standard (days or share) but no non-zero volume in the periods the
    findings are about: the standard cannot be measured."""
    widget = series.widget
    if widget.status not in LIVE_STATUSES:
        return []
    if widget.standard_days is None and widget.standard_share is None:
        return []
    if any(series.value(p, f.name) for p in series.reported for f in volume_fields()):
        return []
    values = []
    if widget.standard_days is not None:
        values.append(("Standard: days", widget.standard_days))
    if widget.standard_share is not None:
        values.append(("Standard: share (%)", widget.standard_share))
    return [
        Finding(
            WARNING,
            "standard-without-volume",
            widget,
            None,
            f"{widget.name} has a service standard but no demand or delivered above 0 in "
            f"its last {REPORTED_PERIODS} periods, so the standard cannot be measured.",
            "Enter demand and delivered for its periods, or remove the standard if the "
            "widget is not produced.",
            tuple(values),
        )
    ]


SERIES_CHECKS = (shares_above_whole, far_from_earlier, repeated_volumes, standard_without_volume)


# --- checks that read the database ---------------------------------------------------


def unexplained_balance_gaps(counts, reported):
    """Warning: counts whose backlog does not balance with the period before and that
    carry no note saying why (widgets.attention.unexplained_gaps, one query)."""
    # Imported here: widgets.attention lists these findings on the home page
    # (data_quality_errors) and so imports this module.
    from ..attention import unexplained_gaps

    found = []
    for count in unexplained_gaps(counts):
        if (count.widget_id, count.period_start) not in reported:
            continue
        # Blank here only where it does not apply; the gap's Balance (set by
        # widgets.attention.balance_gaps) counts it as 0, as the balance check does.
        withdrawn = measures.NOT_APPLICABLE if count.withdrawn is None else count.withdrawn
        expected = count.balance.expected
        found.append(
            Finding(
                WARNING,
                "unexplained-balance-gap",
                count.widget,
                count.period_start,
                f"The backlog ({_number(count.backlog)}) is not last period's backlog + "
                f"demand - delivered - withdrawn ({_number(expected)}), and no note says why.",
                "Correct the numbers, or write in the balance note why they do not balance.",
                (
                    ("Previous backlog", count.previous_backlog),
                    ("Demand", count.demand),
                    ("Delivered", count.delivered),
                    ("Withdrawn", withdrawn),
                    ("Backlog", count.backlog),
                ),
                count.pk,
            )
        )
    return found


def late_counts(widgets, today):
    """Warning: approved widgets with no delivered count for their latest due period
    (widgets.flow.late_widgets, as the home page's late counts; one query)."""
    return [
        Finding(
            WARNING,
            "late-count",
            widget,
            widget.due_period,
            f"No count for {describe_period(widget.due_period, widget.reporting_frequency)}, "
            "which is past its due date.",
            "Enter the period's counts in the entry grid or an upload.",
            (),
        )
        for widget in flow.late_widgets(widgets, today).select_related("agency").order_by("name")
    ]
