"""Queries per page do not grow with rows (issue 11).

Every list, detail and dashboard page answers with the same number of queries
when the agency holds 1 of everything and when it holds 500: widgets, segments,
counts, surveys, outcomes, measurements, contributions, countermeasures, API
tokens, count uploads, members, and 500 periods of history on one widget and one
outcome. The page cache is emptied before each request, so this counts the
queries that build the page (what the first reader after a write pays).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import middleware
from agencies.models import Membership, Role, Team
from customers.models import CustomerSegment
from outcomes.dashboard import add_months, reference_month
from outcomes.models import (
    Board,
    Contribution,
    Countermeasure,
    Measurement,
    Outcome,
    Problem,
    ProblemAction,
    Tier,
)
from widgets.api import tokens as api_tokens
from widgets.api.tokens import issue_token
from widgets.models import (
    ApiToken,
    CountUpload,
    InvitationBatch,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyResult,
    SurveyStatus,
    Widget,
    WidgetCount,
    WidgetStatus,
)

from . import factories as f

pytestmark = pytest.mark.django_db
SIZES = (1, 500)


class World:
    """One agency whose rows grow by `grow(n)`; its first widget and outcome get
    n more periods of history each time."""

    def __init__(self, agency, manager):
        self.agency, self.manager = agency, manager
        self.program = f.ProgramFactory(agency=agency)
        self.size = 0
        self.widget = self.outcome = self.review = self.segment = self.survey = None
        self.team_board = self.problem = None
        # A backlog that does not balance at every size: the balance check reads the
        # rows it flags in a second query (widgets.flow.balance_failures), so a world
        # with none would read one query fewer than a world with some, whatever its size.
        gap = f.WidgetFactory(
            agency=agency, program=self.program, name="Unbalanced", status=WidgetStatus.APPROVED
        )
        for months_back in (1, 0):
            f.WidgetCountFactory(
                widget=gap, period_start=add_months(reference_month(), -months_back)
            )

    def grow(self, n):
        agency, first = self.agency, self.size
        numbers = range(first, first + n)
        segments = CustomerSegment.objects.bulk_create(
            [f.CustomerSegmentFactory.build(agency=agency, name=f"Segment {i}") for i in numbers]
        )
        widgets = Widget.objects.bulk_create(
            [
                f.WidgetFactory.build(
                    agency=agency,
                    program=self.program,
                    owner=self.manager,
                    name=f"Widget {i}",
                    status=WidgetStatus.SUBMITTED if i % 10 == 9 else WidgetStatus.APPROVED,
                )
                for i in numbers
            ]
        )
        self.widget = self.widget or widgets[0]
        self.segment = self.segment or segments[0]
        through = Widget.customer_segments.through
        through.objects.bulk_create(
            [through(widget=w, customersegment=s) for w, s in zip(widgets, segments, strict=True)]
            + [through(widget=w, customersegment=self.segment) for w in widgets[1:]]
        )
        last = reference_month()
        upload = CountUpload.objects.create(agency=agency, file_name="counts.csv")
        counts = [f.WidgetCountFactory.build(widget=w, period_start=last) for w in widgets[1:]]
        counts += [
            # The factory's counts do not balance (20 + 100 - 90 - 5 = 25, not 20): half
            # of them say why, so the dashboard lists gaps with a reason and without.
            f.WidgetCountFactory.build(
                widget=self.widget,
                period_start=add_months(last, -i),
                upload=upload,
                balance_note="Files moved in." if i % 2 else "",
            )
            for i in numbers
        ]
        WidgetCount.objects.bulk_create(counts)
        CountUpload.objects.bulk_create(
            [CountUpload(agency=agency, file_name=f"counts-{i}.csv") for i in numbers]
        )
        quarter = dt.date(last.year, (last.month - 1) // 3 * 3 + 1, 1)
        SurveyResult.objects.bulk_create(
            [f.SurveyResultFactory.build(widget=w, period_start=quarter) for w in widgets]
        )
        # The first widget's hosted survey: a batch of invitations and an answer with a
        # comment in each of n months.
        if self.survey is None:
            self.survey = Survey.objects.create(
                widget=self.widget, title="How was it?", status=SurveyStatus.PUBLISHED
            )
        batches = InvitationBatch.objects.bulk_create(
            [
                InvitationBatch(
                    survey=self.survey, period_start=add_months(last, -i), channel="mail", size=1
                )
                for i in numbers
            ]
        )
        SurveyInvitation.objects.bulk_create([SurveyInvitation(batch=b) for b in batches])
        SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    survey=self.survey,
                    period_start=add_months(last, -i),
                    channel="online" if i % 2 else "",
                    language="es" if i % 3 else "en",
                    satisfaction=i % 5 + 1,
                    comment=f"Comment {i}",
                )
                for i in numbers
            ]
        )
        outcomes = Outcome.objects.bulk_create(
            [f.OutcomeFactory.build(agency=agency, name=f"Outcome {i}") for i in numbers]
        )
        self.outcome = self.outcome or outcomes[0]
        Contribution.objects.bulk_create(
            [
                Contribution(outcome=o, widget=w, rationale="Each one moves the outcome.")
                for o, w in zip(outcomes, widgets, strict=True)
            ]
        )
        Measurement.objects.bulk_create(
            [
                Measurement(outcome=self.outcome, date=add_months(last, -i), value=Decimal(i))
                for i in numbers
            ]
            + [Measurement(outcome=o, date=last, value=Decimal("30")) for o in outcomes[1:]]
        )
        countermeasures = Countermeasure.objects.bulk_create(
            [f.CountermeasureFactory.build(outcome=o, agency=agency) for o in outcomes]
        )
        if self.review is None:
            self.review = f.ReviewFactory(agency=agency, month=last)
        self.review.countermeasures.add(*countermeasures)
        ApiToken.objects.bulk_create(
            [
                ApiToken(agency=agency, name=f"System {i}", prefix=f"p{i}", key_hash="x")
                for i in numbers
            ]
        )
        people = [f.UserFactory.build(username=f"member{i}") for i in numbers]
        for person in people:
            person.password = "!"  # unusable: bulk_create skips the factory's hashing
        get_user = type(self.manager).objects
        Membership.objects.bulk_create(
            [
                Membership(agency=agency, user=u, role=Role.STAFF)
                for u in get_user.bulk_create(people)
            ]
        )
        # Huddles: a team per row, each board showing a widget and holding a problem
        # with an action, all on the first team's board too.
        teams = Team.objects.bulk_create(
            [Team(program=self.program, name=f"Team {i}") for i in numbers]
        )
        boards = Board.objects.bulk_create(
            [Board(tier=Tier.TEAM, team=t, program=self.program, agency=agency) for t in teams]
        )
        self.team_board = self.team_board or boards[0]
        shown = Board.widgets.through
        shown.objects.bulk_create(
            [shown(board=b, widget=w) for b, w in zip(boards, widgets, strict=True)]
            + [shown(board=self.team_board, widget=w) for w in widgets[1:]]
        )
        problems = Problem.objects.bulk_create(
            [
                Problem(board=b, what=f"Problem {i}", where="Intake", since=last, widget=w)
                for i, b, w in zip(numbers, boards, widgets, strict=True)
            ]
            + [
                Problem(board=self.team_board, what=f"Also {i}", where="Intake", since=last)
                for i in numbers
            ]
        )
        self.problem = self.problem or problems[0]
        ProblemAction.objects.bulk_create(
            [ProblemAction(problem=p, what="Look", due_date=last) for p in problems]
        )
        self.size += n


def pages(world):
    agency, widget, outcome = world.agency, world.widget, world.outcome
    slug = agency.slug
    return {
        "home": reverse("home"),
        "agency list": reverse("agencies:list"),
        "agency detail": reverse("agencies:detail", args=[slug]),
        "segment list": reverse("customers:list") + f"?agency={agency.pk}",
        "statewide segments": reverse("customers:statewide"),
        "segment detail": reverse("customers:detail", args=[world.segment.pk]),
        "widget list": reverse("widgets:list") + f"?agency={agency.pk}",
        "widget list, all agencies": reverse("widgets:list") + "?agency=&sort=-quality_score",
        "review queue": reverse("widgets:review-queue"),
        "widget detail": reverse("widgets:detail", args=[widget.pk]),
        "count history": reverse("widgets:count-history", args=[widget.pk]),
        "entry grid": reverse("widgets:count-entry", args=[slug]),
        "overdue counts": reverse("widgets:overdue", args=[slug]),
        "data quality": reverse("widgets:data-quality", args=[slug]),
        "count upload": reverse("widgets:count-upload", args=[slug]),
        "API tokens": reverse("widgets:api-tokens", args=[slug]),
        "outcome list": reverse("outcomes:list"),
        "outcome detail": reverse("outcomes:detail", args=[outcome.pk]),
        "agency dashboard": reverse("outcomes:dashboard", args=[slug]),
        "every widget's flow": reverse("outcomes:flows", args=[slug]),
        "huddle board": reverse("outcomes:huddle", args=[slug]),
        "huddle boards": reverse("outcomes:boards"),
        "program board": reverse(
            "outcomes:board", args=[world.program.boards.get(tier="program").pk]
        ),
        "agency board": reverse("outcomes:board", args=[agency.boards.get(tier="agency").pk]),
        "team board": reverse("outcomes:board", args=[world.team_board.pk]),
        "team board on a TV": reverse("outcomes:board-tv", args=[world.team_board.pk]),
        "problem": reverse("outcomes:problem", args=[world.problem.pk]),
        "who keeps their numbers alive": reverse("outcomes:engagement", args=[slug]),
        "scorecard": reverse("outcomes:scorecard"),
        "review list": reverse("outcomes:review-list", args=[slug]),
        "review detail": reverse("outcomes:review-detail", args=[world.review.pk]),
        "review pack": reverse("outcomes:review-pack", args=[world.review.pk]),
        "public page": reverse("public:agency", args=[slug]),
        "public data dictionary": reverse("public:data", args=[slug]),
        "public widgets CSV": reverse("public:widgets-csv", args=[slug]),
        "public outcomes CSV": reverse("public:outcomes-csv", args=[slug]),
        "public data JSON": reverse("public:data-json", args=[slug]),
        "hosted survey": reverse("widgets:hosted-survey", args=[world.survey.pk]),
        "survey invitations": reverse("widgets:hosted-survey-invitations", args=[world.survey.pk]),
        "survey comments": reverse("widgets:hosted-survey-comments", args=[world.survey.pk]),
        "survey print": reverse("widgets:hosted-survey-print", args=[world.survey.pk]),
        "public survey": reverse("answer:survey", args=[world.survey.code]),
        "API widgets": "/api/v1/widgets",
        "API counts of a widget": f"/api/v1/widgets/{widget.pk}/counts",
    }


def queries(client, url, token):
    cache.clear()
    headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def test_queries_per_page_do_not_grow_with_rows(client, agency_a, manager_a, monkeypatch):
    # Writes made at most once a minute (a session's new expiry, a token's last use)
    # would land in whichever page is asked when the minute passes: on a loaded
    # machine the run takes minutes. They have nothing to do with rows; hold them off.
    monkeypatch.setattr(middleware, "REFRESH_EVERY", 24 * 3600)
    monkeypatch.setattr(api_tokens, "LAST_USED_RESOLUTION", dt.timedelta(days=1))
    agency_a.publishes = True
    agency_a.save()
    client.force_login(manager_a)
    world = World(agency_a, manager_a)
    _token, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    queries(client, "/api/v1/widgets", plaintext)  # the token's first use records itself
    counted = {}
    for size in SIZES:
        world.grow(size - world.size)
        urls = pages(world)
        counted[size] = {name: queries(client, url, plaintext) for name, url in urls.items()}
    grew = {
        name: (counted[SIZES[0]][name], counted[SIZES[-1]][name])
        for name in counted[SIZES[0]]
        if counted[SIZES[0]][name] != counted[SIZES[-1]][name]
    }
    assert grew == {}, f"queries with {SIZES[0]} and {SIZES[-1]} rows: {grew}"
