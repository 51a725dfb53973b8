"""The corpus of bad files in tests/data/bad_uploads/: each one is refused with a
clear message, on every upload page, and nothing is saved."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.tabular import STASH_DIR
from outcomes.models import Measurement
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


@dataclass(frozen=True)
class Page:
    url_name: str
    model: type
    args: tuple = ()
    file_field: str = "file"
    data: tuple = ()  # other fields of the form


# Every upload page. The count upload is not on agencies.uploads yet; it is here all the same.
PAGES = {
    "counts": Page("widgets:count-upload", WidgetCount, args=("da",)),
    "definitions": Page("widgets:import", Widget),
    "surveys": Page("widgets:survey-import", SurveyResult),
    "measurements": Page("outcomes:measurement-import", Measurement),
    "inventory": Page(
        "widgets:inventory-import", Widget, file_field="services", data=(("agency", "da"),)
    ),
}
# The corpus's rows are count rows: its row-level files apply to the count upload only
# (each import's own row checks are in its tests, and in tests/test_upload_flow.py).
ROW_LEVEL_PAGES = ("counts",)
# Files whose header other importers refuse first, naming the columns they miss.
HEADER_FIRST = {"header_only.csv", "formulas.xlsx"}


def _upload(name):
    return SimpleUploadedFile(name, (CORPUS / name).read_bytes())


def _limit_for(name, settings):
    if name == "too_large.csv":
        settings.UPLOAD_MAX_BYTES = 1024


def _stashed():
    try:
        return set(default_storage.listdir(STASH_DIR)[1])
    except FileNotFoundError:
        return set()


def _post(client, page, name):
    url = reverse(page.url_name, args=page.args)
    return client.post(url, {page.file_field: _upload(name), **dict(page.data)})


@pytest.mark.parametrize("name", sorted(FILE_LEVEL))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_upload_page_refuses_unreadable_files_clearly(
    client, staff_a, world, settings, name, page
):
    page = PAGES[page]
    _limit_for(name, settings)
    before, files = page.model.objects.count(), _stashed()
    client.force_login(staff_a)
    response = _post(client, page, name)
    assert response.status_code == 200
    body = response.content.decode()
    if page.url_name != "widgets:count-upload" and name in HEADER_FIRST:
        assert "Missing column" in body
    else:
        assert FILE_LEVEL[name] in body
    assert response.context.get("token") is None
    assert _stashed() == files  # nothing kept for a commit
    assert page.model.objects.count() == before


@pytest.mark.parametrize("name", sorted(ROW_LEVEL))
@pytest.mark.parametrize("page", ROW_LEVEL_PAGES)
def test_upload_pages_refuse_bad_rows_clearly(client, staff_a, world, name, page):
    page = PAGES[page]
    before = page.model.objects.count()
    client.force_login(staff_a)
    response = _post(client, page, name)
    assert response.status_code == 200
    assert ROW_LEVEL[name] in response.content.decode()
    assert not response.context["can_commit"]
    assert page.model.objects.count() == before
