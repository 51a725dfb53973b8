"""The problem log's pages: raise a problem on a board, read its whole story, edit
it, plan and finish its actions, escalate it, solve it at one of the three depths,
print its A3. Every member reads them; staff of the board's agency work them,
its managers escalate them (the state's board: admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.errors import NothingSaved
from agencies.permissions import MANAGER, READ, STAFF, grant
from config.forms import refuse_stale_save

from ..models import Depth, ProblemAction
from . import a3, escalation, log, problems, tiers
from .forms import ActionForm, ProblemForm, SendBackForm, solve_form
from .views import BOARDS

PROBLEMS = log.PROBLEMS
# Depths as they appear in URLs.
DEPTHS = {"quick-fix": Depth.QUICK_FIX, "four-box": Depth.FOUR_BOX, "a3": Depth.A3}


def _version(data):
    """The version a page was read at, from its form (None when missing or not a
    number: the service refuses it, agencies.errors.VersionMissing)."""
    value = data.get("version", "")
    return int(value) if value.isdigit() else None


def _depth_of(depth):
    """The role for a depth's URL: staff; 404 for a depth that does not exist."""
    if depth not in DEPTHS:
        raise Http404("No such way of solving a problem.")
    return STAFF


@grant(STAFF, board=BOARDS, to="raise problems on its board")
def problem_create(request, board):
    form = ProblemForm(request.POST or None, board=board, reader=request.user)
    if not form.is_bound:
        form.initial["since"] = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = problems.raise_problem(
                board=board,
                what=data["what"],
                where=data["where"],
                since=data["since"],
                widget=data["widget"],
                outcome=data["outcome"],
                owner=data["owner"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Raised the problem.")
            return redirect(problem)
    return render(
        request,
        "outcomes/huddles/problem_form.html",
        {"board": board, "path": tiers.path_to(board), "form": form, "problem": None},
    )


@grant(READ, problem=PROBLEMS)
def problem_detail(request, problem):
    """The problem, where it came from and went, its actions, its solving and every
    step of its story on every board it has been on."""
    story = log.chain(problem)
    may_work = problems.may_work(request.user, problem) and problem.active
    return render(
        request,
        "outcomes/huddles/problem_detail.html",
        {
            "problem": problem,
            "board": problem.board,
            "path": tiers.path_to(problem.board),
            "chain": story,
            "history": log.story(story),
            "actions": problem.actions.select_related("owner"),
            "action_form": ActionForm(board=problem.board) if may_work else None,
            "may_work": may_work,
            "may_escalate": problems.may_escalate(request.user, problem)
            and problem.active
            and tiers.above(problem.board) is not None,
            "above": tiers.above(problem.board),
            "may_send_back": problems.may_escalate(request.user, problem)
            and problem.active
            and problem.escalated_from_id is not None,
            "today": timezone.localdate(),
        },
    )


@grant(STAFF, problem=PROBLEMS, to="change its problems")
def problem_edit(request, problem):
    conflict = None
    form = ProblemForm(
        request.POST or None, instance=problem, board=problem.board, reader=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problems.update_problem(
                problem=problem,
                by=request.user,
                expected_version=data["version"],
                **{k: data[k] for k in ("what", "where", "since", "widget", "outcome", "owner")},
                status=data["status"],
            )
        except problems.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this problem")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved the problem.")
            return redirect(problem)
    return render(
        request,
        "outcomes/huddles/problem_form.html",
        {
            "board": problem.board,
            "path": tiers.path_to(problem.board),
            "form": form,
            "problem": problem,
            "conflict": conflict,
        },
    )


@require_POST
@grant(STAFF, problem=PROBLEMS, to="plan actions on its problems")
def action_create(request, problem):
    form = ActionForm(request.POST, board=problem.board)
    if form.is_valid():
        try:
            problems.add_action(
                problem=problem,
                what=form.cleaned_data["what"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Added the action.")
            return redirect(problem)
    else:
        messages.error(
            request,
            "The action was not added: "
            + " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect(problem)


@require_POST
@grant(
    STAFF,
    action=ProblemAction.objects.select_related("problem__board__agency"),
    to="finish actions on its problems",
)
def action_done(request, action):
    try:
        problems.complete_action(action=action, done_on=timezone.localdate(), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Marked “{action.what}” done today.")
    return redirect(action.problem)


@require_POST
@grant(MANAGER, problem=PROBLEMS, to="escalate its problems")
def problem_escalate(request, problem):
    """Send the problem up one tier, in one action."""
    try:
        moved = escalation.escalate(
            problem=problem, by=request.user, expected_version=_version(request.POST)
        )
    except problems.EditConflict:
        messages.error(
            request,
            "Someone changed this problem after you opened it. Nothing was escalated: "
            "read it again, then escalate.",
        )
    except NothingSaved as exc:  # the page's version did not come with it
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Escalated to {moved.board.full_name}.")
        return redirect(moved)
    return redirect(problem)


@grant(MANAGER, problem=PROBLEMS, to="send its problems back down")
def problem_send_back(request, problem):
    """Give a problem that came up back to the board below, saying why (a page of its
    own: the reason is required, and a missing one is said beside its field)."""
    if problem.escalated_from_id is None:
        raise Http404("This problem did not come up from a board below.")
    below = problem.escalated_from
    conflict = None
    form = SendBackForm(request.POST or None, initial={"version": problem.version})
    if request.method == "POST" and form.is_valid():
        try:
            escalation.send_back(
                problem=problem,
                note=form.cleaned_data["sent_back_note"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except problems.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this problem")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Sent back down to {below.board.full_name}.")
            return redirect(below)
    return render(
        request,
        "outcomes/huddles/problem_send_back.html",
        {
            "problem": problem,
            "below": below,
            "board": problem.board,
            "path": tiers.path_to(problem.board),
            "form": form,
            "conflict": conflict,
        },
    )


@grant(_depth_of, problem=PROBLEMS, to="solve its problems")
def problem_solve(request, problem, depth):
    """Write the quick fix, the four-box or the A3; save it, or save and close it."""
    depth = DEPTHS[depth]
    conflict = None
    form = solve_form(depth)(request.POST or None, instance=problem)
    if not form.is_bound:
        form.initial["version"] = problem.version
    measure = a3.measure_of(problem)
    if "measure_after" in form.fields and measure is not None:
        form.fields[
            "measure_after"
        ].help_text = f"{measure.name} after the countermeasures, in its unit: {measure.unit}."
    if request.method == "POST" and form.is_valid():
        close = request.POST.get("close") == "yes"
        try:
            problems.solve(
                problem=problem,
                depth=depth,
                values={k: v for k, v in form.cleaned_data.items() if k != "version"},
                by=request.user,
                expected_version=form.cleaned_data["version"],
                close=close,
            )
        except problems.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this problem")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Closed the problem as solved." if close else "Saved.")
            return redirect(problem)
    return render(
        request,
        "outcomes/huddles/problem_solve.html",
        {
            "problem": problem,
            "board": problem.board,
            "path": tiers.path_to(problem.board),
            "form": form,
            "depth": depth,
            "conflict": conflict,
            "condition": a3.condition(problem) if depth == Depth.A3 else None,
        },
    )


@grant(READ, problem=PROBLEMS)
def problem_a3(request, problem):
    """The A3 on one landscape page, to print from the browser."""
    if problem.depth != Depth.A3:
        raise Http404("This problem has no A3.")
    return render(
        request,
        "outcomes/huddles/a3.html",
        {"problem": problem, "sheet": a3.sheet(problem)},
    )


@require_POST
@grant(MANAGER, problem=PROBLEMS, to="make its problems countermeasures")
def problem_countermeasure(request, problem):
    """Make the problem the countermeasure of its outcome or widget."""
    try:
        countermeasure = problems.work_as_countermeasure(problem=problem, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"It is now the countermeasure for “{countermeasure.subject.name}”."
        )
    return redirect(problem)
