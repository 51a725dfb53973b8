"""Outcome pages: list, detail with run chart, create / edit with contributions,
measurements by form and by upload, and the public page of an agency."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render

from agencies.models import Agency
from agencies.scoping import (
    MANAGER,
    STAFF,
    can_change,
    changeable_agency_ids,
    get_readable_or_404,
    is_admin,
    require_change,
)
from agencies.tabular import UploadError, discard, export_response, read_rows, stash, unstash
from config.forms import refuse_stale_save

from . import imports, services
from .dashboard import public_widgets
from .forms import ContributionFormSet, MeasurementForm, OutcomeForm, UploadForm
from .models import Outcome
from .selectors import run_chart, with_latest, with_status


def outcome_list(request):
    outcomes = with_status(
        with_latest(Outcome.objects.for_user(request.user).select_related("agency", "program"))
    )
    return render(request, "outcomes/outcome_list.html", {"outcomes": outcomes})


def outcome_detail(request, pk):
    outcome = get_readable_or_404(
        with_latest(Outcome.objects.select_related("agency", "program", "owner")),
        request.user,
        pk=pk,
    )
    [outcome] = with_status([outcome])
    measurements = list(outcome.measurements.order_by("date"))
    return render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "chart": run_chart(outcome, measurements),
            "contributions": outcome.contributions.select_related("widget"),
            "countermeasures": outcome.countermeasures.select_related("owner"),
            "may_manage": can_change(request.user, outcome.agency_id, MANAGER),
            "may_measure": can_change(request.user, outcome.agency_id, STAFF),
        },
    )


def outcome_create(request, slug):
    agency = get_readable_or_404(Agency, request.user, slug=slug)
    require_change(request.user, agency, MANAGER)
    return _edit(request, Outcome(agency=agency, owner=request.user), agency)


def outcome_edit(request, pk):
    outcome = get_readable_or_404(Outcome.objects.select_related("agency"), request.user, pk=pk)
    require_change(request.user, outcome, MANAGER)
    return _edit(request, outcome, outcome.agency)


def _edit(request, outcome, agency):
    conflict = None
    data = request.POST if request.method == "POST" else None
    form = OutcomeForm(data, instance=outcome, agency=agency)
    formset = ContributionFormSet(data, instance=outcome, agency=agency, prefix="contributions")
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_outcome(
                form=form,
                formset=formset,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this outcome")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect(saved)
    return render(
        request,
        "outcomes/outcome_form.html",
        {
            "form": form,
            "formset": formset,
            "outcome": outcome,
            "agency": agency,
            "conflict": conflict,
        },
    )


def measurement_create(request, pk):
    outcome = get_readable_or_404(Outcome.objects.select_related("agency"), request.user, pk=pk)
    require_change(request.user, outcome, STAFF)
    form = MeasurementForm(request.POST or None, outcome=outcome)
    if request.method == "POST" and form.is_valid():
        measurement = form.save(commit=False)
        try:
            services.save_measurement(measurement=measurement, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the measurement of {measurement.date:%-d %B %Y}.")
            return redirect(outcome)
    return render(request, "outcomes/measurement_form.html", {"form": form, "outcome": outcome})


def measurement_import(request):
    """Upload measurements, preview every row, then save all of them or none."""
    if not changeable_agency_ids(request.user) and not is_admin(request.user):
        raise PermissionDenied("Only agency staff can import measurements.")
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": imports.COLUMNS}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        if request.POST.get("action") == "cancel":
            discard(token)
            messages.info(request, "Nothing was saved.")
            return redirect("outcomes:measurement-import")
        try:
            fileobj, name = unstash(token, user=request.user, kind=imports.KIND)
            with fileobj:
                result = imports.preview(
                    read_rows(fileobj, name, required=imports.REQUIRED_COLUMNS), user=request.user
                )
            if result.errors:
                context.update(preview=result, filename=name)
                return render(request, "outcomes/measurement_import.html", context)
            saved = imports.commit(result, user=request.user)
        except UploadError as exc:
            messages.error(request, str(exc))
            return redirect("outcomes:measurement-import")
        except IntegrityError:
            messages.error(request, "Someone saved a measurement meanwhile; nothing was saved.")
            return redirect("outcomes:measurement-import")
        discard(token)
        messages.success(request, f"Saved {len(saved)} measurement{'s' * (len(saved) != 1)}.")
        return redirect("outcomes:list")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.preview(
                read_rows(upload, upload.name, required=imports.REQUIRED_COLUMNS),
                user=request.user,
            )
            if not result.rows:
                raise UploadError("The file has a header but no rows.")
        except UploadError as exc:
            form.add_error("file", str(exc))
        else:
            context.update(
                preview=result,
                filename=upload.name,
                token=None
                if result.errors
                else stash(upload, user=request.user, kind=imports.KIND),
            )
    return render(request, "outcomes/measurement_import.html", context)


def measurement_import_template(request):
    return export_response(
        headers=imports.COLUMNS,
        rows=[["1", "2026-01-01", "35", "From the monthly air quality report"]],
        filename="measurements-template",
        fmt="csv",
    )


@login_not_required
def public_agency(request, slug):
    """An agency's public page: only if it publishes, and only approved data.

    No internal notes: no countermeasures, no drafts, no names of staff.
    """
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    widgets, start, end = public_widgets(agency)
    outcomes = with_status(
        with_latest(Outcome.objects.published().filter(agency=agency).order_by("name"))
    )
    return render(
        request,
        "outcomes/public_agency.html",
        {"agency": agency, "widgets": widgets, "outcomes": outcomes, "start": start, "end": end},
    )
