"""Survey result pages: entry and edit forms, the import (preview, commit) and its template."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from agencies import tabular
from agencies.scoping import changeable_agency_ids, get_readable_or_404, is_admin, require_change

from .models import SurveyResult, Widget
from .survey_forms import SurveyImportForm, SurveyResultForm
from .surveys import (
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    ImportRefused,
    commit_import,
    preview_import,
)

IMPORT_KIND = "survey-results"


def _entry(request, *, widget, result):
    form = SurveyResultForm(request.POST or None, instance=result, widget=widget)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
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
        "widgets/survey_form.html",
        {"form": form, "widget": widget, "result": result if result and result.pk else None},
    )


def survey_create(request, pk):
    widget = get_readable_or_404(Widget.objects.select_related("agency"), request.user, pk=pk)
    require_change(request.user, widget)
    return _entry(request, widget=widget, result=None)


def survey_edit(request, pk):
    readable = SurveyResult.objects.filter(widget__in=Widget.objects.for_user(request.user))
    result = get_readable_or_404(
        readable.select_related("widget__agency", "segment"), request.user, pk=pk
    )
    require_change(request.user, result)
    return _entry(request, widget=result.widget, result=result)


def _may_import(user):
    if not (is_admin(user) or changeable_agency_ids(user)):
        raise PermissionDenied("Only an agency's staff can import its survey results.")


def survey_import(request):
    """GET: the upload form. POST a file: the preview. POST a token: commit or cancel."""
    _may_import(request.user)
    context = {"form": SurveyImportForm(), "columns": IMPORT_COLUMNS}
    if request.method == "POST" and "token" in request.POST:
        return _import_decision(request, request.POST["token"], context)
    if request.method == "POST":
        form = SurveyImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = _preview(upload, upload.name, request.user)
            except tabular.UploadError as exc:
                form.add_error("file", str(exc))
            else:
                context["preview"] = preview
                if not preview.errors:
                    context["token"] = tabular.stash(upload, user=request.user, kind=IMPORT_KIND)
    return render(request, "widgets/survey_import.html", context)


def _preview(fileobj, name, user):
    rows = tabular.read_rows(fileobj, name, required=REQUIRED_COLUMNS)
    return preview_import(rows, user=user)


def _import_decision(request, token, context):
    if request.POST.get("action") == "cancel":
        tabular.discard(token)
        messages.info(request, "Import cancelled; nothing was saved.")
        return redirect("widgets:survey-import")
    try:
        fileobj, name = tabular.unstash(token, user=request.user, kind=IMPORT_KIND)
        with fileobj:
            # Re-read and re-check exactly the file that was previewed.
            preview = _preview(fileobj, name, request.user)
    except tabular.UploadError as exc:
        messages.error(request, str(exc))
        return render(request, "widgets/survey_import.html", context, status=400)
    try:
        created, changed = commit_import(preview)
    except ImportRefused as exc:
        tabular.discard(token)
        messages.error(request, str(exc))
        context["preview"] = preview
        return render(request, "widgets/survey_import.html", context, status=400)
    tabular.discard(token)
    messages.success(
        request,
        f"Imported: {created} new, {changed} changed, "
        f"{preview.count('unchanged')} unchanged survey results.",
    )
    return redirect("widgets:survey-import")


@require_GET
def survey_import_template(request):
    return tabular.export_response(
        headers=IMPORT_COLUMNS, rows=[], filename="survey-results-template", fmt="csv"
    )
