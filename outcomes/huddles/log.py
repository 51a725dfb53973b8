"""Reads of the problem logs: a board's log (what is open, what came up from the
tier below and from where, what went up, what was solved) and a problem's whole
story (its history, its actions' history, and the problems it came from and went
to, so that each board sees every step). A fixed number of queries whatever the
number of problems."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from agencies.history import deltas_of, worded_changes
from agencies.templatetags import numbers

from ..models import ACTIVE_STATUSES, Problem, ProblemAction, ProblemStatus

# Closed problems shown on a board, newest first (the rest are in each problem's page).
RECENTLY_CLOSED = 10
HISTORY_NOT_SHOWN = ["version", "updated_at", "created_at", "solved_at"]

PROBLEMS = Problem.objects.select_related(
    "board__agency",
    "board__program",
    "board__team",
    "widget",
    "outcome",
    "owner",
    "escalated_from__board__agency",
    "escalated_from__board__program",
    "escalated_from__board__team",
    "escalated_to__board__agency",
    "escalated_to__board__program",
    "escalated_to__board__team",
)


@dataclass
class Log:
    active: list  # open or being solved, oldest first: the huddle's agenda
    escalated: list  # sent up, each with where it went and how it stands there
    closed: list  # solved, newest first (RECENTLY_CLOSED of them)
    closed_total: int
    came_up: int = 0
    # given back to the board below, newest first (RECENTLY_CLOSED of them)
    sent_back: list = field(
        default_factory=list
    )  # of the active, how many came up from the tier below


def _with_actions(problems):
    return problems.prefetch_related(
        Prefetch("actions", queryset=ProblemAction.objects.select_related("owner"))
    )


def log(board, *, today=None):
    """The board's problems: active (with the next action due), escalated, closed."""
    active = list(
        _with_actions(PROBLEMS.filter(board=board, status__in=ACTIVE_STATUSES)).order_by(
            "since", "pk"
        )
    )
    for problem in active:
        pending = [a for a in problem.actions.all() if a.done_on is None]
        problem.next_action = min(pending, key=lambda a: (a.due_date, a.pk)) if pending else None
        problem.overdue = bool(
            problem.next_action and problem.next_action.due_date < (today or dt.date.today())
        )
    escalated = list(
        PROBLEMS.filter(board=board, status=ProblemStatus.ESCALATED).order_by("-updated_at")
    )
    closed = PROBLEMS.filter(board=board, status=ProblemStatus.SOLVED).order_by("-solved_at")
    sent_back = PROBLEMS.filter(board=board, status=ProblemStatus.SENT_BACK).order_by("-updated_at")
    return Log(
        sent_back=list(sent_back[:RECENTLY_CLOSED]),
        active=active,
        escalated=escalated,
        closed=list(closed[:RECENTLY_CLOSED]),
        closed_total=closed.count(),
        came_up=sum(1 for p in active if p.escalated_from_id),
    )


def chain(problem):
    """Every problem of its story from the first board it was raised on to where it
    is now, lowest tier first (this one included). A few queries per tier: at most
    four tiers."""
    below, current = [], problem
    while current.escalated_from_id is not None:
        current = PROBLEMS.get(pk=current.escalated_from_id)
        below.insert(0, current)
    above, current = [], problem
    while True:
        current = PROBLEMS.filter(escalated_from=current).first()
        if current is None:
            break
        above.append(current)
    return [*below, problem, *above]


@dataclass
class Entry:
    when: object
    who: object
    board: str
    subject: str  # "This problem", "The problem on …", "Action: …"
    reason: str
    changes: list = field(default_factory=list)


def _formats():
    return {"measure_after": numbers.number}


def story(problems):
    """The history of each problem of the chain and of their actions, newest first,
    each entry saying on which board it happened."""
    entries = []
    for problem in problems:
        records = list(
            problem.history.select_related("history_user").order_by("-history_date", "-history_id")
        )
        worded = worded_changes(
            Problem, deltas_of(records, excluded=HISTORY_NOT_SHOWN), formats=_formats()
        )
        for record, changes in zip(records, worded, strict=True):
            entries.append(
                Entry(
                    when=record.history_date,
                    who=record.history_user,
                    board=problem.board.full_name,
                    subject="problem",
                    reason=record.history_change_reason or record.get_history_type_display(),
                    changes=changes,
                )
            )
        actions = ProblemAction.history.filter(problem_id=problem.pk).select_related("history_user")
        for record in actions.order_by("-history_date", "-history_id"):
            entries.append(
                Entry(
                    when=record.history_date,
                    who=record.history_user,
                    board=problem.board.full_name,
                    subject=f"action “{record.what}”",
                    reason=record.history_change_reason or record.get_history_type_display(),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
