"""Data versions (agencies.versions): every write to an agency's data gives it a new
version, whatever makes the write; nothing else does."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from agencies import versions
from agencies.models import AccessRule, Agency, DataVersion, WidgetVersion
from outcomes.models import Board
from widgets.models import ApiToken, CountUpload, InventoryFinding, PublishedRow, WidgetCount

from ..factories import (
    AgencyFactory,
    ContributionFactory,
    CountermeasureFactory,
    CustomerSegmentFactory,
    MeasurementFactory,
    MembershipFactory,
    ProblemActionFactory,
    ProblemFactory,
    ProgramFactory,
    ReviewFactory,
    StepChangeFactory,
    SurveyFactory,
    SurveyResultFactory,
    TeamFactory,
    UserFactory,
    WidgetCountFactory,
    WidgetFactory,
)

APPS = ("agencies", "customers", "widgets", "outcomes")


def version(agency):
    return DataVersion.objects.filter(agency_id=agency.pk).values_list("version", flat=True).first()


def base_version(agency):
    return (
        DataVersion.objects.filter(agency_id=agency.pk)
        .values_list("base_version", flat=True)
        .first()
    )


def counts_version(widget):
    return (
        WidgetVersion.objects.filter(widget_id=widget.pk).values_list("version", flat=True).first()
    )


def test_every_table_of_the_apps_is_versioned_or_says_why_not():
    tables = {
        model._meta.db_table
        for app in APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    }
    assert tables - set(versions.TABLES) - set(versions.UNVERSIONED) == set()
    assert set(versions.TABLES) <= tables  # no stale names


@pytest.fixture
def full_agency(db):
    """An agency with a row in every versioned table, and another agency beside it."""
    agency, other = AgencyFactory(), AgencyFactory()
    user = UserFactory()
    MembershipFactory(agency=agency, user=user)
    AccessRule.objects.create(
        kind="email_domain", email_domain="a.gov", agency=agency, role="staff"
    )
    segment = CustomerSegmentFactory(agency=agency)
    widget = WidgetFactory(agency=agency, program=ProgramFactory(agency=agency), owner=user)
    widget.customer_segments.add(segment)
    token = ApiToken.objects.create(agency=agency, name="Permit system", prefix="abc", key_hash="x")
    upload = CountUpload.objects.create(agency=agency, file_name="counts.csv")
    WidgetCountFactory(widget=widget, upload=upload, api_token=token)
    SurveyResultFactory(widget=widget, segment=segment)
    SurveyFactory(widget=widget)
    PublishedRow.objects.create(widget=widget, file="services", fiscal_year=2024, row_number=2)
    InventoryFinding.objects.create(
        widget=widget, grade="error", file="services", column="x", message="m"
    )
    contribution = ContributionFactory(widget=widget, outcome__agency=agency)
    MeasurementFactory(outcome=contribution.outcome)
    StepChangeFactory(outcome=contribution.outcome)
    countermeasure = CountermeasureFactory(outcome=contribution.outcome)
    review = ReviewFactory(agency=agency, month=dt.date(2026, 1, 1))
    review.countermeasures.add(countermeasure)
    team = TeamFactory(program=widget.program)
    team.board.widgets.add(widget)
    team.board.outcomes.add(contribution.outcome)
    ProblemActionFactory(problem=ProblemFactory(board=team.board, widget=widget))
    # The other agency has its board from the start (outcomes.huddles.boards): without
    # it, it holds no row of these tables, so an UPDATE of one cannot bump it.
    Board.objects.filter(agency=other).delete()
    return agency, other, user


@pytest.mark.parametrize("table", sorted(versions.TABLES))
def test_any_write_to_a_table_bumps_its_agency_only(full_agency, table):
    agency, other, _user = full_agency
    widget = agency.widgets.get()
    before, other_before = version(agency), version(other)
    base_before, counts_before = base_version(agency), counts_version(widget)
    assert before is not None
    with connection.cursor() as cursor:
        mine = f" WHERE id = {agency.pk}" if table == "agencies_agency" else ""
        cursor.execute(f"UPDATE {table} SET id = id{mine}")  # noqa: S608 - names from TABLES
        assert cursor.rowcount >= 1
    assert version(agency) != before
    assert version(other) == other_before
    # A write to counts changes their widget's counts version and not the agency's
    # base version; any other write, the other way round.
    if table in versions.COUNT_TABLES:
        assert base_version(agency) == base_before
        assert counts_version(widget) != counts_before
    else:
        assert base_version(agency) != base_before
        assert counts_version(widget) == counts_before


def test_a_count_written_changes_its_widgets_counts_version_only(full_agency):
    agency, other, _user = full_agency
    widget = agency.widgets.get()
    beside = WidgetFactory(agency=agency, program=widget.program)
    elsewhere = other.widgets.first() or WidgetFactory(agency=other)
    WidgetCountFactory(widget=beside, period_start=dt.date(2024, 1, 1))
    WidgetCountFactory(widget=elsewhere, period_start=dt.date(2024, 1, 1))
    kept = {w.pk: counts_version(w) for w in (widget, beside, elsewhere)}
    base, other_base = base_version(agency), base_version(other)

    count = WidgetCountFactory(widget=widget, period_start=dt.date(2025, 1, 1))
    inserted = counts_version(widget)
    assert inserted not in (None, kept[widget.pk])
    WidgetCount.objects.filter(pk=count.pk).update(demand=99)
    updated = counts_version(widget)
    assert updated not in (inserted, kept[widget.pk])
    count.delete()
    assert counts_version(widget) not in (updated, inserted, kept[widget.pk])
    assert counts_version(beside) == kept[beside.pk]
    assert counts_version(elsewhere) == kept[elsewhere.pk]
    assert (base_version(agency), base_version(other)) == (base, other_base)


def test_a_count_moved_to_another_widget_changes_both_widgets(full_agency):
    agency, _other, _user = full_agency
    widget = agency.widgets.get()
    beside = WidgetFactory(agency=agency, program=widget.program)
    count = WidgetCountFactory(widget=widget, period_start=dt.date(2025, 1, 1))
    before = counts_version(widget), counts_version(beside)
    WidgetCount.objects.filter(pk=count.pk).update(widget=beside)
    assert counts_version(widget) != before[0]
    assert counts_version(beside) not in (None, before[1])


def test_inserts_and_deletes_bump_too(full_agency):
    agency, _other, _user = full_agency
    widget = agency.widgets.get()
    before = version(agency)
    WidgetCount.objects.bulk_create(
        [WidgetCountFactory.build(widget=widget, period_start=dt.date(2025, m, 1)) for m in (1, 2)]
    )
    after_insert = version(agency)
    assert after_insert != before
    WidgetCount.objects.filter(widget=widget, period_start__year=2025).delete()
    assert version(agency) not in (before, after_insert)


def test_moving_a_widget_bumps_both_agencies(full_agency):
    agency, other, _user = full_agency
    before, other_before = version(agency), version(other)
    agency.widgets.update(agency=other)
    assert version(agency) != before
    assert version(other) != other_before


def test_renaming_a_person_bumps_every_agency_but_signing_in_does_not(full_agency):
    agency, other, user = full_agency
    before, other_before = version(agency), version(other)
    bases = base_version(agency), base_version(other)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert (version(agency), version(other)) == (before, other_before)
    assert (base_version(agency), base_version(other)) == bases
    user.first_name = "Renamed"
    user.save()
    assert version(agency) != before
    assert version(other) != other_before
    assert base_version(agency) != bases[0]
    assert base_version(other) != bases[1]


def test_token_changes_with_the_versions_of_the_agencies_asked_for(full_agency):
    agency, other, _user = full_agency
    mine, theirs = versions.token([agency.pk]), versions.token([other.pk])
    everyone = versions.token()
    Agency.objects.filter(pk=agency.pk).update(mission="New mission")
    assert versions.token([agency.pk]) != mine
    assert versions.token([other.pk]) == theirs
    assert versions.token() != everyone


def test_the_base_token_survives_a_count_and_nothing_else(full_agency):
    agency, _other, _user = full_agency
    base, whole = versions.token([agency.pk], base=True), versions.token([agency.pk])
    WidgetCountFactory(widget=agency.widgets.get(), period_start=dt.date(2025, 1, 1))
    assert versions.token([agency.pk], base=True) == base
    assert versions.token([agency.pk]) != whole
    Agency.objects.filter(pk=agency.pk).update(mission="New mission")
    assert versions.token([agency.pk], base=True) != base


def test_a_new_agency_has_a_version(db):
    agency = AgencyFactory()
    assert version(agency) is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_truncate_bumps_every_agency_and_rollbacks_never_reuse_a_number(full_agency):
    agency, other, _user = full_agency
    before = version(agency)
    with pytest.raises(RuntimeError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(mission="Rolled back")
        rolled_back = version(agency)
        raise RuntimeError
    assert version(agency) == before
    Agency.objects.filter(pk=agency.pk).update(mission="Kept")
    assert version(agency) not in (before, rolled_back)
    other_before, other_base = version(other), base_version(other)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: TRUNCATE refuses them
        cursor.execute("TRUNCATE outcomes_review_countermeasures")
    assert version(other) != other_before
    assert base_version(other) != other_base


def test_inside_an_app_transaction_is_known(db):
    assert not versions.in_app_transaction()
    with transaction.atomic():
        assert versions.in_app_transaction()
