"""The huddle boards of every tier: the index, a board's page (its measures, the
roll-up of the tier below, its problem log), its TV view, and the choice of its
measures. Every member reads every board; managers of the board's agency choose
its measures (the state's board: admins)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from agencies.permissions import MANAGER, READ, grant
from config.forms import refuse_stale_save

from .. import huddle
from ..dashboard_views import REFRESH_SECONDS
from ..models import Board, Tier
from . import boards, log, problems, tiers
from .forms import BoardMeasuresForm

BOARDS = Board.objects.select_related("agency", "program", "team")


@grant(READ, to="read the huddle boards")
def board_index(request):
    """Every board, by tier: the state's, then each agency with its programs and teams."""
    found = list(BOARDS.order_by("agency__name", "program__name", "team__name"))
    active = problems.active_counts(found)
    for board in found:
        board.active_problems = active.get(board.pk, 0)
    state = next((b for b in found if b.tier == Tier.STATE), None)
    agencies = []
    for agency_board in (b for b in found if b.tier == Tier.AGENCY):
        programs = []
        for program_board in (
            b for b in found if b.tier == Tier.PROGRAM and b.agency_id == agency_board.agency_id
        ):
            teams = [
                b for b in found if b.tier == Tier.TEAM and b.program_id == program_board.program_id
            ]
            programs.append((program_board, teams))
        agencies.append((agency_board, programs))
    return render(
        request, "outcomes/huddles/board_index.html", {"state": state, "agencies": agencies}
    )


@grant(READ, board=BOARDS)
def board_page(request, board):
    """A board as a page: its measures, the tier below rolled up, its problem log."""
    own = tiers.tiles(board, reader=request.user)
    return render(
        request,
        "outcomes/huddles/board.html",
        {
            "board": board,
            "path": tiers.path_to(board),
            "tiles": own,
            "rollups": tiers.rollups(board, reader=request.user, windows=own.windows),
            "may_manage": tiers.may_manage(request.user, board),
            "log": log.log(board),
            "may_raise": problems.may_raise(request.user, board),
            "below_word": tiers.PLURALS.get(tiers.TIER_BELOW.get(board.tier)),
        },
    )


@grant(READ, board=BOARDS)
def board_tv(request, board):
    """The board's measures on a wall screen, as the agency's huddle board
    (outcomes.huddle; it reloads itself every five minutes)."""
    own = tiers.tiles(board, reader=request.user, capacity=huddle.CAPACITY)
    return render(
        request,
        "outcomes/huddle.html",
        {
            "title": board.full_name,
            "back": (board.get_absolute_url(), "Board"),
            "window": own.window,
            "board": own.shown,
            "refresh_seconds": REFRESH_SECONDS,
            "refresh_minutes": REFRESH_SECONDS // 60,
        },
    )


@grant(MANAGER, board=BOARDS, to="choose its measures")
def board_measures(request, board):
    """Choose the widgets and outcomes the board shows (managers of its agency)."""
    conflict = None
    form = BoardMeasuresForm(request.POST or None, board=board, reader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            boards.choose_measures(
                board=board,
                widgets=form.cleaned_data["widgets"],
                outcomes=form.cleaned_data["outcomes"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except boards.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this board's measures")
        else:
            messages.success(request, "Saved the board's measures.")
            return redirect(board)
    return render(
        request,
        "outcomes/huddles/board_measures.html",
        {"board": board, "board_path": tiers.path_to(board), "form": form, "conflict": conflict},
    )
