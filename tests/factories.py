import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership, Program, Role, Team
from customers.models import CustomerSegment, SegmentKind
from outcomes.models import (
    Contribution,
    Countermeasure,
    Direction,
    Measurement,
    Outcome,
    Problem,
    ProblemAction,
    Review,
    StepChange,
)
from widgets.models import (
    Survey,
    SurveyResult,
    SurveyStatus,
    Widget,
    WidgetCount,
    WidgetKind,
    WidgetStatus,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Department of Testing {n}")
    abbreviation = factory.Sequence(lambda n: f"DT{n}")
    slug = factory.LazyAttribute(lambda a: a.abbreviation.lower())
    mission = "Serve the public."


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.STAFF


class CustomerSegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerSegment

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = SegmentKind.BUSINESS


class WidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Widget
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    program = factory.SubFactory(ProgramFactory, agency=factory.SelfAttribute("..agency"))
    name = factory.Sequence(lambda n: f"Test permit {n}")
    kind = WidgetKind.PERMIT
    description = "A permit a business needs before it may operate."
    definition_of_done = "The permit is issued to the applicant."
    unit_of_count = "permit issued"
    channels = ["online"]
    standard_days = 30
    standard_share = Decimal("90.00")
    status = WidgetStatus.DRAFT


class WidgetCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WidgetCount

    widget = factory.SubFactory(WidgetFactory)
    period_start = dt.date(2026, 1, 1)
    demand = 100
    delivered = 90
    within_standard = 80
    withdrawn = 5
    backlog = 20
    rework = 3
    cost = Decimal("9000.00")


class SurveyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResult

    widget = factory.SubFactory(WidgetFactory)
    period_start = dt.date(2026, 1, 1)
    customers_served = 1000
    offered = 500
    respondents = 100


class SurveyFactory(factory.django.DjangoModelFactory):
    """A hosted survey, published, of an approved widget."""

    class Meta:
        model = Survey

    widget = factory.SubFactory(WidgetFactory, status=WidgetStatus.APPROVED)
    title = "How was getting your permit?"
    title_es = "¿Cómo le fue con su permiso?"
    status = SurveyStatus.PUBLISHED


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Cleaner air {n}")
    measure = "Days with unhealthy air"
    unit = "days"
    direction = Direction.DOWN
    baseline_value = Decimal("40")
    baseline_date = dt.date(2025, 1, 1)
    target_value = Decimal("20")
    target_date = dt.date(2028, 1, 1)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    outcome = factory.SubFactory(OutcomeFactory)
    date = dt.date(2026, 1, 1)
    value = Decimal("35")


class StepChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepChange

    outcome = factory.SubFactory(OutcomeFactory)
    starts_on = dt.date(2026, 1, 1)
    reason = "A new way of working"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    outcome = factory.SubFactory(OutcomeFactory)
    widget = factory.SubFactory(WidgetFactory, agency=factory.SelfAttribute("..outcome.agency"))
    rationale = "Each permit caps a source of emissions."


class CountermeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Countermeasure

    outcome = factory.SubFactory(OutcomeFactory)
    agency = factory.SelfAttribute("outcome.agency")
    problem = "Unhealthy days above the trajectory."
    root_cause = "Backlog of permit renewals."
    action = "Clear renewals older than 90 days."
    due_date = dt.date(2026, 12, 31)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    agency = factory.SubFactory(AgencyFactory)
    month = dt.date(2026, 10, 1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ProblemFactory(factory.django.DjangoModelFactory):
    """A problem on a board (a team's board, unless given one)."""

    class Meta:
        model = Problem

    board = factory.LazyFunction(lambda: TeamFactory().board)
    what = "Renewals wait 20 days at intake, against 5."
    where = "Intake, Phoenix office"
    since = dt.date(2026, 10, 1)


class ProblemActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemAction

    problem = factory.SubFactory(ProblemFactory)
    what = "Sort the intake queue by date received."
    due_date = dt.date(2026, 12, 15)
