"""What each tier's board shows (docs/outcomes.md, "Tiered huddles and problem solving").

A board (team, program, agency or state) shows **its own measures**: the widgets
and outcomes chosen for it, each a tile with its number, target, trend, status
and the marks of its process behaviour chart, exactly as the agency's huddle
board draws them (outcomes.huddle). A board with nothing chosen shows its tier's
defaults: a program its own widgets and outcomes, an agency all of its own (as
the huddle board always has); a team or the state, nothing until chosen.

Below them, the **roll-up of the tier below**: for each board one tier down (a
program's teams, an agency's programs, the state's agencies), its leading
measures (the widgets on that board) added up for the month shown and the month
before, with the measures that mean something across unlike widgets only
(widgets.measures.across_widgets: demand and delivered, which add, and the on-time
share and rework rate, each the ratio of the totals, never an average of shares).
Outcomes do not roll up: their units differ; each child's statuses are counted
instead. A widget on two children's boards counts in each, and once in the total.

Reads are a fixed number of queries whatever the number of boards, widgets or
outcomes: the children with their choices, the defaults, one grouped aggregate of
counts, one of outcomes and one of problems.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from agencies.scoping import MANAGER, can_change
from agencies.templatetags import numbers
from widgets import measures
from widgets.flow import add_rows, flow_from
from widgets.models import CountRollup, Grain, Widget

from .. import dashboard, huddle
from ..models import Board, Outcome, Problem, ProblemStatus, Tier
from ..periods import agency_month, latest_month
from ..selectors import with_latest, with_marks, with_status
from ..status import UP, WORST_FIRST, widget_status

# The board page shows every tile (the TV view, huddle.CAPACITY of them).
ALL = 10_000
ROLLUP_FIELDS, ROLLUP_MEASURES = measures.across_widgets()
ROLLUP_COLUMNS = [*ROLLUP_FIELDS, *ROLLUP_MEASURES]
PLURALS = {Tier.TEAM: "teams", Tier.PROGRAM: "programs", Tier.AGENCY: "agencies"}
TIER_BELOW = {Tier.STATE: Tier.AGENCY, Tier.AGENCY: Tier.PROGRAM, Tier.PROGRAM: Tier.TEAM}


def may_manage(user, board):
    """Managers of the board's agency choose its measures and escalate its problems;
    the state's board is the admins' (it has no agency)."""
    return can_change(user, board.agency_id, MANAGER)


def below(board):
    """The boards one tier down, as a queryset (none below a team)."""
    if board.tier == Tier.STATE:
        return Board.objects.filter(tier=Tier.AGENCY)
    if board.tier == Tier.AGENCY:
        return Board.objects.filter(tier=Tier.PROGRAM, agency_id=board.agency_id)
    if board.tier == Tier.PROGRAM:
        return Board.objects.filter(tier=Tier.TEAM, program_id=board.program_id)
    return Board.objects.none()


def above(board, *, make=False):
    """The board one tier up, or None for the state's. Pages only read; `make`
    (an escalation) makes the state's board if a fresh database has none yet."""
    if board.tier == Tier.TEAM:
        return Board.objects.filter(tier=Tier.PROGRAM, program_id=board.program_id).first()
    if board.tier == Tier.PROGRAM:
        return Board.objects.filter(tier=Tier.AGENCY, agency_id=board.agency_id).first()
    if board.tier == Tier.AGENCY:
        return Board.objects.state() if make else Board.objects.filter(tier=Tier.STATE).first()
    return None


def path_to(board):
    """The boards from the state down to this one (for the page's breadcrumb)."""
    found, current = [], board
    while current is not None:
        found.insert(0, current)
        current = above(current)
    return found


def _live(reader):
    """Widgets produced now that the reader may see (another agency's reader: not
    its definitions under review)."""
    return Widget.objects.for_user(reader).live()


def eligible_widgets(board, reader):
    """The widgets a board may show: live ones the reader may see, of the board's
    agency (every agency's approved ones for the state's)."""
    if board.agency_id is None:
        return _live(reader).approved()
    return _live(reader).filter(agency_id=board.agency_id)


