"""The monthly business review and countermeasures."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outcomes.models import Countermeasure, Review, ReviewStatus
from outcomes.services import close_review
from tests import factories as f

from .conftest import months_back, off_track_widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world, agency_a):
    return f.ReviewFactory(agency=agency_a, month=months_back(0))


def test_review_cannot_close_with_an_uncovered_red_item(review, manager_a):
    with pytest.raises(ValidationError) as raised:
        close_review(review=review, by=manager_a)
    message = " ".join(raised.value.messages)
    assert "cannot be closed" in message
    assert "“Cleaner air”" in message and "“Water permit”" in message
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_review_closes_once_every_red_item_has_an_open_countermeasure(review, world, manager_a):
    covering = [
        f.CountermeasureFactory(outcome=world["outcome"]),
        f.CountermeasureFactory(outcome=None, widget=world["slow"], agency=review.agency),
    ]
    close_review(review=review, by=manager_a)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    assert review.closed_by == manager_a and review.closed_at is not None
    assert set(review.countermeasures.all()) == set(covering)


def test_a_dropped_countermeasure_does_not_cover(review, world, manager_a):
    f.CountermeasureFactory(outcome=world["outcome"], state="dropped")
    f.CountermeasureFactory(outcome=None, widget=world["slow"], agency=review.agency)
    with pytest.raises(ValidationError, match="Cleaner air"):
        close_review(review=review, by=manager_a)


def test_staff_cannot_close_a_review(review, staff_a):
    with pytest.raises(PermissionDenied):
        close_review(review=review, by=staff_a)


def test_agenda_gathers_off_track_items_signals_and_late_data(client, review, manager_a):
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:review-detail", args=[review.pk]))
    agenda = response.context["agenda"]
    assert [o.name for o in agenda.off_track_outcomes] == ["Cleaner air"]
    assert [w.name for w in agenda.off_track_widgets] == ["Water permit"]
    # 38..45 rising, down is better: the latest point is above the upper process
    # limit, a concerning signal.
    assert [(o.name, s.rule, s.judgement) for o, s in agenda.signals] == [
        ("Cleaner air", "outside", "concerning")
    ]
    assert agenda.improving == []
    assert len(agenda.uncovered) == 2
    assert "cannot close until each has one" in response.content.decode()


def test_manager_opens_a_review_adds_countermeasures_and_closes_it(
    client, world, manager_a, agency_a
):
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:review-create", args=[agency_a.slug]),
        {"month": months_back(0).isoformat()},
    )
    review = Review.objects.get(agency=agency_a)
    assert response["Location"] == reverse("outcomes:review-detail", args=[review.pk])

    close_url = reverse("outcomes:review-close", args=[review.pk])
    response = client.post(close_url, follow=True)
    assert "The review cannot be closed" in response.content.decode()

    new = reverse("outcomes:countermeasure-create", args=[agency_a.slug])
    for subject in ({"outcome": world["outcome"].pk}, {"widget": world["slow"].pk}):
        response = client.post(
            new,
            {
                **subject,
                "review": review.pk,
                "problem": "Above the trajectory for three months.",
                "root_cause": "Renewals queue.",
                "action": "Clear the queue.",
                "due_date": "2027-01-31",
                "state": "open",
                "owner": manager_a.pk,
            },
        )
        assert response["Location"] == reverse("outcomes:review-detail", args=[review.pk])
    assert review.countermeasures.count() == 2

    client.post(
        reverse("outcomes:review-detail", args=[review.pk]),
        {"attendees": "Director, program leads", "decisions": "Fund two inspectors."},
    )
    client.post(close_url)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    assert review.decisions == "Fund two inspectors."


def test_only_one_review_per_month(client, review, manager_a, agency_a):
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:review-create", args=[agency_a.slug]),
        {"month": review.month.isoformat()},
    )
    assert response.status_code == 400
    assert "There is already a review of" in response.content.decode()


def test_staff_read_reviews_but_cannot_change_them(client, review, world, staff_a, agency_a):
    client.force_login(staff_a)
    assert client.get(reverse("outcomes:review-detail", args=[review.pk])).status_code == 200
    assert client.post(reverse("outcomes:review-close", args=[review.pk])).status_code == 403
    new = reverse("outcomes:countermeasure-create", args=[agency_a.slug])
    assert client.get(new, {"outcome": world["outcome"].pk}).status_code == 403


def test_other_agency_manager_cannot_add_countermeasures(client, world, manager_b, agency_a):
    client.force_login(manager_b)
    new = reverse("outcomes:countermeasure-create", args=[agency_a.slug])
    assert client.get(new, {"outcome": world["outcome"].pk}).status_code == 403


def test_countermeasure_edit_refuses_a_stale_version(client, world, manager_a):
    countermeasure = f.CountermeasureFactory(outcome=world["outcome"])
    Countermeasure.objects.filter(pk=countermeasure.pk).update(version=5, action="Theirs")
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:countermeasure-edit", args=[countermeasure.pk]),
        {
            "problem": "p",
            "action": "Mine",
            "due_date": "2027-01-31",
            "state": "done",
            "version": "1",
        },
    )
    assert "Someone else saved this countermeasure" in response.content.decode()
    countermeasure.refresh_from_db()
    assert countermeasure.action == "Theirs"


def test_review_pack_has_one_print_page_per_program(client, review, world, staff_a, agency_a):
    other = f.ProgramFactory(agency=agency_a, name="Licences")
    f.OutcomeFactory(agency=agency_a, program=other, name="Faster licences")
    client.force_login(staff_a)
    html = client.get(reverse("outcomes:review-pack", args=[review.pk])).content.decode()
    # The summary page, then Air permits and Licences.
    assert html.count('class="print-page"') == 3
    assert html.index("Air permits") < html.index("Licences")


def test_only_concerning_signals_go_on_the_agenda_improving_ones_are_listed_apart(
    client, review, world, manager_a
):
    # The same rise of 38..45, where up is better: an improving signal.
    better = f.OutcomeFactory(
        agency=review.agency, name="More trees", direction="up", target_value=60
    )
    for n in range(8):
        f.MeasurementFactory(outcome=better, date=months_back(7 - n), value=38 + n)
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:review-detail", args=[review.pk]))
    agenda = response.context["agenda"]
    assert [o.name for o, _ in agenda.signals] == ["Cleaner air"]
    assert [(o.name, s.judgement) for o, s in agenda.improving] == [("More trees", "improving")]
    html = response.content.decode()
    concerning, improving = html.split("Improving, not a problem")
    assert "More trees" not in concerning.split("Concerning signals")[1]
    assert "More trees" in improving


def test_a_step_change_recorded_by_the_month_restarts_the_limits_for_the_agenda(
    client, review, world, manager_a
):
    # From the step on, 4 points: too few for limits, so no signal.
    f.StepChangeFactory(outcome=world["outcome"], starts_on=months_back(3))
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:review-detail", args=[review.pk]))
    assert response.context["agenda"].signals == []


def test_the_agendas_widgets_off_track_are_a_table_furthest_below_their_standard_first(
    client, review, world, manager_a, agency_a
):
    """At a state's size a review goes through dozens of widgets off track: a table,
    the worst first, each with what covers it."""
    for name, within in [("Anchor permit", 80), ("Boat licence", 20)]:
        off_track_widget(agency_a, name, within)
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:review-detail", args=[review.pk]))
    widgets = response.context["agenda"].off_track_widgets
    # By name: Anchor, Boat, Water; by how far below their standard: Boat (70 points),
    # Water (40), Anchor (10).
    assert [(w.name, w.shortfall) for w in widgets] == [
        ("Boat licence", 70),
        ("Water permit", 40),
        ("Anchor permit", 10),
    ]
    html = response.text
    table = html[html.index('aria-label="Widgets off track"') :]
    table = table[: table.index("</table>")]
    assert table.index("Boat licence") < table.index("Anchor permit")
    assert "None open" in table and "add one" in table
