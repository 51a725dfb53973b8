"""The huddle board: one wall screen (1920 x 1080) read from across the room.

Each outcome and each widget is a tile with its number, its target, a trend arrow
(against the period before, with "better" or "worse" in words) and its marks:
status, and the variation and assurance marks of its process behaviour chart
(widgets.spc), each shape and text. A widget's number is the measure that
matters most for it, as on the dashboard's pictures (outcomes.pictures): its
on-time share against its standard share, or its backlog when it has no standard.

At most CAPACITY tiles fit the screen at a readable size. When there are more,
what needs attention comes first (off track, then a concerning signal, then at
risk, then the rest, then no data), the first CAPACITY - 1 are shown and the last
tile counts the rest by status, so nothing off track is left out without a word.
"""

from dataclasses import dataclass

from agencies.templatetags import numbers

from . import pictures
from .status import DOWN, UP, WORST_FIRST, Status

CAPACITY = 9  # three rows of three at 1920 x 1080

# What needs attention first (the same order as the dashboard's pictures).
OFF_TRACK, CONCERNING, AT_RISK, OTHER, NO_DATA = range(5)


@dataclass(frozen=True)
class Trend:
    arrow: str  # ↑ ↓ →: which way the number moved
    said: str  # "better", "worse", "no change"
    since: str  # "than October 2026 (85%)"


@dataclass
class Tile:
    kind: str  # "Outcome", "Widget: on-time share" or "Widget: backlog"
    name: str
    measure: str  # what the number is, e.g. "On-time share, November 2026"
    figure: str  # "87%", "41.5", "No data"
    unit: str  # beside the figure, smaller: "days"; "" when the figure says it
    target: str  # "90%", "30"; "" when there is none
    target_when: str  # "by June 2027"; "" for a standard, which holds every period
    trend: Trend | None
    status: Status
    variation: object  # widgets.spc.marks.Mark or None
    assurance: object
    rank: int


@dataclass
class Board:
    tiles: list
    hidden: int  # how many did not fit
    hidden_by_status: list  # [(Status, n)] of the hidden, worst first
    total: int


def trend(*, latest, previous, direction, since):
    """A Trend from the previous value to the latest, or None when either is unknown."""
    if latest is None or previous is None:
        return None
    if latest == previous:
        return Trend("→", "no change", since)
    rose = latest > previous
    if direction not in (UP, DOWN):
        return Trend("↑" if rose else "↓", "up" if rose else "down", since)
    better = rose == (direction == UP)
    return Trend("↑" if rose else "↓", "better" if better else "worse", since)


def _rank(status, analysis, has_data):
    if not has_data:
        return NO_DATA
    if status == Status.OFF_TRACK:
        return OFF_TRACK
    if analysis is not None and analysis.concerning:
        return CONCERNING
    if status == Status.AT_RISK:
        return AT_RISK
    return OTHER


def _decimal(value):
    """A measurement as people write it: 72.2, not 72.2000; 1,250 with its separator."""
    return numbers.number(value)


def outcome_tile(outcome):
    """A tile for an outcome annotated by selectors.with_latest / with_status / with_marks."""
    has_data = outcome.latest_value is not None
    analysis = outcome.chart
    return Tile(
        kind="Outcome",
        name=outcome.name,
        measure=f"{outcome.measure}, {outcome.latest_date:%B %Y}" if has_data else outcome.measure,
        figure=_decimal(outcome.latest_value) if has_data else "No data",
        unit=outcome.unit if has_data else "",
        target=_decimal(outcome.target_value),
        target_when=f"by {outcome.target_date:%B %Y}",
        trend=trend(
            latest=outcome.latest_value,
            previous=outcome.previous_value,
            direction=outcome.direction,
            since="than the measurement before"
            + (
                f" ({_decimal(outcome.previous_value)})"
                if outcome.previous_value is not None
                else ""
            ),
        ),
        status=outcome.status,
        variation=analysis.variation if has_data else None,
        assurance=analysis.assurance if has_data else None,
        rank=_rank(outcome.status, analysis, has_data),
    )


def _percent(share):
    return None if share is None else numbers.percent(share)


def widget_tile(widget, windows):
    """A tile for a widget from dashboard.widget_flows, with its `.picture`
    (pictures.widget_pictures): the same measure and marks as the dashboard's."""
    current, previous = widget.flows["current"], widget.flows["previous"]
    picture = widget.picture
    before = windows["previous"].label
    if widget.standard_share is not None:
        latest, earlier = current.on_time_share, previous.on_time_share
        figure = _percent(latest)
        measure, unit, direction = "On-time share", "", UP
        target = numbers.percent(widget.standard_share, 100)
        shown_before = _percent(earlier)
    else:
        latest, earlier = current.backlog, previous.backlog
        figure = None if latest is None else numbers.whole(latest)
        measure, unit, direction = "Backlog", "open", DOWN
        target = ""
        shown_before = None if earlier is None else numbers.whole(earlier)
    analysis = picture.analysis
    return Tile(
        kind=f"Widget: {measure.lower()}",
        name=widget.name,
        measure=f"{measure}, {windows['current'].label}",
        figure=figure or "No data",
        unit=unit if figure else "",
        target=target,
        target_when="",
        trend=trend(
            latest=latest,
            previous=earlier,
            direction=direction,
            since=f"than {before}" + (f" ({shown_before})" if shown_before else ""),
        ),
        status=widget.status,
        variation=analysis.variation if analysis else None,
        assurance=analysis.assurance if analysis else None,
        rank=_rank(widget.status, analysis, latest is not None),
    )


def board(*, outcomes, widgets, windows, capacity=CAPACITY):
    """The tiles that fit, what needs attention first; outcomes before widgets of
    the same rank, each group in its own order."""
    tiles = [outcome_tile(o) for o in outcomes]
    tiles += [
        widget_tile(w, windows) for w in pictures.widget_pictures(widgets, windows["current"])
    ]
    ordered = [t for _, t in sorted(enumerate(tiles), key=lambda pair: (pair[1].rank, pair[0]))]
    if len(ordered) <= capacity:
        return Board(tiles=ordered, hidden=0, hidden_by_status=[], total=len(ordered))
    shown, rest = ordered[: capacity - 1], ordered[capacity - 1 :]
    counts = [(s, sum(1 for t in rest if t.status == s)) for s in WORST_FIRST]
    return Board(
        tiles=shown,
        hidden=len(rest),
        hidden_by_status=[(s, n) for s, n in counts if n],
        total=len(ordered),
    )
