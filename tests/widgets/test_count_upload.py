"""Uploading counts: preview, all-or-nothing commit, idempotent re-upload, memory."""

import datetime as dt
import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from widgets.counting.upload import CountFile
from widgets.models import CountUpload, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
HEADER = (
    "agency,widget_id,widget,period_start,"
    "demand,delivered,within_standard,withdrawn,backlog,rework,cost"
)


@pytest.fixture
def setup(agency_a, staff_a):
    permit = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    title = f.WidgetFactory(agency=agency_a, name="Boat title", status=WidgetStatus.APPROVED)
    return {
        "permit": permit,
        "title": title,
        "url": reverse("widgets:count-upload", args=[agency_a.slug]),
    }


def _csv(*rows, name="counts.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def _good(setup):
    return [
        f"DA,{setup['permit'].pk},,2026-08-01,100,90,80,5,25,2,900.00",
        "DA,,Boat title,2026-08-01,7,,,,,,",
    ]


def test_preview_names_each_rows_status_and_saves_nothing(client, staff_a, setup):
    f.WidgetCountFactory(
        widget=setup["title"],
        period_start=dt.date(2026, 8, 1),
        demand=7,
        delivered=None,
        within_standard=None,
        withdrawn=None,
        backlog=None,
        rework=None,
        cost=None,
    )
    client.force_login(staff_a)
    response = client.post(setup["url"], {"file": _csv(*_good(setup))})
    assert [(r.number, r.label, r.status) for r in response.context["preview"].rows] == [
        (2, "Air permit, 2026-08-01", "new"),
        (3, "Boat title, 2026-08-01", "unchanged"),
    ]
    preview = response.context["preview"].data  # the count file's own preview
    assert [(r.number, r.widget, r.status) for r in preview.rows] == [
        (2, "Air permit", "new"),
        (3, "Boat title", "unchanged"),
    ]
    assert (preview.total, preview.new, preview.unchanged, preview.errors) == (2, 1, 1, 0)
    assert WidgetCount.objects.count() == 1


def test_commit_saves_all_and_keeps_the_upload_as_the_source(client, staff_a, setup):
    client.force_login(staff_a)
    token = client.post(setup["url"], {"file": _csv(*_good(setup))}).context["token"]
    assert client.post(setup["url"], {"token": token}).status_code == 302
    upload = CountUpload.objects.get()
    assert (upload.file_name, upload.uploaded_by, upload.rows_total, upload.rows_new) == (
        "counts.csv",
        staff_a,
        2,
        2,
    )
    permit = WidgetCount.objects.get(widget=setup["permit"])
    assert (permit.source, permit.upload, permit.entered_by, permit.delivered) == (
        "import",
        upload,
        None,  # the upload says who: upload.uploaded_by, and the count's history
        90,
    )
    assert upload.uploaded_by == staff_a
    assert permit.history.latest().history_user == staff_a
    assert WidgetCount.objects.get(widget=setup["title"]).delivered is None


def test_one_bad_row_saves_nothing_and_is_explained(client, staff_a, setup):
    client.force_login(staff_a)
    response = client.post(
        setup["url"],
        {
            "file": _csv(
                *_good(setup),
                f"DA,{setup['permit'].pk},,2026-09-01,-4,90,95,,,,",
                "DA,,Nope,2026-13-01,1,,,,,,",
            )
        },
    )
    preview = response.context["preview"].data
    assert preview.errors == 2
    messages = {r.number: r.messages for r in preview.error_rows}
    assert "demand: Cannot be negative." in messages[4]
    assert (
        "within_standard: Within standard (95) cannot be more than delivered (90)." in messages[4]
    )
    assert "widget: DA has no widget named “Nope”." in messages[5]
    assert any(m.startswith("period_start:") for m in messages[5])
    assert not response.context["can_commit"]
    assert WidgetCount.objects.count() == 0


def test_reupload_of_the_same_file_changes_nothing(client, staff_a, setup):
    client.force_login(staff_a)
    token = client.post(setup["url"], {"file": _csv(*_good(setup))}).context["token"]
    client.post(setup["url"], {"token": token})
    history = sum(c.history.count() for c in WidgetCount.objects.all())
    response = client.post(setup["url"], {"file": _csv(*_good(setup))})
    assert response.context["preview"].unchanged_count == 2
    client.post(setup["url"], {"token": response.context["token"]})
    assert sum(c.history.count() for c in WidgetCount.objects.all()) == history
    assert CountUpload.objects.order_by("-pk").first().rows_unchanged == 2


def test_xlsx_upload_reads_native_numbers_and_dates(client, staff_a, setup):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["DA", setup["permit"].pk, None, dt.datetime(2026, 8, 1), 100, 90, 80, 5, 25, 2, 900.5]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(staff_a)
    response = client.post(setup["url"], {"file": SimpleUploadedFile("c.xlsx", buffer.getvalue())})
    assert [(r.status, r.period) for r in response.context["preview"].data.rows] == [
        ("new", "2026-08-01")
    ]


def test_duplicate_rows_and_other_agencies_are_errors(client, staff_a, setup):
    client.force_login(staff_a)
    row = _good(setup)[0]
    response = client.post(setup["url"], {"file": _csv(row, row, row.replace("DA,", "DB,", 1))})
    messages = [m for r in response.context["preview"].error_rows for m in r.messages]
    assert "This widget and period appear more than once in the file." in messages
    assert "agency: this upload is for DA, not DB." in messages


def test_staff_of_another_agency_cannot_upload(client, staff_b, setup):
    client.force_login(staff_b)
    assert client.post(setup["url"], {"file": _csv(*_good(setup))}).status_code == 403


def _big_csv(path, widgets, days):
    start = dt.date(2020, 1, 1)
    with open(path, "w") as out:
        out.write(HEADER + "\n")
        for widget in widgets:
            for day in range(days):
                period = start + dt.timedelta(days=day)
                out.write(f"DA,{widget.pk},,{period:%Y-%m-%d},10,9,8,1,5,0,90.00\n")


@pytest.mark.slow
def test_a_100000_row_upload_keeps_memory_flat(staff_a, agency_a, tmp_path):
    widgets = [
        f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="day")
        for _ in range(100)
    ]
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _big_csv(small, widgets[:1], 1000)  # 1,000 rows
    _big_csv(big, widgets, 1000)  # 100,000 rows
    counts_file = CountFile(agency=agency_a, user=staff_a)

    def peak(path):
        tracemalloc.start()
        with open(path, "rb") as fileobj:
            preview = counts_file.preview(fileobj, "big.csv")
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return preview, result

    _, small_peak = peak(small)
    big_preview, big_peak = peak(big)
    assert (big_preview.total, big_preview.new, big_preview.errors) == (100_000, 100_000, 0)
    assert len(big_preview.rows) == 50
    # 100x the rows, yet the peak stays within a few MB of the small file's.
    assert big_peak < small_peak + 8 * 1024 * 1024, (small_peak, big_peak)


def test_cancel_discards_the_previewed_file_and_saves_nothing(client, staff_a, setup):
    client.force_login(staff_a)
    token = client.post(setup["url"], {"file": _csv(*_good(setup))}).context["token"]
    cancelled = client.post(setup["url"], {"token": token, "action": "cancel"}, follow=True)
    assert "Cancelled. Nothing was saved." in cancelled.content.decode()
    assert client.post(setup["url"], {"token": token}).status_code == 400  # gone
    assert not WidgetCount.objects.exists()
