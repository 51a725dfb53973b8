"""Every team, program and agency has its board from the day it is made, and the
state has one: made here, by signal (connected in outcomes.apps; for rows made
in bulk by agencies.bulk.write, its `created_in_bulk`) and by
`ensure_boards` (the migration, seed_demo), so no page has to make one. And the
choice of a board's measures (`choose_measures`)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_save

from agencies.bulk import created_in_bulk
from agencies.errors import EditConflict, require_version
from agencies.models import Agency, Program, Team
from agencies.scoping import MANAGER, can_change

from ..models import Board, Tier


def board_for_agency(agency):
    board, _ = Board.objects.get_or_create(tier=Tier.AGENCY, agency=agency)
    return board


def board_for_program(program):
    board, _ = Board.objects.get_or_create(
        tier=Tier.PROGRAM, program=program, defaults={"agency_id": program.agency_id}
    )
    return board


def board_for_team(team):
    board, _ = Board.objects.get_or_create(
        tier=Tier.TEAM,
        team=team,
        defaults={"program_id": team.program_id, "agency_id": team.program.agency_id},
    )
    return board


def ensure_boards():
    """Make every board that is missing (the state's too)."""
    Board.objects.state()
    for agency in Agency.objects.filter(boards__isnull=True):
        board_for_agency(agency)
    for program in Program.objects.exclude(boards__tier=Tier.PROGRAM):
        board_for_program(program)
    for team in Team.objects.filter(board__isnull=True).select_related("program"):
        board_for_team(team)


def _made(maker):
    def receiver(sender, instance, created, raw=False, **kwargs):
        if created and not raw:  # not while loading fixtures
            maker(instance)

    return receiver


_RECEIVERS = {
    Agency: _made(board_for_agency),
    Program: _made(board_for_program),
    Team: _made(board_for_team),
}


def _boards_of(sender, objs, **kwargs):
    """The boards of agencies, programs or teams made in bulk (agencies.bulk.write), in
    one insert: nothing else has made them, as nobody else sees the rows yet."""
    if sender is Agency:
        boards = [Board(tier=Tier.AGENCY, agency=agency) for agency in objs]
    elif sender is Program:
        boards = [Board(tier=Tier.PROGRAM, program=p, agency_id=p.agency_id) for p in objs]
    elif sender is Team:
        boards = [
            Board(tier=Tier.TEAM, team=t, program_id=t.program_id, agency_id=t.program.agency_id)
            for t in objs
        ]
    else:
        return
    Board.objects.bulk_create(boards)


def connect():
    for model, receiver in _RECEIVERS.items():
        post_save.connect(receiver, sender=model, dispatch_uid=f"board-for-{model.__name__}")
    created_in_bulk.connect(_boards_of, dispatch_uid="boards-of-bulk")


@transaction.atomic
def choose_measures(*, board, widgets, outcomes, by, expected_version):
    """Set the widgets and outcomes a board shows; refused (EditConflict) when
    someone saved the board's choice since the form was opened."""
    if not can_change(by, board.agency_id, MANAGER):
        raise PermissionDenied(
            "Only managers of the board's agency (admins, for the state's) choose its measures."
        )
    current = Board.objects.select_for_update().get(pk=board.pk)
    if current.version != require_version(expected_version):
        raise EditConflict(current)
    for chosen in (*widgets, *outcomes):
        if board.agency_id is not None and chosen.agency_id != board.agency_id:
            raise PermissionDenied("A board shows only its own agency's widgets and outcomes.")
    current.widgets.set(widgets)
    current.outcomes.set(outcomes)
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    return current
