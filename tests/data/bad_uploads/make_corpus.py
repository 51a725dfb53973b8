"""Writes the corpus of bad upload files in this folder (kept in the repo).

Run `python tests/data/bad_uploads/make_corpus.py` to make them again; each
file's purpose is in tests/test_bad_uploads.py.
"""

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
HEADER = "widget,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost"
ROW = "Air quality permit,2026-09-01,100,90,85,5,25,2,900"


def write(name, data):
    (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def xlsx(rows, formulas=False):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formulas:
        sheet["C2"] = "=SUM(1,2)"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb():
    """A valid-looking XLSX whose sheet expands to 40 MB of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (40 * 1024 * 1024))
    return buffer.getvalue()


def main():
    write("empty.csv", b"")
    write("header_only.csv", HEADER + "\n")
    write("wrong_delimiter.csv", HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + "\n")
    write("utf16.csv", (HEADER + "\n" + ROW + "\n").encode("utf-16"))
    write("latin1.csv", (HEADER + "\nÉmission permit,2026-09-01,1,1,1,0,0,0,1\n").encode("latin-1"))
    negative = ROW.replace(",100,", ",-100,")
    write("bom_negative.csv", ("\ufeff" + HEADER + "\n" + negative + "\n").encode())
    write("binary_garbage.csv", bytes(range(256)) * 8)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    write("renamed_image.xlsx", png)
    write("renamed_image.csv", png)
    write("formulas.xlsx", xlsx([HEADER.split(","), ROW.split(",")], formulas=True))
    write("too_large.csv", HEADER + "\n" + (ROW + "\n") * 40)  # the test sets a 1 KB limit
    write("zip_bomb.xlsx", zip_bomb())
    write("ten_thousand_columns.csv", ",".join(f"c{i}" for i in range(10_000)) + "\n")
    write("duplicate_rows.csv", HEADER + "\n" + ROW + "\n" + ROW + "\n")
    write("foreign_dates.csv", HEADER + "\n" + ROW.replace("2026-09-01", "01/09/2026") + "\n")
    write("thousands_separators.csv", HEADER + "\n" + ROW.replace(",100,", ',"1,100",') + "\n")


if __name__ == "__main__":
    main()
