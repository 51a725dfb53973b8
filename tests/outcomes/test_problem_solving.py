"""The three depths of problem solving as countermeasures and in the review pack:
an off-track outcome's countermeasure worked as a huddle problem (a quick fix, a
four-box or an A3) covers it at the review and is done when the problem is
solved; each A3 of the agency prints on a landscape page of the pack."""

import datetime as dt
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outcomes import packs, services
from outcomes.huddles import escalation, problems
from outcomes.models import Board, CountermeasureState, Depth, Problem, Tier
from tests import factories as f

from .conftest import months_back

pytestmark = pytest.mark.django_db

A3 = {
    "background": "Unhealthy air days harm children with asthma first.",
    "current_condition": "45 days a year, against a line of 32.",
    "goal": "Back on the line to 20 days by 2028.",
    "why_1": "Permits renewed late let old limits run on.",
    "why_2": "Renewals wait in one queue with new permits.",
    "root_cause": "One queue for renewals and new permits.",
    "countermeasure": "A renewals lane with its own writer.",
}


@pytest.fixture
def problem(world, agency_a, staff_a):
    """A problem about the world's off-track outcome, on the agency's own board."""
    board = Board.objects.get(tier=Tier.AGENCY, agency=agency_a)
    return problems.raise_problem(
        board=board,
        what="Unhealthy air days are far above the line.",
        where="Metro air basin",
        since=dt.date(2026, 6, 1),
        outcome=world["outcome"],
        by=staff_a,
    )


def test_an_off_track_outcomes_countermeasure_can_be_a_huddle_problem(
    client, world, problem, agency_a, manager_a
):
    review = services.create_review(agency=agency_a, month=months_back(0), by=manager_a)
    with pytest.raises(ValidationError, match="no open countermeasure"):
        services.close_review(review=review, by=manager_a)
    client.force_login(manager_a)
    response = client.post(reverse("outcomes:problem-countermeasure", args=[problem.pk]))
    assert response.status_code == 302
    countermeasure = problem.countermeasures.get()
    assert (countermeasure.outcome, countermeasure.state, countermeasure.agency) == (
        world["outcome"],
        CountermeasureState.OPEN,
        agency_a,
    )
    assert countermeasure.problem == problem.what
    # The outcome's page says how it is worked.
    page = client.get(world["outcome"].get_absolute_url()).text
    assert "Worked as a problem on" in page
    # The outcome is covered; the slow widget still needs one of its own.
    with pytest.raises(ValidationError) as refused:
        services.close_review(review=review, by=manager_a)
    assert "Cleaner air" not in str(refused.value) and "Water permit" in str(refused.value)


def test_only_managers_make_a_problem_a_countermeasure(problem, staff_a):
    with pytest.raises(PermissionDenied):
        problems.work_as_countermeasure(problem=problem, by=staff_a)
    assert not problem.countermeasures.exists()


def test_solving_the_problem_marks_its_countermeasure_done(problem, manager_a, staff_a):
    countermeasure = problems.work_as_countermeasure(problem=problem, by=manager_a)
    problem.refresh_from_db()
    problems.solve(
        problem=problem,
        depth=Depth.FOUR_BOX,
        values={"root_cause": "a", "countermeasure": "b", "result": "Down to 38 days."},
        by=staff_a,
        expected_version=problem.version,
        close=True,
    )
    countermeasure.refresh_from_db()
    assert countermeasure.state == CountermeasureState.DONE
    assert countermeasure.history.first().history_change_reason.startswith("Done: its problem")