def eligible_outcomes(board):
    outcomes = Outcome.objects.all()
    return outcomes if board.agency_id is None else outcomes.filter(agency_id=board.agency_id)


def _default_filter(board):
    """The tier's default measures (a Q over widgets and outcomes alike), or None."""
    if board.tier == Tier.PROGRAM:
        return Q(program_id=board.program_id)
    if board.tier == Tier.AGENCY:
        return Q(agency_id=board.agency_id)
    return None


def measures_of(board, reader):
    """(widgets, outcomes, chosen): querysets of what the board shows, and whether
    they were chosen for it (False: the tier's defaults)."""
    widgets = eligible_widgets(board, reader)
    outcomes = eligible_outcomes(board)
    chosen_widgets = board.widgets.values("pk")
    chosen_outcomes = board.outcomes.values("pk")
    if chosen_widgets.exists() or chosen_outcomes.exists():
        return (
            widgets.filter(pk__in=chosen_widgets),
            outcomes.filter(pk__in=chosen_outcomes),
            True,
        )
    default = _default_filter(board)
    if default is None:
        return widgets.none(), outcomes.none(), False
    return widgets.filter(default), outcomes.filter(default), False


def month_of(board, reader, today=None):
    """The month a board shows: its agency's (outcomes.periods), or for the state's
    the newest month due or entered in any count the reader may read."""
    if board.agency_id is None:
        return latest_month(CountRollup.objects.for_user(reader).filter(grain=Grain.MONTH), today)
    return agency_month(board.agency, today)


@dataclass
class Tiles:
    """A board's own measures as huddle tiles (outcomes.huddle.Board) and its month."""

    board: Board
    windows: dict
    chosen: bool
    shown: huddle.Board

    @property
    def window(self):
        return self.windows["current"]


def tiles(board, *, reader, capacity=ALL, today=None):
    """The board's own measures, each a tile as the huddle board draws it."""
    latest = month_of(board, reader, today)
    windows = dashboard.windows("month", latest, latest=latest)
    widgets, outcomes, chosen = measures_of(board, reader)
    flows = dashboard.widget_flows(widgets, windows)
    outcomes = with_marks(
        with_status(with_latest(outcomes.select_related("program", "owner").order_by("name")))
    )
    shown = huddle.board(outcomes=outcomes, widgets=flows, windows=windows, capacity=capacity)
    return Tiles(board=board, windows=windows, chosen=chosen, shown=shown)


# --- the roll-up of the tier below ----------------------------------------------------


@dataclass
class Rollup:
    """One board of the tier below, its leading measures added up."""

    board: Board
    widgets: int  # how many widgets are added up
    outcomes: int
    current: object  # widgets.flow.Flow of the month shown
    previous: object  # ... and of the month before
    trend: huddle.Trend | None  # of the on-time share
    tally: list = field(default_factory=list)  # [(Status, n)] of its own measures
    active: int = 0  # problems open or being solved on it
    escalated: int = 0  # problems it sent up

    @property
    def cells(self):
        """[(field or measure name, value)] of the month shown, in the table's order."""
        return [(spec.name, getattr(self.current, spec.name)) for spec in ROLLUP_COLUMNS]


@dataclass
class Rollups:
    rows: list  # Rollup per board below
    total: Rollup | None  # every widget of the rows once
    windows: dict
    columns: list = field(default_factory=lambda: ROLLUP_COLUMNS)

    @property
    def tier(self):
        return self.rows[0].board.get_tier_display() if self.rows else ""

    @property
    def plural(self):
        """ "teams", "programs", "agencies": the tier below in words."""
        return PLURALS.get(self.rows[0].board.tier, "") if self.rows else ""


def _added(widget_ids, rows, name):
    return add_rows([rows[w][name] for w in widget_ids if w in rows])


