"""The review pack as a briefing book (outcomes.packs): a PDF made by the server
when a review closes, kept with it, read page by page here as a person would
(rendered to pixels with PDFium, and its text)."""

import datetime as dt
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes import services
from outcomes.models import Measurement, ReviewStatus
from tests import factories as f
from widgets.models import WidgetCount, WidgetStatus

from .conftest import months_back

pytestmark = pytest.mark.django_db

ATTENDEES = "Director of air quality\nPermits lead"
DECISIONS = "Hire two permit writers for the renewals queue."


@pytest.fixture
def covered(world, agency_a, manager_a):
    """The world's off-track outcome and widget, each with an open countermeasure."""
    return [
        f.CountermeasureFactory(
            outcome=world["outcome"],
            owner=manager_a,
            action="Clear renewals older than 90 days.",
            due_date=dt.date(2027, 3, 31),
        ),
        f.CountermeasureFactory(
            outcome=None,
            widget=world["slow"],
            agency=agency_a,
            owner=manager_a,
            action="Second shift for water permits.",
            due_date=dt.date(2027, 2, 28),
        ),
    ]


@pytest.fixture
def held(agency_a, manager_a, covered):
    """A review of the latest month, recorded and closed through the services."""
    review = services.create_review(agency=agency_a, month=months_back(0), by=manager_a)
    services.update_review(review=review, attendees=ATTENDEES, decisions=DECISIONS, by=manager_a)
    return services.close_review(review=review, by=manager_a)


def pages_of(pdf_bytes):
    """Each page as (text, share of its body that is ink), read with PDFium."""
    document = pdfium.PdfDocument(pdf_bytes)
    found = []
    for page in document:
        text = page.get_textpage().get_text_range()
        image = page.render(scale=1).to_pil().convert("L")
        width, height = image.size
        # The body: between the running header and the page number.
        body = image.crop((0, int(height * 0.08), width, int(height * 0.9)))
        inked = sum(body.histogram()[:200])  # pixels darker than light grey
        page.close()
        found.append((" ".join(text.split()), inked / (body.width * body.height)))
    document.close()
    return found


def kept(review):
    review.refresh_from_db()
    with review.pack.open("rb") as pack:
        return pack.read()


def test_closing_a_review_keeps_its_pack_with_every_part_of_the_briefing(held, manager_a, world):
    assert held.status == ReviewStatus.CLOSED
    assert held.pack_made_at == held.closed_at
    pages = pages_of(kept(held))
    total = len(pages)
    texts = [text for text, _ in pages]
    everything = " ".join(texts)

    # Cover: agency, month, the day it was held, who attended.
    cover = texts[0]
    assert held.agency.name in cover
    assert f"{held.month:%B %Y}" in cover
    assert "Held" in cover and "closed by" in cover
    assert "Director of air quality" in cover and "Permits lead" in cover
    # The agenda, built from the data, pointing at each item's page.
    assert texts[1].startswith("Agenda")
    assert "Outcome: Cleaner air (page 3)" in texts[1]
    assert "Widget: Water permit (page 4)" in texts[1]
    # One page per item: its chart (drawn: the legend is text in the PDF) and figures.
    outcome_page, widget_page = texts[2], texts[3]
    assert outcome_page.startswith("Outcome: Cleaner air")
    assert "Process behaviour chart of" in outcome_page
    assert "Target trajectory" in outcome_page and "Process limits" in outcome_page
    assert f"{months_back(0):%-d %b %Y}" in outcome_page  # the newest row of its table
    assert "Clear renewals older than 90 days." in outcome_page
    assert widget_page.startswith("Widget: Water permit")
    assert "On-time share" in widget_page and "50.0%" in widget_page
    # Countermeasures with owner and due date; the decisions.
    assert "Countermeasures, with owner and due date" in everything
    assert (manager_a.get_full_name() or manager_a.username) in everything
    assert "31 Mar 2027" in everything and "28 Feb 2027" in everything
    assert "Decisions" in texts[-1] and DECISIONS in texts[-1]
    # Every page numbered; none blank (text and ink beyond the header and footer).
    for number, (text, ink) in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert len(text.replace(f"Page {number} of {total}", "")) > 200
        assert ink > 0.005, f"page {number} is blank"


