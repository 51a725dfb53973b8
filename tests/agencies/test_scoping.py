"""docs/domain.md, "Who may do what", as a table: role x own/other agency x read/change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies.models import Agency
from agencies.permissions import grant
from agencies.scoping import MANAGER, STAFF
from customers.models import CustomerSegment
from outcomes.models import Countermeasure, Measurement, Outcome, Review
from widgets.models import SurveyResult, Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects_of_a(agency_a):
    """One object of every scoped model, all belonging to agency A."""
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    outcome = f.OutcomeFactory(agency=agency_a)
    return {
        Agency: agency_a,
        CustomerSegment: f.CustomerSegmentFactory(agency=agency_a),
        Widget: widget,
        WidgetCount: f.WidgetCountFactory(widget=widget),
        SurveyResult: f.SurveyResultFactory(widget=widget),
        Outcome: outcome,
        Measurement: f.MeasurementFactory(outcome=outcome),
        Countermeasure: f.CountermeasureFactory(outcome=outcome),
        Review: f.ReviewFactory(agency=agency_a),
    }


# who -> (may read A's objects, may change as staff, may change as manager)
TABLE = {
    "anonymous": (False, False, False),
    "outsider": (False, False, False),
    "staff_a": (True, True, False),
    "manager_a": (True, True, True),
    "staff_b": (True, False, False),
    "manager_b": (True, False, False),
    "admin_user": (True, True, True),
}


def _user(request, who):
    return AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)


@pytest.mark.parametrize("who", TABLE)
def test_read_and_change_follow_the_role_table(request, who, objects_of_a):
    user = _user(request, who)
    may_read, may_change_staff, may_change_manager = TABLE[who]
    for model, obj in objects_of_a.items():
        readable = model.objects.for_user(user).filter(pk=obj.pk).exists()
        assert readable is may_read, (who, model.__name__, "read")
        as_staff = model.objects.changeable_by(user, STAFF).filter(pk=obj.pk).exists()
        assert as_staff is may_change_staff, (who, model.__name__, "change as staff")
        as_manager = model.objects.changeable_by(user, MANAGER).filter(pk=obj.pk).exists()
        assert as_manager is may_change_manager, (who, model.__name__, "change as manager")


@pytest.mark.parametrize("who", TABLE)
def test_out_of_scope_is_404_and_read_only_is_403(request, who, objects_of_a):
    """What a view declared with agencies.permissions.grant answers, for every model."""
    user = _user(request, who)
    may_read, may_change_staff, may_change_manager = TABLE[who]
    for model, obj in objects_of_a.items():
        by = "slug" if model is Agency else "pk"
        url = {by: getattr(obj, by)}
        for role, may_change in ((STAFF, may_change_staff), (MANAGER, may_change_manager)):
            rule = grant(role, obj=model, by=by)(lambda request, obj: obj).grant
            if not may_read:
                with pytest.raises(Http404):
                    rule.check(user, "GET", url)
            elif may_change:
                assert rule.check(user, "GET", url) == {"obj": obj}, (who, model.__name__, role)
            else:
                with pytest.raises(PermissionDenied):
                    rule.check(user, "GET", url)


@pytest.mark.parametrize(
    ("who", "sees_them"),
    [("staff_a", True), ("manager_a", True), ("staff_b", False), ("admin_user", True)],
)
def test_a_drafts_counts_and_survey_results_are_visible_only_inside_its_agency(
    request, who, sees_them, agency_a
):
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    count = f.WidgetCountFactory(widget=draft)
    result = f.SurveyResultFactory(widget=draft)
    user = request.getfixturevalue(who)
    assert WidgetCount.objects.for_user(user).filter(pk=count.pk).exists() is sees_them
    assert SurveyResult.objects.for_user(user).filter(pk=result.pk).exists() is sees_them


@pytest.mark.parametrize(
    ("who", "sees_draft"),
    [("staff_a", True), ("manager_a", True), ("staff_b", False), ("admin_user", True)],
)
def test_drafts_are_visible_only_inside_their_agency(request, who, sees_draft, agency_a):
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    user = request.getfixturevalue(who)
    assert Widget.objects.for_user(user).filter(pk=draft.pk).exists() is sees_draft


def test_public_data_is_approved_widgets_of_publishing_agencies(agency_a, agency_b):
    agency_a.publishes = True
    agency_a.save()
    shown = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    assert list(Widget.objects.published()) == [shown]


def test_memberships_are_read_as_the_orm_reads_them(staff_a, agency_a, agency_b):
    from agencies.models import Membership
    from agencies.scoping import memberships_of

    Membership.objects.create(user=staff_a, agency=agency_b, role="manager")
    ours = memberships_of(staff_a)
    theirs = list(
        Membership.objects.filter(user=staff_a).select_related("agency").order_by("agency__name")
    )
    assert [m.pk for m in ours] == [m.pk for m in theirs]
    for mine, orm in zip(ours, theirs, strict=True):
        assert {f.attname: getattr(mine, f.attname) for f in mine._meta.concrete_fields} == {
            f.attname: getattr(orm, f.attname) for f in orm._meta.concrete_fields
        }
        assert {
            f.attname: getattr(mine.agency, f.attname) for f in mine.agency._meta.concrete_fields
        } == {f.attname: getattr(orm.agency, f.attname) for f in orm.agency._meta.concrete_fields}
        assert type(mine.agency.publishes) is bool
        assert mine.agency.created_at.tzinfo is not None
