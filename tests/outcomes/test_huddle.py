"""The huddle board (outcomes.huddle): each outcome and widget with its number, target,
trend and marks, what needs attention first, and the rest counted when they do not fit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from outcomes import huddle
from outcomes.status import Status
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import months_back

pytestmark = pytest.mark.django_db


def board_of(client, user, agency):
    client.force_login(user)
    response = client.get(reverse("outcomes:huddle", args=[agency.slug]))
    assert response.status_code == 200
    return response.context["board"], response.text


def test_each_tile_has_its_number_target_trend_and_marks(client, world, staff_a, agency_a):
    board, html = board_of(client, staff_a, agency_a)
    tiles = {t.name: t for t in board.tiles}
    air = tiles["Cleaner air"]
    # 44 -> 45 while down is better: the arrow says it rose, the word that it is worse.
    assert (air.figure, air.target, air.status) == ("45", "20", Status.OFF_TRACK)
    assert (air.trend.arrow, air.trend.said) == ("↑", "worse")
    assert air.variation.label == "Special cause: concerning, high"
    water = tiles["Water permit"]
    assert (water.figure, water.target, water.status) == ("50.0%", "90.0%", Status.OFF_TRACK)
    assert (water.trend.arrow, water.trend.said) == ("→", "no change")
    assert water.variation is not None
    assert "target" in html and "no change" in html and "Special cause: concerning, high" in html


def test_what_needs_attention_comes_first(client, world, staff_a, agency_a):
    board, _ = board_of(client, staff_a, agency_a)
    # Off track first (outcomes before widgets of the same rank), on track after.
    assert [t.name for t in board.tiles] == ["Cleaner air", "Water permit", "Air permit"]
    assert (board.hidden, board.total) == (0, 3)


def test_what_does_not_fit_is_counted_by_status_never_dropped_unsaid(
    client, world, staff_a, agency_a
):
    # Eleven widgets off track: with the outcome, more off track than the board holds.
    for n in range(10):
        slow = f.WidgetFactory(agency=agency_a, name=f"Slow {n:02}", status=WidgetStatus.APPROVED)
        f.WidgetCountFactory(
            widget=slow, period_start=months_back(0), delivered=100, within_standard=50
        )
    board, html = board_of(client, staff_a, agency_a)
    assert len(board.tiles) == huddle.CAPACITY - 1
    assert all(t.status == Status.OFF_TRACK for t in board.tiles)
    assert board.total == 13 and board.hidden == 13 - (huddle.CAPACITY - 1)
    assert board.hidden_by_status == [(Status.OFF_TRACK, 4), (Status.ON_TRACK, 1)]
    assert "8 of 13 shown" in html and "5</span> more, not shown" in html


@pytest.mark.parametrize(
    ("latest", "previous", "direction", "expected"),
    [
        (Decimal(5), Decimal(4), "up", ("↑", "better")),
        (Decimal(5), Decimal(4), "down", ("↑", "worse")),
        (Decimal(3), Decimal(4), "down", ("↓", "better")),
        (Decimal(3), Decimal(4), "up", ("↓", "worse")),
        (Decimal(4), Decimal(4), "up", ("→", "no change")),
        (Decimal(5), Decimal(4), None, ("↑", "up")),
    ],
)
def test_the_arrow_says_which_way_it_moved_and_the_word_whether_that_is_better(
    latest, previous, direction, expected
):
    found = huddle.trend(latest=latest, previous=previous, direction=direction, since="")
    assert (found.arrow, found.said) == expected


def test_no_trend_without_two_values():
    assert huddle.trend(latest=None, previous=Decimal(1), direction="up", since="") is None
    assert huddle.trend(latest=Decimal(1), previous=None, direction="up", since="") is None


def test_widgets_without_a_standard_are_counted_when_hidden(client, world, staff_a, agency_a):
    """A widget without a standard share is "No standard" (not "No data" beside its
    counts): the board's count of what it does not show names it too."""
    for n in range(10):
        slow = f.WidgetFactory(agency=agency_a, name=f"Slow {n:02}", status=WidgetStatus.APPROVED)
        f.WidgetCountFactory(
            widget=slow, period_start=months_back(0), delivered=100, within_standard=50
        )
    for n in range(2):
        free = f.WidgetFactory(
            agency=agency_a, name=f"Free {n}", status=WidgetStatus.APPROVED, standard_share=None
        )
        f.WidgetCountFactory(widget=free, period_start=months_back(0), delivered=100)
    board, html = board_of(client, staff_a, agency_a)
    assert sum(n for _, n in board.hidden_by_status) == board.hidden
    assert (Status.NO_STANDARD, 2) in board.hidden_by_status
    assert "No standard" in html