def test_the_kept_pack_does_not_change_when_the_data_do(client, held, world, staff_a):
    at_closing = kept(held)
    # Afterwards the counts and the outcome's latest measurement are corrected.
    WidgetCount.objects.filter(widget=world["slow"]).update(within_standard=99)
    Measurement.objects.filter(outcome=world["outcome"], date=months_back(0)).update(
        value=Decimal("20")
    )
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:review-pack-pdf", args=[held.pk]))
    assert response.content == at_closing
    assert "50.0%" in " ".join(text for text, _ in pages_of(at_closing))
    # The web page shows today's figures; the kept record does not move.
    page = client.get(reverse("outcomes:review-pack", args=[held.pk])).content.decode()
    assert "99.0%" in page
    # Nor can anyone print it again.
    with pytest.raises(ValidationError, match="kept as it was"):
        services.keep_review_pack(review=held, by=held.closed_by)
    assert kept(held) == at_closing


def test_whoever_reads_the_review_downloads_the_pack_privately(client, held, manager_b):
    client.force_login(manager_b)  # another agency's reader: reads the review, and its pack
    response = client.get(reverse("outcomes:review-pack-pdf", args=[held.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"review-pack-{held.month:%Y-%m}.pdf" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    page = client.get(reverse("outcomes:review-detail", args=[held.pk])).content.decode()
    assert reverse("outcomes:review-pack-pdf", args=[held.pk]) in page
    assert f"made {timezone.localtime(held.pack_made_at):%-d %b %Y, %H:%M}" in page
    assert "Make the pack" not in page  # only the agency's managers, and not once closed


def test_an_open_review_has_no_pack_until_a_manager_makes_one_and_a_new_one_replaces_it(
    client, agency_a, manager_a, staff_a, covered, django_capture_on_commit_callbacks
):
    review = services.create_review(agency=agency_a, month=months_back(0), by=manager_a)
    client.force_login(manager_a)
    url = reverse("outcomes:review-pack-pdf", args=[review.pk])
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.keep_review_pack(review=review, by=staff_a)

    make = reverse("outcomes:review-pack-make", args=[review.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(make).status_code == 302
    review.refresh_from_db()
    first = review.pack.name
    cover = pages_of(kept(review))[0][0]
    assert "Not yet: the review is open" in cover
    with django_capture_on_commit_callbacks(execute=True):
        client.post(make)
    review.refresh_from_db()
    assert review.pack.name != first
    assert not review.pack.storage.exists(first)  # the draft it replaced is gone
    assert client.get(url).status_code == 200


def test_the_pack_leaves_out_a_definition_under_review_as_other_agencies_see_it(
    held, world, agency_a, manager_a
):
    """One file for every reader: a submitted definition (only its own agency sees it)
    is not in it, even when its own manager closes the review."""
    under_review = f.WidgetFactory(
        agency=agency_a,
        program=world["program"],
        name="Stormwater permit",
        status=WidgetStatus.SUBMITTED,
    )
    for n in range(3):
        f.WidgetCountFactory(
            widget=under_review,
            period_start=months_back(n),
            demand=10,
            delivered=10,
            within_standard=1,
            withdrawn=0,
            backlog=5,
        )
    f.CountermeasureFactory(outcome=None, widget=under_review, agency=agency_a, owner=manager_a)
    review = services.create_review(agency=agency_a, month=months_back(1), by=manager_a)
    services.keep_review_pack(review=review, by=manager_a)
    text = " ".join(t for t, _ in pages_of(kept(review)))
    assert "Water permit" in text
    assert "Stormwater permit" not in text
    assert "1 widget whose definition is under review is not in this pack" in text
