"""Change rights are decided by an object's agency, never by the object's own id.

Each object of agency B below is given agency A's id as its own id, so a rule that
compared an object's id where its agency's id was meant would hand staff of A
objects of B (and, ids being apart across tables, would lose A's own objects).
"""

import pytest

from agencies.models import Program
from agencies.scoping import MANAGER, STAFF
from customers.models import CustomerSegment
from outcomes.models import Contribution, Countermeasure, Measurement, Outcome, Review
from widgets.catalogue.selectors import review_queue
from widgets.models import SurveyResult, Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db


def _one_of_each(agency, pk=None):
    """One object of every model scoped through an agency, each with id `pk` if given."""
    ids = {} if pk is None else {"pk": pk}
    widget = f.WidgetFactory(agency=agency, status=WidgetStatus.SUBMITTED, **ids)
    outcome = f.OutcomeFactory(agency=agency, **ids)
    return {
        Program: f.ProgramFactory(agency=agency, **ids),
        CustomerSegment: f.CustomerSegmentFactory(agency=agency, **ids),
        Widget: widget,
        WidgetCount: f.WidgetCountFactory(widget=widget, **ids),
        SurveyResult: f.SurveyResultFactory(widget=widget, **ids),
        Outcome: outcome,
        Measurement: f.MeasurementFactory(outcome=outcome, **ids),
        Contribution: f.ContributionFactory(outcome=outcome, widget=widget, **ids),
        Countermeasure: f.CountermeasureFactory(outcome=outcome, **ids),
        Review: f.ReviewFactory(agency=agency, **ids),
    }


@pytest.fixture
def objects(agency_a, agency_b):
    return {
        "a": _one_of_each(agency_a),
        "b_with_a_ids": _one_of_each(agency_b, pk=agency_a.pk),
    }


@pytest.mark.parametrize("role", [STAFF, MANAGER])
def test_staff_and_managers_change_their_agencys_objects_whatever_the_objects_ids(
    role, objects, manager_a
):
    for model, ours in objects["a"].items():
        changeable = model.objects.changeable_by(manager_a, role)
        assert changeable.filter(pk=ours.pk).exists(), (model.__name__, role)


def test_an_object_of_another_agency_with_the_agencys_id_is_not_changeable(objects, staff_a):
    for model, theirs in objects["b_with_a_ids"].items():
        assert not model.objects.changeable_by(staff_a).filter(pk=theirs.pk).exists(), (
            model.__name__
        )


def test_manager_reviews_only_their_own_agencys_submitted_widgets(
    agency_a, agency_b, manager_a, manager_b
):
    ours = f.WidgetFactory(agency=agency_a, status=WidgetStatus.SUBMITTED)
    theirs = f.WidgetFactory(agency=agency_b, status=WidgetStatus.SUBMITTED, pk=agency_a.pk)
    assert list(review_queue(manager_a)) == [ours]
    assert list(review_queue(manager_b)) == [theirs]


def test_who_may_change_some_agency(admin_user, staff_a, manager_a, outsider):
    """Who may open a page that is nobody's object yet (a new segment, an import):
    an admin, and staff (or, when a manager is asked for, a manager) of an agency."""
    from agencies.scoping import may_change_some_agency

    assert may_change_some_agency(admin_user) and may_change_some_agency(admin_user, MANAGER)
    assert may_change_some_agency(staff_a) and not may_change_some_agency(staff_a, MANAGER)
    assert may_change_some_agency(manager_a) and may_change_some_agency(manager_a, MANAGER)
    assert not may_change_some_agency(outsider)
