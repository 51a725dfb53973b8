"""Survey result pages: entry and edit forms, the import (an UploadView) and its template."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from agencies import tabular
from agencies.permissions import SIGNED_IN, STAFF, grant
from agencies.uploads import UploadView

from ..models import ResultSource, SurveyResult, Widget
from .forms import SurveyResultForm
from .results import IMPORT_COLUMNS, REQUIRED_COLUMNS, commit_import, preview_import
from .rollup import entry_refusal, lock_widget


class EntryRefused(Exception):
    pass


def _entry(request, *, widget, result):
    form = SurveyResultForm(request.POST or None, instance=result, widget=widget)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Checked again with the widget locked: answers may have come meanwhile.
                lock_widget(widget)
                why = entry_refusal(widget, form.cleaned_data["period_start"])
                if why:
                    raise EntryRefused(why)
                form.save()
        except EntryRefused as exc:
            form.add_error("period_start", str(exc))
        except IntegrityError:
            form.add_error(
                None,
                "The database refused these figures (they may have been entered meanwhile). "
                "Nothing was saved; check the figures and try again.",
            )
        else:
            messages.success(request, f"Saved the survey result for {widget.name}.")
            return redirect("widgets:detail", pk=widget.pk)
    return render(
        request,
        "widgets/surveys/survey_form.html",
        {"form": form, "widget": widget, "result": result if result and result.pk else None},
    )


@grant(STAFF, widget=Widget.objects.select_related("agency"), to="enter its survey results")
def survey_create(request, widget):
    return _entry(request, widget=widget, result=None)


@grant(
    STAFF,
    # Collected results are the answers' (widgets.surveys.rollup): not edited by hand.
    result=SurveyResult.objects.filter(source=ResultSource.ENTERED).select_related(
        "widget__agency", "segment"
    ),
    to="change its survey results",
)
def survey_edit(request, result):
    return _entry(request, widget=result.widget, result=result)


class SurveyUpload(UploadView):
    """Survey results from a file: every row previewed, then all saved or none."""

    title = "Import survey results"
    intro = (
        "Upload a CSV or XLSX file with one row per widget, period and segment. You will see "
        "every row before anything is saved; then all rows are saved, or none."
    )
    file_help = "One row per widget, period and segment; the template lists the columns."
    stash_kind = "survey-results"
    columns = IMPORT_COLUMNS
    columns_note = (
        "Required: widget_id and period_start (YYYY-MM-DD); segment is a segment name of the "
        "widget's agency, blank for all customers. A blank cell is unknown; a column left out "
        "keeps what is stored."
    )
    template_url_name = "widgets:survey-import-template"
    noun, noun_plural = "survey result", "survey results"
    label_heading = "Widget, period and segment"

    def preview(self, files, options):
        upload = files["file"]
        rows = self.read_rows(upload, upload.name, required=REQUIRED_COLUMNS)
        return preview_import(rows, user=self.request.user)

    def commit(self, preview, *, state):
        created, changed = commit_import(preview)
        return (
            f"Imported: {created} new, {changed} changed, "
            f"{preview.unchanged_count} unchanged survey results."
        )


survey_import = grant(STAFF, to="import survey results")(SurveyUpload.as_view())


@require_GET
@grant(SIGNED_IN)
def survey_import_template(request):
    return tabular.template_response(columns=IMPORT_COLUMNS, filename="survey-results-template")
