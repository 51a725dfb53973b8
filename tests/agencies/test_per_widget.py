"""What is kept per widget (agencies.versions.per_widget): computed again for a widget
whose counts changed, for every widget when anything else of its agency changed,
and never kept from inside a transaction the app opened."""

import datetime as dt

import pytest
from django.db import transaction

from agencies import versions
from agencies.versions import per_widget
from widgets.models import Widget

from ..factories import AgencyFactory, CountermeasureFactory, WidgetCountFactory, WidgetFactory

pytestmark = pytest.mark.django_db


class Computing:
    """A compute function that records which widgets it was asked for."""

    def __init__(self):
        self.asked = []

    def __call__(self, ids):
        self.asked.append(sorted(ids))
        return {pk: (pk, len(self.asked)) for pk in ids}


@pytest.fixture
def widgets():
    agency = AgencyFactory()
    return agency, WidgetFactory(agency=agency), WidgetFactory(agency=agency)


def kept(agency, ids, compute, parts="parts"):
    return per_widget("test", agency.pk, parts, ids, compute)


def test_a_count_written_computes_its_widget_again_and_keeps_the_others(widgets):
    agency, one, two = widgets
    ids, compute = [one.pk, two.pk], Computing()
    first = kept(agency, ids, compute)
    assert compute.asked == [sorted(ids)]
    assert kept(agency, ids, compute) == first
    assert len(compute.asked) == 1

    WidgetCountFactory(widget=one, period_start=dt.date(2025, 1, 1))
    after = kept(agency, ids, compute)
    assert compute.asked[-1] == [one.pk]
    assert after[two.pk] == first[two.pk]
    assert after[one.pk] != first[one.pk]


def test_another_agencys_count_keeps_everything(widgets):
    agency, one, two = widgets
    compute = Computing()
    kept(agency, [one.pk, two.pk], compute)
    WidgetCountFactory(widget=WidgetFactory(), period_start=dt.date(2025, 1, 1))
    kept(agency, [one.pk, two.pk], compute)
    assert len(compute.asked) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda agency, widget: Widget.objects.filter(pk=widget.pk).update(name="Renamed"),
        lambda agency, widget: CountermeasureFactory(outcome=None, widget=widget, agency=agency),
    ],
    ids=["a definition", "a countermeasure"],
)
def test_any_other_change_of_the_agency_computes_every_widget_again(widgets, change):
    agency, one, two = widgets
    compute = Computing()
    kept(agency, [one.pk, two.pk], compute)
    change(agency, two)
    kept(agency, [one.pk, two.pk], compute)
    assert compute.asked == [sorted([one.pk, two.pk])] * 2


def test_other_parts_are_kept_apart(widgets):
    agency, one, _two = widgets
    compute = Computing()
    kept(agency, [one.pk], compute, parts=("window", 1))
    kept(agency, [one.pk], compute, parts=("window", 2))
    assert compute.asked == [[one.pk], [one.pk]]


def test_a_widget_not_kept_yet_is_computed_alone(widgets):
    agency, one, two = widgets
    compute = Computing()
    kept(agency, [one.pk], compute)
    kept(agency, [one.pk, two.pk], compute)
    assert compute.asked == [[one.pk], [two.pk]]


def test_inside_a_transaction_of_the_app_nothing_is_kept(widgets):
    agency, one, _two = widgets
    compute = Computing()
    with transaction.atomic():
        kept(agency, [one.pk], compute)
        kept(agency, [one.pk], compute)
    kept(agency, [one.pk], compute)
    assert len(compute.asked) == 3


def test_per_agency_builds_again_only_the_agency_that_changed():
    from agencies.models import Agency
    from agencies.versions import per_agency

    one, two = AgencyFactory(), AgencyFactory()
    compute = Computing()
    ids = [one.pk, two.pk]
    first = per_agency("test", ids, lambda pk: "parts", compute)
    assert per_agency("test", ids, lambda pk: "parts", compute) == first
    Agency.objects.filter(pk=two.pk).update(mission="New mission")
    after = per_agency("test", ids, lambda pk: "parts", compute)
    assert compute.asked == [sorted(ids), [two.pk]]
    assert after[one.pk] == first[one.pk]
    per_agency("test", ids, lambda pk: ("other", pk), compute)
    assert compute.asked[-1] == sorted(ids)


def test_a_counted_widget_is_kept_under_its_counts_version(widgets):
    agency, one, two = widgets
    WidgetCountFactory(widget=one, period_start=dt.date(2025, 1, 1))
    compute = Computing()
    first = kept(agency, [one.pk, two.pk], compute)
    assert kept(agency, [one.pk, two.pk], compute) == first
    assert len(compute.asked) == 1


def test_no_widgets_or_agencies_compute_nothing(widgets):
    agency, _one, _two = widgets
    compute = Computing()
    assert kept(agency, [], compute) == {}
    assert versions.per_agency("test", [], lambda pk: "parts", compute) == {}
    with transaction.atomic():
        assert versions.per_agency("test", [], lambda pk: "parts", compute) == {}
        assert kept(agency, [], compute) == {}
    assert compute.asked == []


def test_per_agency_inside_a_transaction_of_the_app_keeps_nothing(widgets):
    agency, _one, _two = widgets
    compute = Computing()
    with transaction.atomic():
        versions.per_agency("test", [agency.pk], lambda pk: "parts", compute)
    versions.per_agency("test", [agency.pk], lambda pk: "parts", compute)
    assert compute.asked == [[agency.pk], [agency.pk]]


def test_per_agency_keys_each_agency_by_its_own_parts(widgets):
    agency, _one, _two = widgets
    other = AgencyFactory()
    compute = Computing()
    ids = [agency.pk, other.pk]
    versions.per_agency("test", ids, lambda pk: pk == agency.pk, compute)
    versions.per_agency("test", ids, lambda pk: pk == other.pk, compute)
    assert compute.asked == [sorted(ids), sorted(ids)]


def test_the_counts_token_changes_with_the_counts_of_its_widgets_only(widgets):
    _agency, one, two = widgets
    mine, theirs = versions.counts_token([one.pk]), versions.counts_token([two.pk])
    both = versions.counts_token([two.pk, one.pk])
    assert versions.counts_token([one.pk, two.pk]) == both  # in any order
    assert mine == theirs  # neither counted yet: no row, the same empty token
    WidgetCountFactory(widget=one, period_start=dt.date(2025, 1, 1))
    assert versions.counts_token([one.pk]) != mine
    assert versions.counts_token([two.pk]) == theirs
    counted = versions.counts_token([one.pk, two.pk])
    assert counted != both
    WidgetCountFactory(widget=two, period_start=dt.date(2025, 1, 1))
    assert versions.counts_token([one.pk, two.pk]) not in (both, counted)
    # A definition is not counts: the token stays.
    before = versions.counts_token([one.pk, two.pk])
    Widget.objects.filter(pk=one.pk).update(name="Renamed")
    assert versions.counts_token([one.pk, two.pk]) == before


def test_a_part_kept_under_base_versions_survives_a_count_and_nothing_else(widgets):
    agency, one, _two = widgets
    built = []

    def build():
        built.append(1)
        return len(built)

    def read():
        return versions.cached("test", "parts", build, agency_ids=[agency.pk], base=True)

    assert read() == 1
    WidgetCountFactory(widget=one, period_start=dt.date(2025, 1, 1))
    assert read() == 1
    Widget.objects.filter(pk=one.pk).update(name="Renamed")
    assert read() == 2
