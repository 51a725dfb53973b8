"""Tiered huddle boards (outcomes.huddles): a board for every team, program, agency
and the state; each shows its own measures with their marks; a team's leading
measures roll up to the tier above as ratios of totals; the TV view serves every
tier."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Team
from outcomes.huddles import boards, tiers
from outcomes.models import Board, Tier
from outcomes.status import Status
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import months_back

pytestmark = pytest.mark.django_db


def _counts(widget, *, delivered, within, demand=None, month=0):
    f.WidgetCountFactory(
        widget=widget,
        period_start=months_back(month),
        demand=demand if demand is not None else delivered,
        delivered=delivered,
        within_standard=within,
        withdrawn=0,
        backlog=10,
        rework=0,
    )


@pytest.fixture
def program(agency_a):
    """A program with two teams: Big (300 delivered, all on time) and Small (100
    delivered, 40 on time) on the first team's board, Small alone on the second's."""
    program = f.ProgramFactory(agency=agency_a, name="Air permits")
    big = f.WidgetFactory(
        agency=agency_a, program=program, name="Big permit", status=WidgetStatus.APPROVED
    )
    small = f.WidgetFactory(
        agency=agency_a, program=program, name="Small permit", status=WidgetStatus.APPROVED
    )
    _counts(big, delivered=300, within=300, demand=310)
    _counts(small, delivered=100, within=40, demand=120)
    _counts(big, delivered=200, within=180, month=1)
    _counts(small, delivered=100, within=60, month=1)
    writers = f.TeamFactory(program=program, name="Permit writers")
    writers.board.widgets.add(big, small)
    inspectors = f.TeamFactory(program=program, name="Inspectors")
    inspectors.board.widgets.add(small)
    return {"program": program, "big": big, "small": small, "writers": writers}


def test_every_team_program_and_agency_gets_its_board_when_made(agency_a):
    program = f.ProgramFactory(agency=agency_a)
    team = Team.objects.create(program=program, name="Counter")
    assert Board.objects.get(tier=Tier.AGENCY, agency=agency_a)
    assert Board.objects.get(tier=Tier.PROGRAM, program=program).agency == agency_a
    board = Board.objects.get(tier=Tier.TEAM, team=team)
    assert (board.program, board.agency) == (program, agency_a)
    # The state's, made once, found after.
    assert Board.objects.state() == Board.objects.state()
    assert Board.objects.filter(tier=Tier.STATE).count() == 1


def test_ensure_boards_makes_only_what_is_missing(agency_a):
    program = f.ProgramFactory(agency=agency_a)
    Board.objects.filter(program=program).delete()
    Board.objects.state()
    before = Board.objects.count()
    boards.ensure_boards()
    boards.ensure_boards()
    assert Board.objects.count() == before + 1
    assert Board.objects.filter(tier=Tier.PROGRAM, program=program).exists()


def test_the_tiers_go_up_from_a_team_to_the_state(program, agency_a):
    team_board = program["writers"].board
    path = tiers.path_to(team_board)
    assert [b.tier for b in path] == [Tier.STATE, Tier.AGENCY, Tier.PROGRAM, Tier.TEAM]
    assert path[1].agency == agency_a and path[2].program == program["program"]
    assert tiers.above(Board.objects.state()) is None
    assert list(tiers.below(team_board)) == []


def test_a_team_board_shows_the_measures_chosen_for_it_with_their_marks(client, program, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:board", args=[program["writers"].board.pk]))
    assert response.status_code == 200
    shown = {t.name: t for t in response.context["tiles"].shown.tiles}
    assert set(shown) == {"Big permit", "Small permit"}
    # As the huddle board draws them: the on-time share, its standard, its trend.
    assert (shown["Small permit"].figure, shown["Small permit"].target) == ("40.0%", "90.0%")
    assert shown["Small permit"].status == Status.OFF_TRACK
    assert (shown["Small permit"].trend.arrow, shown["Small permit"].trend.said) == ("↓", "worse")
    assert response.context["tiles"].chosen


def test_a_program_board_with_nothing_chosen_shows_the_programs_own_measures(
    client, program, staff_a, agency_a
):
    outcome = f.OutcomeFactory(agency=agency_a, program=program["program"], name="Cleaner air")
    f.OutcomeFactory(agency=agency_a, name="Agency-wide outcome")
    client.force_login(staff_a)
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    response = client.get(reverse("outcomes:board", args=[board.pk]))
    names = {t.name for t in response.context["tiles"].shown.tiles}
    assert names == {"Big permit", "Small permit", outcome.name}
    assert not response.context["tiles"].chosen
    assert "No measures chosen for this board" in response.text


def test_a_teams_leading_measures_roll_up_as_ratios_of_totals(program, staff_a):
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    own = tiers.tiles(board, reader=staff_a)
    found = tiers.rollups(board, reader=staff_a, windows=own.windows)
    rows = {r.board.name: r for r in found.rows}
    writers = rows["Permit writers"]
    # (300 + 40) / (300 + 100) = 85.0%, not the average of 100% and 40% (70%).
    assert writers.current.on_time_share == Decimal("0.85")
    assert (writers.current.demand, writers.current.delivered) == (430, 400)
    # Last month: (180 + 60) / 300 = 80%: better now.
    assert writers.previous.on_time_share == Decimal("0.8")
    assert (writers.trend.arrow, writers.trend.said) == ("↑", "better")
    assert writers.widgets == 2
    assert dict(writers.tally) == {Status.OFF_TRACK: 1, Status.ON_TRACK: 1}
    inspectors = rows["Inspectors"]
    assert inspectors.current.on_time_share == Decimal("0.4")
    # Small permit is on both boards: it counts in each, and once in the total.
    assert found.total.widgets == 2
    assert found.total.current.delivered == 400


def test_an_agency_board_rolls_up_its_programs_and_the_state_its_agencies(
    program, staff_a, agency_a
):
    agency_board = Board.objects.get(tier=Tier.AGENCY, agency=agency_a)
    own = tiers.tiles(agency_board, reader=staff_a)
    rows = {
        r.board.name: r
        for r in tiers.rollups(agency_board, reader=staff_a, windows=own.windows).rows
    }
    # The program's board chose nothing: its own widgets roll up.
    assert rows["Air permits"].current.on_time_share == Decimal("0.85")
    state = Board.objects.state()
    own = tiers.tiles(state, reader=staff_a)
    rows = {r.board.name: r for r in tiers.rollups(state, reader=staff_a, windows=own.windows).rows}
    assert rows[agency_a.name].current.delivered == 400


def test_another_agencys_reader_never_sees_a_definition_under_review_rolled_up(
    program, staff_b, agency_a
):
    submitted = f.WidgetFactory(
        agency=agency_a, program=program["program"], status=WidgetStatus.SUBMITTED
    )
    _counts(submitted, delivered=1000, within=0)
    program["writers"].board.widgets.add(submitted)
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    own = tiers.tiles(board, reader=staff_b)
    rows = {r.board.name: r for r in tiers.rollups(board, reader=staff_b, windows=own.windows).rows}
    assert rows["Permit writers"].current.delivered == 400


def test_roll_up_queries_do_not_grow_with_the_boards_below(program, staff_a, agency_a):
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    program["writers"].board.outcomes.add(f.OutcomeFactory(agency=agency_a))
    own = tiers.tiles(board, reader=staff_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            tiers.rollups(board, reader=staff_a, windows=own.windows)
        return len(captured)

    few = queries()
    for n in range(6):
        team = f.TeamFactory(program=program["program"], name=f"Team {n:02}")
        widget = f.WidgetFactory(
            agency=agency_a, program=program["program"], status=WidgetStatus.APPROVED
        )
        _counts(widget, delivered=10, within=9)
        team.board.widgets.add(widget)
        team.board.outcomes.add(f.OutcomeFactory(agency=agency_a))
    assert queries() == few


@pytest.mark.parametrize("tier", [Tier.TEAM, Tier.PROGRAM, Tier.AGENCY, Tier.STATE])
def test_the_tv_view_works_for_every_tier(client, program, staff_a, agency_a, tier):
    f.OutcomeFactory(agency=agency_a, program=program["program"], name="Cleaner air")
    state = Board.objects.state()
    state.widgets.add(program["big"])
    board = {
        Tier.TEAM: program["writers"].board,
        Tier.PROGRAM: Board.objects.get(tier=Tier.PROGRAM, program=program["program"]),
        Tier.AGENCY: Board.objects.get(tier=Tier.AGENCY, agency=agency_a),
        Tier.STATE: state,
    }[tier]
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:board-tv", args=[board.pk]))
    assert response.status_code == 200
    assert response.context["board"].tiles
    assert "Big permit" in response.text
    assert board.full_name in response.text
    assert "data-refresh-seconds" in response.text


def test_a_manager_chooses_a_boards_measures_and_a_stale_form_is_refused(
    client, program, manager_a, agency_a
):
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    url = reverse("outcomes:board-measures", args=[board.pk])
    client.force_login(manager_a)
    response = client.post(url, {"version": board.version, "widgets": [program["big"].pk]})
    assert response.status_code == 302
    board.refresh_from_db()
    assert list(board.widgets.all()) == [program["big"]]
    # A form opened before that save: refused, nothing changed, theirs shown.
    response = client.post(url, {"version": board.version - 1, "widgets": [program["small"].pk]})
    assert response.status_code == 200
    assert "Someone else saved this board" in response.text
    assert list(board.widgets.all()) == [program["big"]]


def test_a_board_cannot_show_another_agencys_widget(client, program, manager_a, agency_b):
    board = Board.objects.get(tier=Tier.PROGRAM, program=program["program"])
    theirs = f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:board-measures", args=[board.pk]),
        {"version": board.version, "widgets": [theirs.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not board.widgets.exists()
