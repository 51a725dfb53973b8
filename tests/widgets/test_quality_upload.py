"""The count upload's preview shows the data-quality findings its rows would create
(widgets.quality.for_rows), judged with the saved earlier periods; a share above its
whole is refused there as an error."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from widgets.models import WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
HEADER = "widget,period_start,demand,delivered,within_standard"


def counted(agency, name, year, demands):
    """An approved monthly widget with saved counts: {month: demand} of `year`."""
    widget = f.WidgetFactory(agency=agency, name=name, status=WidgetStatus.APPROVED)
    for month, demand in demands.items():
        f.WidgetCountFactory(
            widget=widget,
            period_start=dt.date(year, month, 1),
            demand=demand,
            delivered=month,
            within_standard=None,
            rework=None,
        )
    return widget


@pytest.fixture
def permit(agency_a):
    # Saved: demand 100, 110, 120 in May, June and July 2026.
    return counted(agency_a, "Air permit", 2026, {5: 100, 6: 110, 7: 120})


def preview(client, user, agency, *rows):
    client.force_login(user)
    body = ("\n".join([HEADER, *rows]) + "\n").encode()
    response = client.post(
        reverse("widgets:count-upload", args=[agency.slug]),
        {"file": SimpleUploadedFile("counts.csv", body)},
    )
    assert response.status_code == 200
    return response.context["preview"]


def test_a_row_far_from_the_saved_earlier_periods_is_a_suggestion_on_the_preview(
    client, staff_a, agency_a, permit
):
    # Mean 110, standard deviation 10: 311 is 20.1 standard deviations away, 309 is 19.9.
    shown = preview(client, staff_a, agency_a, "Air permit,2026-08-01,311,8,")
    [row] = shown.rows
    assert row.notes == [
        "Suggestion: Demand is 311, 20.1 standard deviations from the mean of the 3 earlier "
        "periods (110). Check demand for this period: a typing slip (a digit too many, or a "
        "total for several periods) or a real change worth a note."
    ]
    assert shown.notes[0].startswith("Data quality: saving this file would add 1 finding")
    assert WidgetCount.objects.count() == 3  # nothing saved
    assert preview(client, staff_a, agency_a, "Air permit,2026-08-01,309,8,").notes == []


def test_rows_of_the_file_and_saved_ones_make_a_run_of_the_same_volume(
    client, staff_a, agency_a, permit
):
    rows = [f"Air permit,2026-{m:02d}-01,120,{m}," for m in (8, 9)]
    assert preview(client, staff_a, agency_a, *rows[:1]).notes == []  # July, August: 2
    WidgetCount.objects.filter(widget=permit, period_start=dt.date(2026, 6, 1)).update(demand=120)
    shown = preview(client, staff_a, agency_a, *rows)  # June to September: 4
    assert [r.notes for r in shown.rows] == [
        [],
        [
            "Suggestion: Demand is 120 in each of the 4 periods from June 2026 to September "
            "2026. Check that demand is counted each period, not copied from the period before."
        ],
    ]


def test_within_standard_above_delivered_is_an_error_on_the_preview(
    client, staff_a, agency_a, permit
):
    shown = preview(client, staff_a, agency_a, "Air permit,2026-08-01,100,90,91")
    [row] = shown.rows
    assert row.status == "error"
    assert row.messages == [
        "within_standard: Within standard (91) cannot be more than delivered (90)."
    ]


def test_each_widget_of_a_file_is_judged_with_its_own_saved_periods(
    client, staff_a, agency_a, permit
):
    """Two widgets whose rows span different months (their saved periods are read
    together, grouped by the periods each needs): each row is judged against its own
    widget's earlier periods."""
    counted(agency_a, "Water permit", 2025, {1: 10, 2: 11, 3: 12})
    shown = preview(
        client,
        staff_a,
        agency_a,
        "Air permit,2026-08-01,311,8,",  # far from May-July 2026 (mean 110)
        "Water permit,2025-04-01,40,4,",  # far from January-March 2025 (mean 11)
        "Water permit,2025-05-01,12,5,",  # near them
    )
    notes = {r.number: r.notes for r in shown.rows}  # the file's lines, header first
    assert notes[2][0].startswith("Suggestion: Demand is 311, 20.1")
    assert notes[3][0].startswith("Suggestion: Demand is 40, 29 standard")
    assert notes[4] == []


def test_a_row_that_starts_a_long_run_of_small_counts_is_judged_with_the_saved_periods_after(
    client, staff_a, agency_a
):
    """A count of 1 is worth a second look only 11 periods running (chance makes
    shorter runs of it): the preview reads that far after the file's rows."""
    counted(agency_a, "Boat pass", 2025, dict.fromkeys(range(2, 12), 1))  # Feb-Nov: 10 ones
    [row] = preview(client, staff_a, agency_a, "Boat pass,2025-01-01,1,8,").rows
    assert row.notes == [
        "Suggestion: Demand is 1 in each of the 11 periods from January 2025 to November "
        "2025. Check that demand is counted each period, not copied from the period before."
    ]