def _rollup(board, widget_ids, outcome_ids, rows, windows, statuses):
    current = flow_from(_added(widget_ids, rows, "current"))
    previous = flow_from(_added(widget_ids, rows, "previous"))
    before = windows["previous"].label
    tally = Counter(statuses[("w", w)] for w in widget_ids) + Counter(
        statuses[("o", o)] for o in outcome_ids
    )
    shown_before = (
        f" ({numbers.percent(previous.on_time_share)})"
        if previous.on_time_share is not None
        else ""
    )
    return Rollup(
        board=board,
        widgets=len(widget_ids),
        outcomes=len(outcome_ids),
        current=current,
        previous=previous,
        trend=huddle.trend(
            latest=current.on_time_share,
            previous=previous.on_time_share,
            direction=UP,
            since=f"than {before}{shown_before}",
        ),
        tally=[(s, tally[s]) for s in WORST_FIRST if tally[s]],
    )


def rollups(board, *, reader, windows):
    """The tier below, each board's leading measures added up (see the module)."""
    children = list(
        below(board)
        .select_related("agency", "program", "team")
        .prefetch_related(
            Prefetch("widgets", queryset=_live(reader).only("pk")),
            Prefetch("outcomes", queryset=Outcome.objects.only("pk")),
        )
        .order_by("agency__name", "program__name", "team__name")
    )
    if not children:
        return Rollups(rows=[], total=None, windows=windows)
    # What each child shows: its choice, or its tier's defaults (one query each).
    chosen = {
        c.pk: ({w.pk for w in c.widgets.all()}, {o.pk for o in c.outcomes.all()}) for c in children
    }
    defaults = defaultdict(lambda: (set(), set()))
    unchosen = [c for c in children if not any(chosen[c.pk])]
    key = "program_id" if board.tier == Tier.AGENCY else "agency_id"
    if unchosen and board.tier in (Tier.AGENCY, Tier.STATE):
        units = {getattr(c, key): c.pk for c in unchosen}
        unit_filter = {f"{key}__in": list(units)}
        for widget_id, unit in _live(reader).filter(**unit_filter).values_list("pk", key):
            defaults[units[unit]][0].add(widget_id)
        for outcome_id, unit in Outcome.objects.filter(**unit_filter).values_list("pk", key):
            defaults[units[unit]][1].add(outcome_id)
    shows = {c.pk: chosen[c.pk] if any(chosen[c.pk]) else defaults[c.pk] for c in children}
    widget_ids = set().union(*(w for w, _ in shows.values()))
    outcome_ids = set().union(*(o for _, o in shows.values()))
    rows = dashboard.flow_rows(widget_ids, windows)
    statuses = _statuses(widget_ids, outcome_ids, rows)
    problems = Counter()
    for board_id, status, n in (
        Problem.objects.filter(board__in=children)
        .values_list("board_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        problems[(board_id, status)] += n
    found = []
    for child in children:
        w, o = shows[child.pk]
        rollup = _rollup(child, w, o, rows, windows, statuses)
        rollup.active = (
            problems[(child.pk, ProblemStatus.OPEN)] + problems[(child.pk, ProblemStatus.SOLVING)]
        )
        rollup.escalated = problems[(child.pk, ProblemStatus.ESCALATED)]
        found.append(rollup)
    total = _rollup(board, widget_ids, outcome_ids, rows, windows, statuses)
    return Rollups(rows=found, total=total, windows=windows)


def _statuses(widget_ids, outcome_ids, rows):
    """{("w", id) | ("o", id): Status} of the widgets (on-time share this month
    against the standard) and outcomes (latest measurement) added up."""
    found = {}
    for pk, share in Widget.objects.filter(pk__in=widget_ids).values_list("pk", "standard_share"):
        current = flow_from(rows.get(pk, {}).get("current", {}))
        found[("w", pk)] = widget_status(on_time_share=current.on_time_share, standard_share=share)
    for outcome in with_status(with_latest(Outcome.objects.filter(pk__in=outcome_ids))):
        found[("o", outcome.pk)] = outcome.status
    return found
