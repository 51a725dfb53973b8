"""Writes to a board's problem log (docs/outcomes.md, "The problem log"): raise a
problem, edit it, give it dated actions, solve it at one of the three depths, and
work an outcome's or widget's countermeasure as one. Escalating it to the board
above, and sending it back down, are in .escalation.

Who: staff of the board's agency raise and work its problems; its managers
escalate them (a manager may do all staff may). The state's board has no agency:
its problems are the admins'. Each write keeps history (django-simple-history)
with a reason in words, so every step shows on the problem's page, and on the
page of the problem it came from or went to.

Problems carry a `version`: a save from a form opened before someone else's is
refused (EditConflict) and nothing is written.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from agencies.errors import EditConflict, require_version
from agencies.scoping import MANAGER, STAFF, can_change

from .. import services
from ..models import (
    ACTIVE_STATUSES,
    Countermeasure,
    CountermeasureState,
    Depth,
    Problem,
    ProblemAction,
    ProblemStatus,
)

__all__ = ["EditConflict"]

# What each depth needs before the problem may be closed as solved, in words.
NEEDED_TO_CLOSE = {
    Depth.QUICK_FIX: {"fix_note": "what was done", "fix_date": "the date it was done"},
    Depth.FOUR_BOX: {
        "root_cause": "the root cause",
        "countermeasure": "the countermeasure",
        "result": "the result",
    },
    Depth.A3: {
        "background": "the background",
        "current_condition": "the current condition",
        "goal": "the goal",
        "root_cause": "the root cause",
        "why_1": "at least the first why",
        "countermeasure": "the countermeasures",
        "follow_up": "the follow-up",
        "measure_after": "the measure after",
        "measure_after_on": "the date of the measure after",
    },
}
# The fields each depth's form writes.
DEPTH_FIELDS = {
    Depth.QUICK_FIX: ["fix_note", "fix_date"],
    Depth.FOUR_BOX: ["what", "root_cause", "countermeasure", "result"],
    Depth.A3: [
        "background",
        "current_condition",
        "goal",
        "root_cause",
        "why_1",
        "why_2",
        "why_3",
        "why_4",
        "why_5",
        "countermeasure",
        "follow_up",
        "measure_after",
        "measure_after_on",
    ],
}


def may_raise(user, board):
    """Staff of the board's agency (admins for the state's board)."""
    return can_change(user, board.agency_id, STAFF)


def may_work(user, problem):
    return can_change(user, problem.board.agency_id, STAFF)


def may_escalate(user, problem):
    return can_change(user, problem.board.agency_id, MANAGER)


def _require(user, board, role, doing):
    if not can_change(user, board.agency_id, role):
        who = "staff" if role == STAFF else "managers"
        whose = f"{who} of {board.agency.name}" if board.agency_id else "administrators"
        raise PermissionDenied(f"Only {whose} can {doing}.")


def _check_measure(board, widget, outcome):
    if widget is not None and outcome is not None:
        raise ValidationError("Choose a widget or an outcome, not both.")
    chosen = widget or outcome
    if chosen is not None and board.agency_id is not None and chosen.agency_id != board.agency_id:
        raise ValidationError("Choose a widget or an outcome of the board's own agency.")


def _for_update():
    """Problems read to be written: locked, with their board and its agency."""
    return Problem.objects.select_for_update(of=("self",)).select_related("board__agency")


def _locked(problem, expected_version):
    """The problem as stored, locked for this write; EditConflict if it moved on."""
    current = _for_update().get(pk=problem.pk)
    if current.version != require_version(expected_version):
        raise EditConflict(current)
    return current


def _save(problem, reason):
    problem.version += 1
    problem._change_reason = reason
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def raise_problem(*, board, what, where, since, by, widget=None, outcome=None, owner=None):
    """A new problem on a board, open, owned by `owner` (else by whoever raised it)."""
    _require(by, board, STAFF, "raise problems on this board")
    _check_measure(board, widget, outcome)
    if since > timezone.localdate():
        raise ValidationError({"since": "A problem cannot start in the future."})
    problem = Problem(
        board=board,
        what=what.strip(),
        where=where.strip(),
        since=since,
        widget=widget,
        outcome=outcome,
        owner=owner or by,
        raised_by=by,
        status=ProblemStatus.OPEN,
        version=1,
    )
    problem._change_reason = "Raised"
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def update_problem(*, problem, by, expected_version, **values):
    """Edit what, where, since when, which measure, owner, and open or solving.

    Solving and escalating have their own writes: a closed or escalated problem
    is not edited here."""
    current = _locked(problem, expected_version)
    _require(by, current.board, STAFF, "change problems on this board")
    if not current.active:
        raise ValidationError(
            f"This problem is {current.get_status_display().lower()}: it is no longer edited."
        )
    allowed = {"what", "where", "since", "widget", "outcome", "owner", "status"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if values.get("status", current.status) not in ACTIVE_STATUSES:
        raise ValidationError({"status": "Open or solving: solve or escalate it with its button."})
    for name, value in values.items():
        setattr(current, name, value)
    _check_measure(current.board, current.widget, current.outcome)
    return _save(current, "Edited")


@transaction.atomic
def add_action(*, problem, what, due_date, by, owner=None):
    """A dated action on an open problem; the problem is being solved from now."""
    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("board__agency")
        .get(pk=problem.pk)
    )
    _require(by, problem.board, STAFF, "add actions to problems on this board")
    if not problem.active:
        raise ValidationError("Actions are added to problems still open or being solved.")
    action = ProblemAction(problem=problem, what=what.strip(), owner=owner, due_date=due_date)
    action._change_reason = "Planned"
    action.full_clean()
    action.save()
    if problem.status == ProblemStatus.OPEN:
        problem.status = ProblemStatus.SOLVING
        _save(problem, "Solving: first action planned")
    return action


@transaction.atomic
def complete_action(*, action, done_on, by):
    action = (
        ProblemAction.objects.select_for_update(of=("self",))
        .select_related("problem__board__agency")
        .get(pk=action.pk)
    )
    _require(by, action.problem.board, STAFF, "change problems on this board")
    if done_on > timezone.localdate():
        raise ValidationError("An action cannot be done in the future.")
    action.done_on = done_on
    action._change_reason = "Done"
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def solve(*, problem, depth, values, by, expected_version, close=False):
    """Write the problem's solving at one depth (a quick fix, a four-box or an A3).

    `close`: mark it solved, which each depth allows only when complete (an A3 with
    its follow-up and the measure after); otherwise it is being solved. Closing
    marks done the open countermeasures it is worked as (on this problem or on a
    problem below that came up to it)."""
    depth = Depth(depth)
    current = _locked(problem, expected_version)
    _require(by, current.board, STAFF, "solve problems on this board")
    if not current.active:
        raise ValidationError(
            f"This problem is {current.get_status_display().lower()}: it is no longer solved here."
        )
    if depth == Depth.A3 and current.measure is None:
        raise ValidationError(
            "An A3 follows a measure: say which widget or outcome shows the problem first."
        )
    unknown = set(values) - set(DEPTH_FIELDS[depth])
    if unknown:
        raise ValueError(f"Not part of a {depth.label}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    current.depth = depth
    if close:
        missing = [words for name, words in NEEDED_TO_CLOSE[depth].items() if _blank(current, name)]
        if missing:
            raise ValidationError(
                f"To close it as solved, the {depth.label.lower()} needs "
                + ", ".join(missing)
                + "."
            )
        if current.fix_date and current.fix_date > timezone.localdate():
            raise ValidationError({"fix_date": "A fix cannot be done in the future."})
        current.status = ProblemStatus.SOLVED
        current.solved_at = timezone.now()
        reason = f"Solved ({depth.label.lower()})"
    else:
        current.status = ProblemStatus.SOLVING
        reason = f"{depth.label} written"
    _save(current, reason)
    if close:
        _countermeasures_done(current, by)
    return current


def _blank(problem, name):
    value = getattr(problem, name)
    return value is None or (isinstance(value, str) and not value.strip())


def chain_below(problem):
    """The problems that came up to this one, nearest first."""
    found, current = [], problem
    while current.escalated_from_id is not None:
        current = current.escalated_from
        found.append(current)
    return found


def _countermeasures_done(problem, by):
    ids = [problem.pk, *(p.pk for p in chain_below(problem))]
    for countermeasure in Countermeasure.objects.select_for_update().filter(
        huddle_problem__in=ids, state=CountermeasureState.OPEN
    ):
        countermeasure.state = CountermeasureState.DONE
        countermeasure.version += 1
        countermeasure._change_reason = f"Done: its problem was solved on {problem.board.full_name}"
        countermeasure.save()


def active_counts(boards):
    """{board id: problems open or being solved} for the boards, in one query."""
    return dict(
        Problem.objects.filter(board__in=boards, status__in=ACTIVE_STATUSES)
        .values_list("board_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


@transaction.atomic
def work_as_countermeasure(*, problem, by):
    """Make the problem the countermeasure of its outcome or widget (for an item off
    track: the monthly review closes only when each has an open one). The
    countermeasure says the problem, its root cause and countermeasure as far as
    they are written, and is due with the problem's last pending action (else in
    30 days); solving the problem marks it done."""
    problem = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("board__agency", "outcome", "widget")
        .get(pk=problem.pk)
    )
    measure = problem.outcome or problem.widget
    if measure is None:
        raise ValidationError("Say which outcome or widget shows the problem first.")
    if not can_change(by, measure.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency set the countermeasures of its items.")
    if not problem.active:
        raise ValidationError("Only a problem still open or being solved becomes a countermeasure.")
    if problem.countermeasures.filter(state=CountermeasureState.OPEN).exists():
        raise ValidationError("This problem is already an open countermeasure.")
    pending = list(problem.actions.filter(done_on__isnull=True).values_list("due_date", flat=True))
    depth = f"a {problem.get_depth_display().lower()}" if problem.depth else "a problem"
    countermeasure = Countermeasure(
        agency_id=measure.agency_id,
        outcome=problem.outcome,
        widget=problem.widget,
        problem=problem.what,
        root_cause=problem.root_cause,
        action=problem.countermeasure
        or f"Worked as {depth} on the huddle board of {problem.board.full_name}.",
        owner=problem.owner,
        due_date=max(pending) if pending else timezone.localdate() + dt.timedelta(days=30),
        huddle_problem=problem,
    )
    countermeasure._change_reason = f"Worked as a problem on {problem.board.full_name}"
    return services.save_countermeasure(countermeasure=countermeasure, by=by)