def test_solved_higher_up_the_countermeasure_below_is_done_too(
    world, agency_a, staff_a, manager_a, admin_user
):
    """A countermeasure worked as a team's problem, which the tier above solves."""
    team = f.TeamFactory(program=world["program"], name="Permit writers")
    low = problems.raise_problem(
        board=team.board,
        what="Renewals wait.",
        where="Intake",
        since=dt.date(2026, 6, 1),
        outcome=world["outcome"],
        by=staff_a,
    )
    countermeasure = problems.work_as_countermeasure(problem=low, by=manager_a)
    low.refresh_from_db()
    high = escalation.escalate(problem=low, by=manager_a, expected_version=low.version)
    problems.solve(
        problem=high,
        depth=Depth.QUICK_FIX,
        values={"fix_note": "A second writer.", "fix_date": dt.date(2026, 11, 20)},
        by=manager_a,
        expected_version=high.version,
        close=True,
    )
    countermeasure.refresh_from_db()
    assert countermeasure.state == CountermeasureState.DONE


def test_the_countermeasure_form_offers_the_problems_about_its_outcome(
    client, world, problem, agency_a, manager_a
):
    other = problems.raise_problem(
        board=problem.board, what="Not about air.", where="x", since=dt.date(2026, 6, 1),
        by=manager_a,
    )  # fmt: skip
    client.force_login(manager_a)
    url = reverse("outcomes:countermeasure-create", args=[agency_a.slug])
    response = client.get(url, {"outcome": world["outcome"].pk})
    choices = list(response.context["form"].fields["huddle_problem"].queryset)
    assert choices == [problem] and other not in choices
    response = client.post(
        url,
        {"outcome": world["outcome"].pk, "problem": "Far above the line.", "action": "See it.",
         "due_date": "2027-01-31", "state": "open", "huddle_problem": problem.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert problem.countermeasures.get().action == "See it."


def _a3(problem, by, *, close=False):
    values = dict(A3)
    if close:
        values.update(
            follow_up="Counted for three months.",
            measure_after=Decimal("38"),
            measure_after_on=dt.date(2026, 11, 1),
        )
    return problems.solve(
        problem=problem,
        depth=Depth.A3,
        values=values,
        by=by,
        expected_version=problem.version,
        close=close,
    )


def test_the_a3_page_shows_every_part_with_its_chart_and_plan(client, problem, staff_a):
    problems.add_action(
        problem=problem, what="Open a renewals lane", due_date=dt.date(2027, 1, 15),
        owner=staff_a, by=staff_a,
    )  # fmt: skip
    problem.refresh_from_db()
    _a3(problem, staff_a, close=True)
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:problem-a3", args=[problem.pk]))
    assert response.status_code == 200
    text = response.text
    for part in (
        "1. Background",
        "2. Current condition: 45 days in",
        "3. Goal",
        "4. Root cause",
        "Why?",
        "5. Countermeasures",
        "6. Plan",
        "Open a renewals lane",
        "7. Follow-up",
        "The measure after:</strong> 38 days (1 November 2026)",
    ):
        assert part in text, part
    assert response.context["sheet"].condition.chart is not None


def test_a_problem_without_an_a3_has_no_a3_page(client, problem, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("outcomes:problem-a3", args=[problem.pk])).status_code == 404


def test_each_a3_of_the_agency_prints_on_a_landscape_page_of_the_pack(
    world, problem, agency_a, staff_a, manager_a
):
    _a3(problem, staff_a, close=True)
    solved_long_ago = problems.raise_problem(
        board=problem.board, what="An old one.", where="x", since=dt.date(2025, 1, 1),
        outcome=world["outcome"], by=staff_a,
    )  # fmt: skip
    _a3(solved_long_ago, staff_a, close=True)
    Problem.objects.filter(pk=solved_long_ago.pk).update(
        solved_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    )
    review = services.create_review(agency=agency_a, month=months_back(0), by=manager_a)
    assert list(packs.review_a3s(review)) == [problem]
    document = pdfium.PdfDocument(packs.render_pack(review, by=manager_a))
    landscape = [
        page.get_textpage().get_text_range()
        for page in document
        if page.get_size()[0] > page.get_size()[1]
    ]
    assert len(landscape) == 1  # one A3, on one page
    assert "A3: Unhealthy air days are far above the line." in landscape[0]
    assert "The measure after: 38 days" in landscape[0]
    document.close()
