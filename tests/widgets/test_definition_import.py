"""Bulk import of widget definitions: preview, all-or-nothing commit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from widgets.models import Widget, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("widgets:import")
HEADER = (
    "agency,program,name,kind,customer_segments,definition_of_done,standard_days,standard_share"
)


@pytest.fixture
def setup(agency_a, staff_a):
    f.ProgramFactory(agency=agency_a, name="Air")
    f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    return staff_a


def _csv(*rows):
    return SimpleUploadedFile("defs.csv", ("\n".join([HEADER, *rows]) + "\n").encode())


GOOD = [
    "DA,Air,Open burning permit,permit,Farmers,The permit is emailed.,2,95",
    'DA,Air,"Processing applications",permit,,,,',
]


def test_preview_shows_each_row_with_coach_notes_and_saves_nothing(client, setup):
    client.force_login(setup)
    response = client.post(URL, {"file": _csv(*GOOD)})
    results = response.context["preview"].rows
    assert [(r.number, r.name, r.status) for r in results] == [
        (2, "Open burning permit", "new"),
        (3, "Processing applications", "new"),
    ]
    assert any(f.code == "no-customer" for f in results[1].findings)
    assert Widget.objects.count() == 0


def test_commit_saves_every_row_as_a_draft(client, setup):
    client.force_login(setup)
    token = client.post(URL, {"file": _csv(*GOOD)}).context["token"]
    response = client.post(URL, {"token": token})
    assert response.status_code == 302
    widgets = Widget.objects.order_by("name")
    assert [(w.name, w.status) for w in widgets] == [
        ("Open burning permit", WidgetStatus.DRAFT),
        ("Processing applications", WidgetStatus.DRAFT),
    ]
    assert [s.name for s in widgets[0].customer_segments.all()] == ["Farmers"]
    # the same token cannot be committed twice
    client.post(URL, {"token": token})
    assert Widget.objects.count() == 2


def test_one_bad_row_saves_nothing_and_is_named_by_row_and_column(client, setup):
    client.force_login(setup)
    response = client.post(
        URL,
        {
            "file": _csv(
                GOOD[0],
                "DA,Air,Bad share permit,permit,Farmers,Issued.,10,150",
                "ZZ,Air,X,permit,,,,",
            )
        },
    )
    results = response.context["preview"].rows
    assert results[0].status == "new"
    assert results[1].number == 3
    assert any(e.startswith("standard_share:") for e in results[1].errors)
    assert results[2].errors == ["agency: “ZZ” is not an agency you can define widgets for."]
    assert not response.context["can_commit"]
    assert "Nothing has been saved" in response.content.decode()
    assert Widget.objects.count() == 0


def test_commit_is_atomic_when_the_database_refuses_a_row(client, setup, agency_a):
    client.force_login(setup)
    token = client.post(URL, {"file": _csv(*GOOD)}).context["token"]
    # Someone creates a widget with the second row's name between preview and commit.
    f.WidgetFactory(agency=agency_a, name="Processing applications")
    response = client.post(URL, {"token": token}, follow=True)
    assert Widget.objects.filter(name="Open burning permit").count() == 0
    assert "already has a widget named" in response.content.decode()


def test_duplicate_names_in_one_file_are_errors(client, setup):
    client.force_login(setup)
    response = client.post(URL, {"file": _csv(GOOD[0], GOOD[0])})
    assert "appears twice in this file (row 2)" in response.context["preview"].rows[1].errors[0]


def test_xlsx_is_read_like_csv(client, setup):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["DA", "Air", "Open burning permit", "permit", "Farmers", "Emailed.", 2, 95])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(setup)
    upload = SimpleUploadedFile("defs.xlsx", buffer.getvalue())
    results = client.post(URL, {"file": upload}).context["preview"].rows
    assert [(r.name, r.status) for r in results] == [("Open burning permit", "new")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("defs.csv", b"", "file is empty"),
        ("defs.csv", (HEADER + "\n").encode(), "The file has a header but no rows."),
        ("defs.txt", b"a,b\n1,2\n", "Upload a .csv or .xlsx file."),
        ("defs.csv", b"agency;program;name;kind\n", "separated by commas"),
        ("defs.csv", HEADER.encode("utf-16"), "UTF-16"),
        ("defs.csv", "agency,program,name,kind\nDÉQ,Aïr,Ça,permit\n".encode("latin-1"), "UTF-8"),
        ("defs.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    ],
)
def test_unreadable_files_get_a_clear_message(client, setup, name, content, message):
    client.force_login(setup)
    response = client.post(URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Widget.objects.count() == 0


def test_template_download_has_every_column(client, setup):
    client.force_login(setup)
    response = client.get(reverse("widgets:import-template"))
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("agency,program,name,kind")
