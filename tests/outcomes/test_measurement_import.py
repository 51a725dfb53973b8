"""Measurements by CSV upload: preview, commit, all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import Measurement
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("outcomes:measurement-import")


def upload(client, text, name="measurements.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def test_preview_then_commit_saves_every_row(client, world, staff_a):
    outcome = world["outcome"]
    before = Measurement.objects.count()
    client.force_login(staff_a)
    text = (
        "outcome_id,date,value,note\n"
        f"{outcome.pk},2019-01-01,41.5,From the annual report\n"
        f"{outcome.pk},2019-02-01,40,\n"
    )
    response = upload(client, text)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [r.status for r in preview.rows] == ["new", "new"]
    assert Measurement.objects.count() == before  # a preview saves nothing
    token = response.context["token"]
    assert token

    response = client.post(URL, {"token": token, "action": "commit"})
    assert response.status_code == 302
    assert Measurement.objects.count() == before + 2
    saved = outcome.measurements.get(date=dt.date(2019, 1, 1))
    assert (saved.value, saved.note, saved.entered_by) == (
        Decimal("41.5"),
        "From the annual report",
        staff_a,
    )
    # The token is used up.
    response = client.post(URL, {"token": token, "action": "commit"}, follow=True)
    assert "already been used" in response.content.decode()


def test_one_bad_row_saves_nothing(client, world, staff_a):
    outcome = world["outcome"]
    before = Measurement.objects.count()
    client.force_login(staff_a)
    text = (
        "outcome_id,date,value,note\n"
        f"{outcome.pk},2019-01-01,41.5,\n"
        f"{outcome.pk},2019-13-01,40,\n"
        f"{outcome.pk},2019-03-01,forty,\n"
    )
    response = upload(client, text)
    preview = response.context["preview"]
    assert [r.status for r in preview.rows] == ["new", "error", "error"]
    assert not response.context["can_commit"]
    html = response.content.decode()
    errors = {r.number: r.errors for r in preview.rows}
    assert errors[3][0].startswith("date:") and errors[4][0].startswith("value:")
    assert "Error:</strong> date:" in html and "Error:</strong> value:" in html
    assert "Nothing can be saved until every row is correct" in html
    assert Measurement.objects.count() == before


def test_rows_for_other_agencies_and_repeats_are_errors(client, world, staff_a, agency_b):
    foreign = f.OutcomeFactory(agency=agency_b)
    outcome = world["outcome"]
    client.force_login(staff_a)
    text = (
        "outcome_id,date,value\n"
        f"{foreign.pk},2019-01-01,1\n"
        f"{outcome.pk},2019-01-01,1\n"
        f"{outcome.pk},2019-01-01,2\n"
    )
    rows = upload(client, text).context["preview"].rows
    assert rows[0].errors == [f"outcome_id: no outcome {foreign.pk} that you may measure."]
    assert rows[1].status == "new"
    assert rows[2].errors == ["Repeats row 3 (same outcome and date)."]


def test_a_known_date_changes_the_measurement(client, world, staff_a):
    outcome = world["outcome"]
    existing = outcome.measurements.order_by("date").first()
    client.force_login(staff_a)
    text = f"outcome_id,date,value\n{outcome.pk},{existing.date:%Y-%m-%d},{existing.value}\n"
    assert upload(client, text).context["preview"].rows[0].status == "unchanged"
    text = f"outcome_id,date,value\n{outcome.pk},{existing.date:%Y-%m-%d},12\n"
    response = upload(client, text)
    assert response.context["preview"].rows[0].status == "changed"
    client.post(URL, {"token": response.context["token"], "action": "commit"})
    existing.refresh_from_db()
    assert existing.value == Decimal("12")


def test_a_file_without_the_columns_is_refused(client, world, staff_a):
    client.force_login(staff_a)
    response = upload(client, "outcome,when\n1,2\n")
    assert "Missing columns: outcome_id, date, value." in response.content.decode()


def test_outsiders_may_not_import(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_the_template_has_the_columns(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:measurement-import-template"))
    assert response.content.decode("utf-8-sig").splitlines()[0] == "outcome_id,date,value,note"
