"""The corpus of bad files in tests/data/bad_uploads/: each one is refused with a
clear message, on every upload page, and nothing is saved."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from widgets.models import SurveyResult, Widget, WidgetCount, WidgetStatus

from . import factories as f

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "data" / "bad_uploads"

# file -> what the person is told (a part of it)
FILE_LEVEL = {
    "empty.csv": "empty",
    "header_only.csv": "header but no rows",
    "wrong_delimiter.csv": "separated by commas",
    "utf16.csv": "UTF-16",
    "latin1.csv": "not in UTF-8",
    "binary_garbage.csv": "binary data",
    "renamed_image.csv": "binary data",
    "renamed_image.xlsx": "not a readable XLSX",
    "formulas.xlsx": "Cell C2 holds a formula",
    "too_large.csv": "larger than the",
    "zip_bomb.xlsx": "expands to far more data",
    "ten_thousand_columns.csv": "10000 columns",
}
ROW_LEVEL = {
    "bom_negative.csv": "demand: Cannot be negative.",
    "duplicate_rows.csv": "appear more than once in the file",
    "foreign_dates.csv": "is not a date as YYYY-MM-DD",
    "thousands_separators.csv": "without thousands separators",
}


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.suffix in {".csv", ".xlsx"}}
    assert files == set(FILE_LEVEL) | set(ROW_LEVEL)


@pytest.fixture
def world(agency_a, staff_a, settings):
    widget = f.WidgetFactory(
        agency=agency_a, name="Air quality permit", status=WidgetStatus.APPROVED
    )
    return {"widget": widget}


def _upload(name):
    return SimpleUploadedFile(name, (CORPUS / name).read_bytes())


def _limit_for(name, settings):
    if name == "too_large.csv":
        settings.UPLOAD_MAX_BYTES = 1024


@pytest.mark.parametrize("name", sorted({**FILE_LEVEL, **ROW_LEVEL}))
def test_count_upload_refuses_bad_file_clearly(client, staff_a, world, settings, name):
    _limit_for(name, settings)
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=["da"])
    response = client.post(url, {"file": _upload(name)})
    assert response.status_code == 200
    assert {**FILE_LEVEL, **ROW_LEVEL}[name] in response.content.decode()
    assert response.context.get("token") is None
    assert WidgetCount.objects.count() == 0


IMPORTS = [
    ("widgets:import", Widget, 1),  # the one widget of the fixture
    ("widgets:survey-import", SurveyResult, 0),
]


@pytest.mark.parametrize("name", sorted(FILE_LEVEL))
@pytest.mark.parametrize(("url_name", "model", "rows"), IMPORTS)
def test_other_imports_refuse_bad_files_clearly(
    client, staff_a, world, settings, name, url_name, model, rows
):
    _limit_for(name, settings)
    client.force_login(staff_a)
    response = client.post(reverse(url_name), {"file": _upload(name)})
    assert response.status_code == 200
    body = response.content.decode()
    expected = FILE_LEVEL[name]
    if name == "header_only.csv":
        expected = "no rows" if url_name == "widgets:import" else expected
    if name in {"header_only.csv", "wrong_delimiter.csv", "formulas.xlsx"}:
        # those files carry count columns; other importers name what is missing
        assert ("Missing column" in body) or (expected in body)
    else:
        assert expected in body
    assert model.objects.count() == rows
