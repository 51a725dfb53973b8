"""A preview the worker refused is kept as JSON and shown again on the job's page
(agencies.previews.stored / restored): each row's warnings keep their grade, so a
graded finding says its own grade there as on the upload page, not "Warning: Error:"."""

import json

from django.template.loader import render_to_string

from agencies.previews import Preview, PreviewRow, restored, stored
from widgets.interop.gc_reader import Issue


def _row_html(preview):
    shown = [(row, row.status, "") for row in preview.ordered_rows()]
    html = render_to_string("uploads/preview.html", {"preview": preview, "shown": shown})
    return " ".join(html.split())


def test_a_graded_finding_says_its_own_grade_on_the_jobs_page_as_on_the_upload_page():
    finding = Issue("services.csv", 2, "num_applications", "Above its total.", grade="error")
    row = PreviewRow(
        number=2, label="Passports", status="new", warnings=[finding, "Fax number is blank."]
    )
    preview = Preview(rows=[row])
    kept = restored(json.loads(json.dumps(stored(preview))))
    graded, plain = kept.rows[0].warnings
    assert (str(graded), graded.grade) == (str(finding), "error")
    assert (str(plain), plain.grade) == ("Fax number is blank.", None)
    html = _row_html(kept)
    assert "Warning:</strong> Error:" not in html
    assert "<li>Error: services.csv, row 2, column num_applications: Above its total.</li>" in html
    assert "<li><strong>Warning:</strong> Fax number is blank.</li>" in html
    assert _row_html(preview).count("<strong>Warning:</strong>") == 1  # the upload page's own


def test_a_job_kept_before_warnings_had_grades_still_shows():
    kept = stored(Preview(rows=[PreviewRow(number=1, label="x", status="new", warnings=["w"])]))
    kept["rows"][0]["warnings"] = ["An old warning."]
    (warning,) = restored(kept).rows[0].warnings
    assert (str(warning), warning.grade) == ("An old warning.", None)
