"""Interoperability pages: import a service inventory; export in published layouts.

The import is previewed (every service new / changed / unchanged / error, with
errors named by file, row and column, and the definition coach's findings) and
committed second, all or nothing, from the same two files kept by signed tokens.
The open-data exports are public, like the public page: only for agencies that
publish, and only what the public page shows.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agencies.errors import NothingSaved
from agencies.models import Agency
from agencies.scoping import can_change, changeable_agency_ids, get_readable_or_404, is_admin
from agencies.tabular import UploadError, discard, export_response, stash, unstash

from .interop import a11, gc_export, gc_layout, opendata
from .interop.gc_commit import commit
from .interop.gc_inventory import InventoryImport

SERVICES_KIND = "inventory-services"
STANDARDS_KIND = "inventory-standards"
FILE_ATTRS = {"accept": ".csv,.xlsx"}


class InventoryUploadForm(forms.Form):
    services = forms.FileField(
        label="Services file (CSV or XLSX)",
        help_text="One row per service and fiscal year, in the Service Inventory layout.",
        widget=forms.ClearableFileInput(attrs=FILE_ATTRS),
    )
    standards = forms.FileField(
        label="Service standards file (CSV or XLSX, optional)",
        required=False,
        help_text="One row per service standard; timeliness standards become service standards.",
        widget=forms.ClearableFileInput(attrs=FILE_ATTRS),
    )
    agency = forms.ChoiceField(
        label="Import into",
        required=False,
        help_text="Every service goes to this agency, whatever its owner_org. Left empty, "
        "owner_org names the agency; only administrators may create missing agencies.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.all() if is_admin(user) else Agency.objects.changeable_by(user)
        self.fields["agency"].choices = [("", "The agency named by owner_org in the file")] + [
            (a.slug, f"{a.name} ({a.abbreviation})") for a in agencies
        ]


def _target_agency(user, slug):
    """The chosen agency; 403 for one the user may not change (whatever the form offered)."""
    if not slug:
        return None
    agency = get_object_or_404(Agency.objects.for_user(user), slug=slug)
    if not can_change(user, agency.pk):
        raise PermissionDenied(f"Only staff of {agency} can import its services.")
    return agency


def inventory_import(request):
    """Upload a service inventory, preview every service, then save all or nothing."""
    user = request.user
    if not changeable_agency_ids(user) and not is_admin(user):
        raise PermissionDenied("Only agency staff can import a service inventory.")
    data = request.POST if request.method == "POST" else None
    form = InventoryUploadForm(data, request.FILES or None, user=user)
    context = {
        "form": form,
        "services_columns": gc_layout.SERVICE_COLUMNS,
        "standards_columns": gc_layout.STANDARD_COLUMNS,
    }
    if request.method == "POST" and "token" in request.POST:
        # The agency is re-checked: the form's choice is posted again with the tokens.
        target = _target_agency(user, request.POST.get("agency"))
        importer = InventoryImport(user=user, agency=target)
        tokens = (request.POST["token"], request.POST.get("standards_token", ""))
        try:
            services = unstash(tokens[0], user=user, kind=SERVICES_KIND)
            standards = unstash(tokens[1], user=user, kind=STANDARDS_KIND) if tokens[1] else None
            try:
                preview = importer.preview(services, standards)
            finally:
                for opened in (services, standards):
                    if opened:
                        opened[0].close()
            if preview.error_count:
                context.update(preview=preview, filename=services[1])
                return render(request, "widgets/inventory_import.html", context)
            summary = commit(preview, by=user)
        except UploadError as exc:
            messages.error(request, str(exc))
            return redirect("widgets:inventory-import")
        except (IntegrityError, NothingSaved):
            messages.error(
                request,
                "Someone changed these widgets or their counts meanwhile. Nothing was saved: "
                "upload the files again to see what changed.",
            )
            return redirect("widgets:inventory-import")
        for token in tokens:
            if token:
                discard(token)
        messages.success(request, f"Service inventory saved: {summary}")
        return redirect(f"{reverse('widgets:list')}?status=draft")
    if request.method == "POST":
        # Checked before the form: another agency's slug is a 403, not a form error.
        target = _target_agency(user, request.POST.get("agency"))
    if request.method == "POST" and form.is_valid():
        importer = InventoryImport(user=user, agency=target)
        services, standards = form.cleaned_data["services"], form.cleaned_data["standards"]
        try:
            preview = importer.preview(
                (services, services.name),
                (standards, standards.name) if standards else None,
            )
        except UploadError as exc:
            form.add_error("services", str(exc))
        else:
            context.update(preview=preview, filename=services.name)
            if not preview.error_count:
                context["token"] = stash(services, user=user, kind=SERVICES_KIND)
                if standards:
                    context["standards_token"] = stash(standards, user=user, kind=STANDARDS_KIND)
                context["agency_slug"] = form.cleaned_data["agency"]
    return render(request, "widgets/inventory_import.html", context)


# --- exports for signed-in readers ---------------------------------------------


def inventory_export_services(request, slug):
    agency = get_readable_or_404(Agency, request.user, slug=slug)
    headers, rows = gc_export.services(agency, user=request.user)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-service-inventory", fmt="csv"
    )


def inventory_export_standards(request, slug):
    agency = get_readable_or_404(Agency, request.user, slug=slug)
    headers, rows = gc_export.standards(agency, user=request.user)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-service-standards", fmt="csv"
    )


def a11_export(request, slug):
    agency = get_readable_or_404(Agency, request.user, slug=slug)
    headers, rows = a11.rows(agency, user=request.user)
    return export_response(headers=headers, rows=rows, filename=f"{agency.slug}-a11-cx", fmt="csv")


# --- open data: public, like the public page -------------------------------------


@login_not_required
def opendata_csv(request, slug):
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    headers, rows = opendata.table(agency)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-open-data", fmt="csv"
    )


@login_not_required
def opendata_json(request, slug):
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    return JsonResponse(opendata.document(agency), json_dumps_params={"ensure_ascii": False})
