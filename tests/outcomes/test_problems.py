"""The problem log of each board (outcomes.huddles.problems, .log): raise a problem,
plan its actions, escalate it up the tiers with its history kept in both places,
solve it at one of the three depths; who may do each."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.errors import EditConflict
from outcomes.huddles import escalation, log, problems, tiers
from outcomes.models import Board, Depth, Problem, ProblemStatus, Tier
from tests import factories as f
from widgets.models import WidgetStatus

pytestmark = pytest.mark.django_db
SINCE = dt.date(2026, 10, 1)


@pytest.fixture
def team(agency_a):
    program = f.ProgramFactory(agency=agency_a, name="Air permits")
    return f.TeamFactory(program=program, name="Permit writers")


@pytest.fixture
def widget(agency_a, team):
    return f.WidgetFactory(
        agency=agency_a, program=team.program, name="Air permit", status=WidgetStatus.APPROVED
    )


def _raise(board, by, **kwargs):
    values = {"what": "Applications wait 12 days at intake.", "where": "Intake", "since": SINCE}
    return problems.raise_problem(board=board, by=by, **{**values, **kwargs})


def _reasons(problem):
    return [h.history_change_reason for h in problem.history.order_by("history_id")]


def test_a_team_member_raises_a_problem_on_the_team_board(client, team, widget, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("outcomes:problem-create", args=[team.board.pk]),
        {"what": "Applications wait 12 days at intake.", "where": "Intake", "since": "2026-10-01",
         "widget": widget.pk},
    )  # fmt: skip
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    assert (problem.board, problem.status, problem.widget) == (
        team.board,
        ProblemStatus.OPEN,
        widget,
    )
    assert problem.owner == staff_a == problem.raised_by  # blank owner: whoever raised it
    assert _reasons(problem) == ["Raised"]
    board_page = client.get(reverse("outcomes:board", args=[team.board.pk]))
    assert [p.pk for p in board_page.context["log"].active] == [problem.pk]


def test_only_staff_of_the_boards_agency_raise_problems_on_it(client, team, staff_b):
    with pytest.raises(PermissionDenied):
        _raise(team.board, staff_b)
    client.force_login(staff_b)
    response = client.post(reverse("outcomes:problem-create", args=[team.board.pk]), {})
    assert response.status_code == 403
    assert not Problem.objects.exists()


def test_a_problem_names_its_own_agencys_measure_and_no_future(team, staff_a, agency_b):
    theirs = f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    with pytest.raises(ValidationError, match="own agency"):
        _raise(team.board, staff_a, widget=theirs)
    with pytest.raises(ValidationError, match="future"):
        _raise(team.board, staff_a, since=timezone.localdate() + dt.timedelta(days=1))
    assert not Problem.objects.exists()


def test_the_first_action_starts_solving_and_actions_are_done_with_a_date(team, staff_a):
    problem = _raise(team.board, staff_a)
    action = problems.add_action(
        problem=problem, what="Sort the queue", due_date=dt.date(2026, 12, 10), by=staff_a
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SOLVING
    problems.complete_action(action=action, done_on=dt.date(2026, 11, 30), by=staff_a)
    action.refresh_from_db()
    assert action.done_on == dt.date(2026, 11, 30)
    assert _reasons(problem) == ["Raised", "Solving: first action planned"]


def test_escalation_goes_up_one_tier_with_the_history_kept_in_both_places(
    client, team, widget, staff_a, manager_a
):
    problem = _raise(team.board, staff_a, widget=widget)
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:problem-escalate", args=[problem.pk]), {"version": problem.version}
    )
    problem.refresh_from_db()
    above = problem.escalated_to
    assert response.status_code == 302 and response.url == above.get_absolute_url()
    program_board = Board.objects.get(tier=Tier.PROGRAM, program=team.program)
    # The tier above has a problem of its own, saying where it came from.
    assert (above.board, above.status, above.escalated_from) == (
        program_board,
        ProblemStatus.OPEN,
        problem,
    )
    assert (above.what, above.where, above.since, above.widget) == (
        problem.what,
        problem.where,
        problem.since,
        widget,
    )
    assert problem.status == ProblemStatus.ESCALATED
    assert _reasons(problem) == ["Raised", f"Escalated to {program_board.full_name}"]
    assert _reasons(above) == [f"Came up from {team.board.full_name}"]
    # Each board sees it: the team's as sent up, the program's as come up from the team.
    team_log, program_log = log.log(team.board), log.log(program_board)
    assert [p.pk for p in team_log.escalated] == [problem.pk] and not team_log.active
    assert [p.pk for p in program_log.active] == [above.pk] and program_log.came_up == 1
    page = client.get(reverse("outcomes:board", args=[program_board.pk])).text
    assert "Came up from" in page and team.board.full_name in page
    # Either problem's page tells the whole story, every step on every board.
    for one in (problem, above):
        story = client.get(one.get_absolute_url())
        assert [p.pk for p in story.context["chain"]] == [problem.pk, above.pk]
        reasons = [e.reason for e in story.context["history"]]
        assert "Raised" in reasons and f"Came up from {team.board.full_name}" in reasons


def test_only_managers_escalate(client, team, staff_a):
    problem = _raise(team.board, staff_a)
    with pytest.raises(PermissionDenied):
        escalation.escalate(problem=problem, by=staff_a, expected_version=problem.version)
    client.force_login(staff_a)
    response = client.post(
        reverse("outcomes:problem-escalate", args=[problem.pk]), {"version": problem.version}
    )
    assert response.status_code == 403
    problem.refresh_from_db()
    assert (
        problem.status == ProblemStatus.OPEN
        and not Problem.objects.filter(escalated_from=problem).exists()
    )


def test_up_to_the_state_and_no_further_where_only_admins_work_it(
    team, staff_a, manager_a, admin_user
):
    problem = _raise(team.board, staff_a)
    for tier in (Tier.PROGRAM, Tier.AGENCY, Tier.STATE):
        problem = escalation.escalate(
            problem=problem,
            by=manager_a,
            expected_version=problem.version,
        )
        assert problem.board.tier == tier
    assert problem.board == Board.objects.state()
    with pytest.raises(PermissionDenied):  # the state's problems are the admins'
        problems.add_action(problem=problem, what="x", due_date=SINCE, by=manager_a)
    with pytest.raises(ValidationError, match="top tier"):
        escalation.escalate(problem=problem, by=admin_user, expected_version=problem.version)
    assert len(log.chain(problem)) == 4


def test_the_states_board_is_made_when_a_problem_first_comes_up_to_it(team, staff_a, manager_a):
    Board.objects.filter(tier=Tier.STATE).delete()  # a fresh database: none made yet
    problem = _raise(team.board, staff_a)
    for _ in (Tier.PROGRAM, Tier.AGENCY, Tier.STATE):
        problem = escalation.escalate(
            problem=problem, by=manager_a, expected_version=problem.version
        )
    assert problem.board == Board.objects.get(tier=Tier.STATE)


def test_solved_at_the_top_the_boards_below_see_it_solved(client, team, widget, staff_a, manager_a):
    problem = _raise(team.board, staff_a, widget=widget)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    problems.solve(
        problem=above,
        depth=Depth.FOUR_BOX,
        values={"root_cause": "One writer on intake.", "countermeasure": "Two writers on "
                "Mondays.", "result": "Down to 4 days."},
        by=manager_a,
        expected_version=above.version,
        close=True,
    )  # fmt: skip
    client.force_login(staff_a)
    team_page = client.get(reverse("outcomes:board", args=[team.board.pk])).text
    assert "Solved" in team_page and "Four-box" in team_page
    story = client.get(problem.get_absolute_url()).context["chain"]
    assert [p.status for p in story] == [ProblemStatus.ESCALATED, ProblemStatus.SOLVED]


def test_a_stale_page_cannot_escalate_or_solve(team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    stale = problem.version
    problems.update_problem(problem=problem, by=staff_a, expected_version=stale, where="Counter")
    with pytest.raises(EditConflict):
        escalation.escalate(problem=problem, by=manager_a, expected_version=stale)
    with pytest.raises(EditConflict):
        problems.solve(
            problem=problem,
            depth=Depth.QUICK_FIX,
            values={"fix_note": "x", "fix_date": SINCE},
            by=staff_a,
            expected_version=stale,
            close=True,
        )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN and problem.where == "Counter"


def test_a_quick_fix_closes_with_a_note_and_a_date(team, staff_a):
    problem = _raise(team.board, staff_a)
    with pytest.raises(ValidationError, match="the date it was done"):
        problems.solve(
            problem=problem,
            depth=Depth.QUICK_FIX,
            values={"fix_note": "Replaced the pump."},
            by=staff_a,
            expected_version=problem.version,
            close=True,
        )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN
    solved = problems.solve(
        problem=problem,
        depth=Depth.QUICK_FIX,
        values={"fix_note": "Replaced the pump.", "fix_date": dt.date(2026, 11, 2)},
        by=staff_a,
        expected_version=problem.version,
        close=True,
    )
    assert (solved.status, solved.depth) == (ProblemStatus.SOLVED, Depth.QUICK_FIX)
    assert solved.solved_at is not None
    assert _reasons(solved)[-1] == "Solved (quick fix)"


A3 = {
    "background": "Permits are the first step of every new plant.",
    "current_condition": "12 days at intake.",
    "goal": "5 days by March.",
    "why_1": "Writers pick up files in batches.",
    "root_cause": "Batching at intake.",
    "countermeasure": "One piece flow at intake.",
}


def test_an_a3_is_saved_as_it_grows_and_closes_only_with_the_measure_after(team, widget, staff_a):
    problem = _raise(team.board, staff_a, widget=widget)
    problem = problems.solve(
        problem=problem, depth=Depth.A3, values=A3, by=staff_a, expected_version=problem.version
    )
    assert (problem.status, problem.depth) == (ProblemStatus.SOLVING, Depth.A3)
    with pytest.raises(ValidationError, match="the follow-up, the measure after"):
        problems.solve(
            problem=problem, depth=Depth.A3, values={}, by=staff_a,
            expected_version=problem.version, close=True,
        )  # fmt: skip
    closed = problems.solve(
        problem=problem,
        depth=Depth.A3,
        values={
            "follow_up": "Checked the queue for eight weeks.",
            "measure_after": Decimal("93.5"),
            "measure_after_on": dt.date(2026, 11, 1),
        },
        by=staff_a,
        expected_version=problem.version,
        close=True,
    )
    assert closed.status == ProblemStatus.SOLVED
    assert closed.measure_after == Decimal("93.5")


def test_an_a3_needs_a_measure_to_follow(team, staff_a):
    problem = _raise(team.board, staff_a)
    with pytest.raises(ValidationError, match="An A3 follows a measure"):
        problems.solve(
            problem=problem, depth=Depth.A3, values=A3, by=staff_a,
            expected_version=problem.version,
        )  # fmt: skip


def test_a_closed_problem_is_no_longer_edited(team, staff_a):
    problem = _raise(team.board, staff_a)
    problem = problems.solve(
        problem=problem,
        depth=Depth.FOUR_BOX,
        values={"root_cause": "a", "countermeasure": "b", "result": "c"},
        by=staff_a,
        expected_version=problem.version,
        close=True,
    )
    with pytest.raises(ValidationError, match="no longer edited"):
        problems.update_problem(problem=problem, by=staff_a, expected_version=problem.version)


def test_a_boards_log_reads_the_same_queries_for_one_problem_or_many(team, staff_a, manager_a):
    _raise(team.board, staff_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            log.log(team.board)
        return len(captured)

    few = queries()
    for n in range(8):
        problem = _raise(team.board, staff_a, what=f"Problem {n}")
        problems.add_action(problem=problem, what="Look", due_date=SINCE, by=staff_a)
        if n % 3 == 0:
            escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version + 1)
    assert queries() == few


def test_the_board_index_counts_each_boards_open_problems(client, team, staff_a):
    _raise(team.board, staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:boards"))
    assert response.status_code == 200
    assert "team, 1 open" in response.text
    assert tiers.above(team.board).name in response.text


# --- sent back down: escalation the other way ---------------------------------------

NOTE = "Intake is the team's to fix: the program lends a second writer on Mondays."


def test_the_tier_above_sends_a_problem_back_down_saying_why_and_both_boards_keep_it(
    client, team, widget, staff_a, manager_a
):
    problem = _raise(team.board, staff_a, widget=widget)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    program_board = above.board
    client.force_login(manager_a)
    url = reverse("outcomes:problem-send-back", args=[above.pk])
    assert f"Send back down to {team.board.full_name}" in client.get(above.get_absolute_url()).text
    response = client.post(url, {"sent_back_note": NOTE, "version": above.version})
    problem.refresh_from_db()
    above.refresh_from_db()
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    # Below: open again, the team's to solve; above: no longer worked, and why.
    assert (problem.status, above.status) == (ProblemStatus.OPEN, ProblemStatus.SENT_BACK)
    assert above.sent_back_note == NOTE
    assert _reasons(problem)[-1] == f"Sent back down from {program_board.full_name}"
    assert _reasons(above)[-1] == f"Sent back down to {team.board.full_name}"
    team_log, program_log = log.log(team.board), log.log(program_board)
    assert [p.pk for p in team_log.active] == [problem.pk] and not team_log.escalated
    assert not program_log.active and [p.pk for p in program_log.sent_back] == [above.pk]
    board_page = client.get(reverse("outcomes:board", args=[program_board.pk])).text
    assert "Sent back down lately" in board_page
    page = client.get(above.get_absolute_url()).text
    assert "Sent back down to" in page and "lends a second writer" in page
    # Either page tells the step, on both boards, and why.
    history = client.get(problem.get_absolute_url()).context["history"]
    reasons = [e.reason for e in history]
    assert f"Sent back down to {team.board.full_name}" in reasons
    assert f"Sent back down from {program_board.full_name}" in reasons
    assert NOTE in str([e.changes for e in history])


def test_a_problem_being_worked_goes_back_being_solved_and_may_come_up_again(
    team, widget, staff_a, manager_a
):
    problem = _raise(team.board, staff_a, widget=widget)
    problems.add_action(problem=problem, what="Count the queue daily", due_date=SINCE, by=staff_a)
    problem.refresh_from_db()
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    back = escalation.send_back(
        problem=above, note=NOTE, by=manager_a, expected_version=above.version
    )
    assert back.pk == problem.pk and back.status == ProblemStatus.SOLVING
    # It did not work out below: up again, to the same problem above, one story.
    again = escalation.escalate(problem=back, by=manager_a, expected_version=back.version)
    assert again.pk == above.pk
    assert (again.status, again.sent_back_note) == (ProblemStatus.OPEN, "")
    assert _reasons(again)[-1] == f"Came up again from {team.board.full_name}"
    assert [p.pk for p in log.chain(problem)] == [problem.pk, above.pk]
    assert Problem.objects.count() == 2


def test_sending_back_needs_a_reason_said_beside_its_field_and_changes_nothing(
    client, team, staff_a, manager_a
):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    client.force_login(manager_a)
    url = reverse("outcomes:problem-send-back", args=[above.pk])
    response = client.post(url, {"sent_back_note": "  ", "version": above.version})
    assert response.status_code == 200
    assert response.context["form"].errors["sent_back_note"] == ["This field is required."]
    with pytest.raises(ValidationError, match="Say why it goes back down"):
        escalation.send_back(problem=above, note="", by=manager_a, expected_version=above.version)
    above.refresh_from_db()
    problem.refresh_from_db()
    assert (above.status, problem.status) == (ProblemStatus.OPEN, ProblemStatus.ESCALATED)


def test_only_managers_send_back_and_only_what_came_up(client, team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    with pytest.raises(ValidationError, match="came up"):  # raised here: nowhere to go back
        escalation.send_back(
            problem=problem, note=NOTE, by=manager_a, expected_version=problem.version
        )
    client.force_login(manager_a)
    assert client.get(reverse("outcomes:problem-send-back", args=[problem.pk])).status_code == 404
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    with pytest.raises(PermissionDenied):
        escalation.send_back(problem=above, note=NOTE, by=staff_a, expected_version=above.version)
    client.force_login(staff_a)
    url = reverse("outcomes:problem-send-back", args=[above.pk])
    response = client.post(url, {"sent_back_note": NOTE, "version": above.version})
    assert response.status_code == 403
    assert "Send back down" not in client.get(above.get_absolute_url()).text
    above.refresh_from_db()
    assert above.status == ProblemStatus.OPEN


def test_a_stale_page_cannot_send_back(client, team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    stale = above.version
    problems.update_problem(problem=above, by=manager_a, expected_version=stale, where="Counter")
    client.force_login(manager_a)
    url = reverse("outcomes:problem-send-back", args=[above.pk])
    response = client.post(url, {"sent_back_note": NOTE, "version": stale})
    assert response.status_code == 200 and "Someone else saved this problem" in response.text
    above.refresh_from_db()
    problem.refresh_from_db()
    assert (above.status, problem.status) == (ProblemStatus.OPEN, ProblemStatus.ESCALATED)


def test_the_database_refuses_a_problem_sent_back_without_why(team, staff_a, manager_a):
    from django.db import IntegrityError, transaction

    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=above.pk).update(status=ProblemStatus.SENT_BACK)
    with pytest.raises(IntegrityError), transaction.atomic():  # raised here: nothing to go back to
        Problem.objects.filter(pk=problem.pk).update(
            status=ProblemStatus.SENT_BACK, sent_back_note=NOTE
        )


def test_a_long_board_name_is_kept_whole_in_the_history(agency_a, staff_a, manager_a):
    """Program and team names may be 200 characters: history keeps the reason whole,
    neither refused nor cut short."""
    program = f.ProgramFactory(agency=agency_a, name="Program " + "p" * 180)
    team = f.TeamFactory(program=program, name="Team " + "t" * 180)
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    escalation.send_back(problem=above, note=NOTE, by=manager_a, expected_version=above.version)
    escalated = _reasons(problem)[1]
    assert escalated.startswith("Escalated to Program pp")
    assert program.name in escalated and "…" not in escalated


# --- what escalation and sending back say, and who holds the problem above ---------


def _messages(error):
    return error.value.messages


def test_the_problem_above_is_the_escalating_managers_and_starts_at_its_first_version(
    team, staff_a, manager_a
):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    above.refresh_from_db()
    assert (above.owner, above.raised_by, above.version) == (manager_a, manager_a, 1)


def test_coming_up_again_carries_what_the_board_below_changed_meanwhile(team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    back = escalation.send_back(
        problem=above, note=NOTE, by=manager_a, expected_version=above.version
    )
    back = problems.update_problem(
        problem=back, by=staff_a, expected_version=back.version, where="Counter"
    )
    again = escalation.escalate(problem=back, by=manager_a, expected_version=back.version)
    again.refresh_from_db()
    assert (again.pk, again.where, again.what) == (above.pk, "Counter", back.what)


def test_only_a_problem_still_worked_is_escalated_and_the_refusal_says_its_status(
    team, staff_a, manager_a
):
    problem = problems.solve(
        problem=_raise(team.board, staff_a),
        depth=Depth.QUICK_FIX,
        values={"fix_note": "Replaced the pump.", "fix_date": SINCE},
        by=staff_a,
        expected_version=1,
        close=True,
    )
    with pytest.raises(ValidationError) as refused:
        escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    assert _messages(refused) == [
        "Only an open problem, or one being solved, is escalated; this one is solved."
    ]
    assert not Problem.objects.filter(escalated_from=problem).exists()


def test_refusals_to_escalate_say_who_may_and_where_the_top_is(team, staff_a, admin_user):
    problem = _raise(team.board, staff_a)
    with pytest.raises(PermissionDenied, match=r"can escalate problems from this board\.$"):
        escalation.escalate(problem=problem, by=staff_a, expected_version=problem.version)
    top = _raise(Board.objects.state(), admin_user)
    with pytest.raises(ValidationError) as refused:
        escalation.escalate(problem=top, by=admin_user, expected_version=top.version)
    assert _messages(refused) == ["The state's board is the top tier: there is no board above it."]


def test_refusals_to_send_back_say_why_beside_the_note_or_in_words(team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    with pytest.raises(ValidationError) as refused:
        escalation.send_back(
            problem=problem, note=NOTE, by=manager_a, expected_version=problem.version
        )
    assert _messages(refused) == ["Only a problem that came up from the board below is sent back."]
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    with pytest.raises(PermissionDenied, match=r"can send problems back from this board\.$"):
        escalation.send_back(problem=above, note=NOTE, by=staff_a, expected_version=above.version)
    with pytest.raises(ValidationError) as refused:
        escalation.send_back(problem=above, note=None, by=manager_a, expected_version=above.version)
    assert refused.value.message_dict == {
        "sent_back_note": ["Say why it goes back down, and what help comes with it."]
    }


def test_a_problem_sent_back_once_is_not_sent_back_again(team, staff_a, manager_a):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    escalation.send_back(problem=above, note=NOTE, by=manager_a, expected_version=above.version)
    above.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        escalation.send_back(problem=above, note=NOTE, by=manager_a, expected_version=above.version)
    assert _messages(refused) == [
        "Only an open problem, or one being solved, is sent back; this one is sent back down."
    ]


def test_nothing_is_sent_back_to_a_problem_below_that_no_longer_waits_on_the_board_above(
    team, staff_a, manager_a
):
    problem = _raise(team.board, staff_a)
    above = escalation.escalate(problem=problem, by=manager_a, expected_version=problem.version)
    # Not reachable through the services (a problem escalated is no longer edited below):
    # the check guards the step against a problem below changed some other way.
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.OPEN)
    with pytest.raises(ValidationError) as refused:
        escalation.send_back(problem=above, note=NOTE, by=manager_a, expected_version=above.version)
    assert _messages(refused) == [
        "The problem below is open, not waiting on this board: there is nothing to send back."
    ]
    above.refresh_from_db()
    assert above.status == ProblemStatus.OPEN
