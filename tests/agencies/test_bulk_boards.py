"""Rows written in bulk (agencies.bulk.write) send no post_save; its
`created_in_bulk` gives each new agency, program and team its huddle board, as a
save one by one does (outcomes.huddles.boards), in one insert whatever their number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import bulk
from agencies.models import Agency, Program, Team
from outcomes.models import Board, Tier
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_agencies_programs_and_teams_written_in_bulk_get_their_boards(staff_a):
    agencies = [
        Agency(name=f"Bulk agency {n}", abbreviation=f"BA{n}", slug=f"ba{n}") for n in (1, 2)
    ]
    bulk.write(Agency, new=agencies, by=staff_a, reason="Bulk")
    programs = [Program(agency=agency, name="Permits") for agency in agencies]
    bulk.write(Program, new=programs, by=staff_a, reason="Bulk")
    teams = [Team(program=program, name="Intake") for program in programs]
    bulk.write(Team, new=teams, by=staff_a, reason="Bulk")
    for agency, program, team in zip(agencies, programs, teams, strict=True):
        assert Board.objects.get(tier=Tier.AGENCY, agency=agency)
        assert Board.objects.get(tier=Tier.PROGRAM, program=program, agency=agency)
        assert Board.objects.get(tier=Tier.TEAM, team=team, program=program, agency=agency)


def test_the_boards_of_many_teams_take_the_queries_of_one(staff_a):
    program = f.ProgramFactory()

    def teams(n):
        made = [Team(program=program, name=f"Team {n}.{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            bulk.write(Team, new=made, by=staff_a, reason="Bulk")
        assert Board.objects.filter(team__in=made).count() == n
        return len(queries)

    assert teams(1) == teams(8)
