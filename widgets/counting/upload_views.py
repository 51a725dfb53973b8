"""The count upload page: agencies.uploads.UploadView over widgets.counting.upload.

What differs from the other imports: the file is streamed (the preview keeps
totals, the first rows and the first errors, not every row), the commit saves
while it reads (set-based on PostgreSQL), and the preview carries a signed
snapshot of the versions of the rows the file writes. A commit that finds one
of them saved by someone else since is refused and answered with the preview
again, against what is saved now (409).
"""

from django.template.defaultfilters import pluralize

from agencies.errors import UploadRejected
from agencies.models import Agency
from agencies.permissions import SIGNED_IN, STAFF, grant
from agencies.previews import CHANGED, ERROR, NEW, UNCHANGED, Cell, Preview, PreviewRow
from agencies.tabular import template_response
from agencies.templatetags.numbers import whole
from agencies.uploads import UploadView

from .. import counting, measures
from ..models import CountUpload
from .rows import Snapshot
from .upload import COLUMNS, CountFile

_LABELS = {**{n: label.lower() for n, label in counting.LABELS.items()}, "balance_note": "reason"}
STATUSES = {"new": NEW, "changes": CHANGED, "unchanged": UNCHANGED, "error": ERROR}
TEMPLATE_EXAMPLE = {
    "agency": "DEQ",
    "widget_id": "1",
    "period_start": "2026-10-01",
    **{f.name: f.example for f in measures.typed_fields()},
}
CONFLICT = (
    "Someone else saved counts for some of these periods after your preview. Nothing from "
    "the file was saved: here is the preview again against what is saved now. Save again "
    "to apply the file over their numbers."
)


def as_preview(found):
    """The count file's preview (widgets.counting.upload.Preview) in the one protocol."""
    by_row = {}
    for number, finding in found.findings:
        by_row.setdefault(number, []).append(f"{finding.grade_label}: {finding.message}")
    rows = [_row(r) for r in found.error_rows]
    others = [r for r in found.rows if r.status != "error"] + found.warning_rows
    rows += [_row(r, by_row.get(r.number, [])) for r in sorted(others, key=lambda r: r.number)]
    return Preview(
        rows=rows,
        notes=_quality_notes(found, shown={r.number for r in found.rows}),
        data=found,
        total=found.total,
        warned=found.warned,
        tally={
            ERROR: found.errors,
            NEW: found.new,
            CHANGED: found.changed,
            UNCHANGED: found.unchanged,
        },
    )


def _quality_notes(found, *, shown, listed=20):
    """What the file's rows would add to the data-quality page: how many findings, and
    those of rows the preview does not list (the first `listed`)."""
    if not found.finding_total:
        return []
    n = found.finding_total
    notes = [
        f"Data quality: saving this file would add {n} finding{pluralize(n)} to the "
        "agency's data-quality page (a value far from its earlier periods, or the same "
        "volume period after period). Check them before you save; they do not stop the save."
    ]
    unlisted = [(number, f) for number, f in found.findings if number not in shown]
    notes += [
        f"Row {number} ({f.widget.name}, {f.period_label}): {f.grade_label}: {f.message}"
        for number, f in unlisted[:listed]
    ]
    return notes


def _row(row, notes=()):
    return PreviewRow(
        number=row.number,
        label=", ".join(part for part in (row.widget, row.period) if part),
        status=STATUSES[row.status],
        messages=row.messages,
        notes=list(notes),
        warnings=row.warnings,
        cells=[Cell(_LABELS[n], old, new) for n, old, new in row.cells],
    )


class CountUploadView(UploadView):
    title = "Upload counts"
    file_help = "One row per widget and period, with the columns of the template."
    columns = COLUMNS
    columns_note = (
        "A file changes only what it says. A blank cell, or a column the file does not have, "
        "leaves the stored number as it is; blank is never read as 0. To clear a stored "
        f"number (make it unknown again), write “{counting.CLEAR_WORD}” in its cell: the "
        "preview shows each clear before anything is saved. A measure that does not apply "
        f"to a widget (n/a in the grid) takes no number: leave it blank or write "
        f"“{measures.NOT_APPLICABLE_SHORT}”. Write numbers without thousands "
        "separators. Give widget_id or widget; when a row has both, they must name the same "
        "widget. A row whose backlog does not balance with the period before (previous "
        "backlog + demand \u2212 delivered \u2212 withdrawn) is saved with a warning; "
        "its reason, in balance_note, is kept with it."
    )
    template_name = "widgets/counting/count_upload.html"
    template_url_name = "widgets:count-upload-template"
    noun, noun_plural = "row", "rows"
    label_heading = "Widget and period"
    # Read as a stream: memory does not grow with the rows (docs/performance.md). At
    # ~20,000 rows/s, preview and commit of the most rows each fit in a request;
    # UPLOAD_MAX_CELLS bounds what is read whatever the rows hold.
    max_rows = 100_000

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.agency = kwargs["agency"]  # granted to its staff (count_upload below)
        self.intro = f"Counts of {self.agency.name}'s widgets, from a CSV or Excel file."

    def get_stash_kind(self):
        return f"counts:{self.agency.pk}"

    def count_file(self, *, read_rows=None):
        return CountFile(agency=self.agency, user=self.request.user, read_rows=read_rows)

    def preview(self, files, options):
        upload = files["file"]
        return as_preview(self.count_file(read_rows=self.read_rows).preview(upload, upload.name))

    def extra_state(self, preview):
        # What the preview saw of the rows the file writes (widgets.counting.upload.Snapshot).
        return {"snapshot": preview.data.snapshot.sign()}

    def commit_files(self, files, options, *, state):
        upload = files["file"]
        try:
            # Read through the page's read_rows: the rows read are the job's progress
            # when the worker saves a large file (agencies.jobs).
            saved = self.count_file(read_rows=self.read_rows).commit(
                upload, upload.name, snapshot=Snapshot.unsign(state.get("snapshot"))
            )
        except UploadRejected as exc:
            if exc.preview is None:  # refused before reading a row (no snapshot)
                raise
            raise UploadRejected(as_preview(exc.preview), exc.message) from exc
        except counting.CountConflict as exc:
            # The preview again, against what is saved now: the differences are theirs.
            again = self.run_preview(files, options)
            raise UploadRejected(again, CONFLICT, status_code=409) from exc
        return (
            f"Saved {saved.file_name}: {whole(saved.rows_new)} new, "
            f"{whole(saved.rows_changed)} changed, {whole(saved.rows_unchanged)} unchanged rows."
        )

    def get_context_data(self, **context):
        context = super().get_context_data(**context)
        context["agency"] = self.agency
        context["uploads"] = CountUpload.objects.filter(agency=self.agency).select_related(
            "uploaded_by"
        )[:10]
        return context


count_upload = grant(STAFF, agency=Agency, by="slug", to="upload its counts")(
    CountUploadView.as_view()
)


@grant(SIGNED_IN)
def count_upload_template(request):
    return template_response(columns=COLUMNS, example=TEMPLATE_EXAMPLE, filename="counts-template")
