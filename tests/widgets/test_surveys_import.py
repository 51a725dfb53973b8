"""Survey result import: preview per row, all-or-nothing commit, re-import changes nothing."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from widgets.models import SurveyResult, WidgetStatus
from widgets.surveys.results import IMPORT_COLUMNS

from .. import factories as f

pytestmark = pytest.mark.django_db
URL = "widgets:survey-import"


@pytest.fixture
def world(agency_a):
    widget = f.WidgetFactory(agency=agency_a, name="Permit", status=WidgetStatus.APPROVED)
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    return {"widget": widget, "segment": segment}


def _row(widget, **values):
    row = {
        "widget_id": widget.pk,
        "period_start": "2026-01-01",
        "segment": "",
        "customers_served": 1000,
        "offered": 500,
        "respondents": 100,
        "satisfaction_4": 40,
        "satisfaction_5": 20,
    }
    row.update(values)
    return row


def _csv(rows, columns=IMPORT_COLUMNS, name="surveys.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def _preview(client, upload):
    response = client.post(reverse(URL), {"file": upload})
    assert response.status_code == 200
    return response


def _commit(client, response):
    return client.post(reverse(URL), {"token": response.context["token"], "action": "commit"})


def _statuses(response):
    return [(r.number, r.status) for r in response.context["preview"].rows]


def test_template_is_a_csv_with_every_column(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("widgets:survey-import-template"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:6] == [
        "widget_id",
        "period_start",
        "segment",
        "customers_served",
        "offered",
        "respondents",
    ]
    assert "helpfulness_5" in header and len(header) == 6 + 35


def test_preview_saves_nothing_then_commit_saves_all(client, staff_a, world):
    client.force_login(staff_a)
    rows = [_row(world["widget"]), _row(world["widget"], segment="farmers", trust_5=10)]
    response = _preview(client, _csv(rows))
    assert _statuses(response) == [(2, "new"), (3, "new")]
    assert not SurveyResult.objects.exists()
    assert _commit(client, response).status_code == 302
    assert SurveyResult.objects.count() == 2
    assert SurveyResult.objects.get(segment=world["segment"]).trust_5 == 10


def test_reimporting_the_same_file_changes_nothing(client, staff_a, world):
    client.force_login(staff_a)
    rows = [_row(world["widget"]), _row(world["widget"], period_start="2026-02-01")]
    _commit(client, _preview(client, _csv(rows)))
    stamps = list(SurveyResult.objects.values_list("pk", "updated_at"))
    response = _preview(client, _csv(rows))
    assert _statuses(response) == [(2, "unchanged"), (3, "unchanged")]
    _commit(client, response)
    assert list(SurveyResult.objects.values_list("pk", "updated_at")) == stamps


def test_changed_rows_are_shown_with_the_changed_columns(client, staff_a, world):
    f.SurveyResultFactory(widget=world["widget"], satisfaction_4=40, satisfaction_5=20)
    client.force_login(staff_a)
    response = _preview(client, _csv([_row(world["widget"], respondents=90)]))
    [row] = response.context["preview"].rows
    assert (row.status, row.changed) == ("changed", ["respondents"])
    _commit(client, response)
    assert SurveyResult.objects.get().respondents == 90


def test_one_bad_row_saves_nothing_and_is_named_by_row_and_column(client, staff_a, world):
    client.force_login(staff_a)
    rows = [
        _row(world["widget"]),
        _row(world["widget"], period_start="2026-02-01", trust_1=80, trust_2=80),
        _row(world["widget"], period_start="2026-03-01", offered=-3),
    ]
    response = _preview(client, _csv(rows))
    assert _statuses(response) == [(2, "new"), (3, "error"), (4, "error")]
    errors = {r.number: r.errors for r in response.context["preview"].rows}
    assert errors[3] == ["trust_1: Trust: 160 answers in all, more than the 100 respondents."]
    assert errors[4] == ["offered: Cannot be negative."]
    body = response.content.decode()
    assert "trust_1: Trust: 160 answers in all" in body
    assert not response.context["can_commit"]
    assert not SurveyResult.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"widget_id": "999999"}, "widget_id: no widget 999999 that you may change."),
        ({"segment": "Nobody"}, "segment: DA has no customer segment named “Nobody”."),
        ({"period_start": "01/02/2026"}, "period_start: enter the date as YYYY-MM-DD"),
        ({"respondents": "600"}, "respondents: Respondents (600) cannot be more than"),
        ({"respondents": "lots"}, "respondents: Enter a whole number."),
    ],
)
def test_row_errors_name_the_column(client, staff_a, world, values, message):
    client.force_login(staff_a)
    response = _preview(client, _csv([_row(world["widget"], **values)]))
    [row] = response.context["preview"].rows
    assert row.status == "error"
    assert row.errors[0].startswith(message)


def test_repeated_rows_are_refused(client, staff_a, world):
    client.force_login(staff_a)
    response = _preview(client, _csv([_row(world["widget"])] * 2))
    assert response.context["preview"].rows[1].errors == [
        "Repeats row 2 (same widget, period and segment)."
    ]


def test_staff_cannot_import_into_another_agencys_widget(client, staff_b, world):
    client.force_login(staff_b)
    response = _preview(client, _csv([_row(world["widget"])]))
    assert _statuses(response) == [(2, "error")]
    assert not SurveyResult.objects.exists()


def test_user_without_membership_cannot_import(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse(URL)).status_code == 403


def test_commit_rechecks_the_file_against_the_database(client, staff_a, world):
    """Rows that went bad between preview and commit: nothing is saved, no 500."""
    client.force_login(staff_a)
    rows = [_row(world["widget"]), _row(world["widget"], segment="Farmers")]
    response = _preview(client, _csv(rows))
    world["segment"].delete()
    committed = _commit(client, response)
    assert committed.status_code == 400
    body = committed.content.decode()
    assert "1 row has errors; nothing was saved." in body
    assert "has no customer segment named" in body
    assert not SurveyResult.objects.exists()


def test_missing_columns_and_unreadable_files_are_explained(client, staff_a, world):
    client.force_login(staff_a)
    response = _preview(client, _csv([{"widget_id": 1}], columns=["widget_id"]))
    assert "Missing column: period_start." in response.context["form"].errors["file"][0]
    bad = SimpleUploadedFile("s.txt", b"hello")
    assert client.post(reverse(URL), {"file": bad}).context["form"].errors["file"]


def test_xlsx_upload_with_native_dates_and_numbers(client, staff_a, world):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["widget_id", "period_start", "respondents", "offered", "customers_served", "ease_5"]
    )
    sheet.append([world["widget"].pk, dt.datetime(2026, 4, 1), 50.0, 60, 70, 45])
    data = io.BytesIO()
    book.save(data)
    client.force_login(staff_a)
    upload = SimpleUploadedFile("s.xlsx", data.getvalue())
    response = _preview(client, upload)
    assert _statuses(response) == [(2, "new")]
    _commit(client, response)
    assert SurveyResult.objects.get().ease_5 == 45


def test_cancel_discards_the_preview(client, staff_a, world):
    client.force_login(staff_a)
    response = _preview(client, _csv([_row(world["widget"])]))
    token = response.context["token"]
    client.post(reverse(URL), {"token": token, "action": "cancel"})
    again = client.post(reverse(URL), {"token": token, "action": "commit"})
    assert again.status_code == 400
    assert not SurveyResult.objects.exists()


def test_a_database_refusal_mid_commit_rolls_back_every_row(client, staff_a, world, monkeypatch):
    from django.db import IntegrityError

    client.force_login(staff_a)
    rows = [_row(world["widget"]), _row(world["widget"], period_start="2026-02-01")]
    response = _preview(client, _csv(rows))
    original, saved = SurveyResult.save, []

    def save_once(self, *args, **kwargs):
        if saved:
            raise IntegrityError("widgets_surveyresult_one_overall_per_period")
        saved.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(SurveyResult, "save", save_once)
    committed = _commit(client, response)
    assert committed.status_code == 400
    assert "nothing was saved" in committed.content.decode()
    assert len(saved) == 1
    assert not SurveyResult.objects.exists()
