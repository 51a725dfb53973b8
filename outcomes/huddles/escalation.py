"""Problems between tiers (docs/outcomes.md, "The problem log"): escalate a problem
to the board above in one action, and send one that came up back down to the board
it came from. Each step is kept in the history of the problem on both boards, with
its reason in words; a stale page changes nothing (EditConflict).

Managers of the board's agency do both (admins, on the state's board)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.scoping import MANAGER

from ..models import TIER_ABOVE, Problem, ProblemStatus
from . import tiers
from .problems import _for_update, _locked, _require, _save

# What a problem carries to the board above, and again when it comes up again.
CARRIED = ("what", "where", "since", "widget", "outcome")

# Each step runs in `with transaction.atomic()`, not under the decorator: mutmut does
# not mutate a decorated function, so `make mutate` would not test these (docs/testing.md).


def escalate(*, problem, by, expected_version):
    """Send a problem to the board above, in one action.

    The problem stays on its board, escalated, and a problem on the board above
    carries what, where, since when and which measure, with a link back
    (`escalated_from`); each keeps its own history, and each page shows the other.
    A problem that was sent back down and comes up again reopens the same problem
    above, so its story stays one. Managers of the board's agency escalate (admins,
    from the state: there is no board above it)."""
    with transaction.atomic():
        current = _locked(problem, expected_version)
        _require(by, current.board, MANAGER, "escalate problems from this board")
        if not current.active:
            raise ValidationError(
                f"Only an open problem, or one being solved, is escalated; this one is "
                f"{current.get_status_display().lower()}."
            )
        if current.board.tier not in TIER_ABOVE:
            raise ValidationError("The state's board is the top tier: there is no board above it.")
        carried = {name: getattr(current, name) for name in CARRIED}
        moved = _for_update().filter(escalated_from=current).first()
        if moved is not None:  # it came up before and was sent back down
            for name, value in carried.items():
                setattr(moved, name, value)
            moved.status = _reopened(moved)
            moved.sent_back_note = ""
            _save(moved, f"Came up again from {current.board.full_name}")
            above = moved.board
        else:
            above = tiers.above(current.board, make=True)
            moved = Problem(
                board=above,
                **carried,
                owner=by,
                raised_by=by,
                status=ProblemStatus.OPEN,
                escalated_from=current,
                version=1,
            )
            moved._change_reason = f"Came up from {current.board.full_name}"
            moved.full_clean()
            moved.save()
        current.status = ProblemStatus.ESCALATED
        _save(current, f"Escalated to {above.full_name}")
        return moved


def send_back(*, problem, note, by, expected_version):
    """Give a problem that came up back to the board it came from, to solve there
    with the help the tier above decided on (`note`, required).

    Above, it is sent back down with the note and no longer worked; below, it is
    open again (being solved, if it was). Both keep the step in their history; it may
    come up again later (`escalate` reopens this problem). Managers of the board it
    is on send it back (admins, on the state's board)."""
    with transaction.atomic():
        current = _locked(problem, expected_version)
        _require(by, current.board, MANAGER, "send problems back from this board")
        note = (note or "").strip()
        if not note:
            raise ValidationError(
                {"sent_back_note": "Say why it goes back down, and what help comes with it."}
            )
        if current.escalated_from_id is None:
            raise ValidationError("Only a problem that came up from the board below is sent back.")
        if not current.active:
            raise ValidationError(
                f"Only an open problem, or one being solved, is sent back; this one is "
                f"{current.get_status_display().lower()}."
            )
        below = _for_update().get(pk=current.escalated_from_id)
        if below.status != ProblemStatus.ESCALATED:
            raise ValidationError(
                f"The problem below is {below.get_status_display().lower()}, not waiting on "
                "this board: there is nothing to send back."
            )
        current.status = ProblemStatus.SENT_BACK
        current.sent_back_note = note
        _save(current, f"Sent back down to {below.board.full_name}")
        below.status = _reopened(below)
        _save(below, f"Sent back down from {current.board.full_name}")
        return below


def _reopened(problem):
    """Open again: being solved if it had been, else open."""
    worked = problem.depth or problem.actions.exists()
    return ProblemStatus.SOLVING if worked else ProblemStatus.OPEN
