"""Row and cell limits are checked while a file is read (agencies.tabular): a huge
sheet, or one that claims to be, is refused at once with a clear message, so no
upload keeps a worker past a request. The probe's file: a 3 MB XLSX of 1,048,576
rows."""
# ruff: noqa: E501 (the parts of an XLSX, written out whole)

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.tabular import MAX_CELL_CHARS, UploadError, read_rows
from widgets.models import CountUpload, WidgetCount

pytestmark = pytest.mark.django_db
HEADER = "widget_id,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Counts" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def _xlsx(rows, *, dimension=True):
    """An XLSX of `rows` rows of one number under a one-column header, written as
    a stream (as a hostile file would be: small, and every row real)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                sheet.write(f'<dimension ref="A1:A{rows}"/>'.encode())
            sheet.write(
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>demand</t></is></c></row>'
            )
            chunk = []
            for r in range(2, rows + 1):
                chunk.append(f'<row r="{r}"><c><v>1</v></c></row>')
                if len(chunk) == 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return out.getvalue()


def _read_all(content, name):
    return list(read_rows(io.BytesIO(content), name))


@pytest.mark.slow
def test_the_probes_xlsx_of_a_million_rows_is_refused_at_once_by_the_upload_page(
    client, agency_a, staff_a
):
    content = _xlsx(1_048_576)
    assert len(content) < 6 * 1024 * 1024  # a few MB, far below UPLOAD_MAX_BYTES
    client.force_login(staff_a)
    started = time.monotonic()
    response = client.post(
        reverse("widgets:count-upload", args=[agency_a.slug]),
        {"file": SimpleUploadedFile("counts.xlsx", content)},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "more than 100,000 rows (it spans 1,048,576)" in response.content.decode()
    assert not CountUpload.objects.exists() and not WidgetCount.objects.exists()


def test_a_sheet_that_hides_its_size_is_stopped_while_it_is_read(settings):
    settings.UPLOAD_MAX_CELLS = 5_000
    with pytest.raises(UploadError, match="goes on past row 5,000"):
        _read_all(_xlsx(20_000, dimension=False), "counts.xlsx")


def test_blank_rows_count_toward_the_limit(settings):
    settings.UPLOAD_MAX_CELLS = 1_000
    content = (HEADER + "\n" + ",,,,,,,,\n" * 5_000).encode()
    with pytest.raises(UploadError, match="blank rows"):
        _read_all(content, "counts.csv")


def test_a_csv_within_the_limit_is_read_whole(settings):
    settings.UPLOAD_MAX_CELLS = 9 * 101
    content = (HEADER + "\n" + "1,2026-01-01,1,,,,,,\n" * 100).encode()
    assert len(_read_all(content, "counts.csv")) == 100


def test_a_cell_too_long_is_named_by_row_and_column():
    content = f"name,kind\nPermit,{'x' * (MAX_CELL_CHARS + 1)}\n".encode()
    with pytest.raises(UploadError, match="Row 2, kind: the cell holds 10,001 characters"):
        _read_all(content, "defs.csv")


def test_blank_rows_count_toward_the_row_limit_of_an_import():
    content = (HEADER + "\n" + ",,,,,,,,\n" * 50 + "1,2026-01-01,1,,,,,,\n").encode()
    with pytest.raises(UploadError, match="more than 20 rows, blank rows included"):
        list(read_rows(io.BytesIO(content), "counts.csv", max_rows=20))
