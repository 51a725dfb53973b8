"""Interoperability pages: import a service inventory; export in published layouts.

The import (an agencies.uploads.UploadView) is previewed (every service new /
changed / unchanged / error, with errors named by file, row and column, and the
definition coach's findings) and committed second, all or nothing, from the same
two files; one of more than INVENTORY_INLINE_ROWS rows by the background worker
(agencies.jobs), with a progress page.
The open-data exports are public, like the public page: only for agencies that
publish, and only what the public page shows.
"""

from collections import Counter

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from agencies.models import Agency
from agencies.permissions import PUBLIC, READ, STAFF, grant
from agencies.previews import ERROR, NEW, Preview, PreviewRow
from agencies.scoping import can_change, is_admin
from agencies.tabular import export_response
from agencies.templatetags.numbers import whole
from agencies.uploads import UploadView

from . import a11, gc_export, gc_layout, opendata
from .gc_commit import commit
from .gc_inventory import InventoryImport

FILE_ATTRS = {"accept": ".csv,.xlsx"}
# A finding's grade in words and a symbol, never by colour alone (as on the widget's page).
GRADE_SYMBOLS = {"error": "✗", "warning": "!", "suggestion": "i"}


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


class InventoryUpload(UploadView):
    """Upload a service inventory, preview every service, then save all or nothing."""

    title = "Import a service inventory"
    intro = (
        "Every service is checked first and shown to you; nothing is saved until you confirm, "
        "and then every service is saved or none. Importing the same files again changes "
        "nothing. New services become draft widgets that report yearly."
    )
    form_class = InventoryUploadForm
    stash_kind = "inventory"
    columns_note = (
        "The layout of the Government of Canada Service Inventory open data. A blank cell (or "
        "ND) is unknown and changes nothing; NA means not applicable. See the documentation "
        "for how each column maps."
    )
    noun, noun_plural = "service", "services"
    label_heading = "Service"
    status_labels = {NEW: "+ New draft"}
    # A department's inventory runs to thousands of rows (services x fiscal years).
    max_rows = 50_000

    def post(self, request, *args, **kwargs):
        # Before the form: another agency's slug is a 403, not a form error.
        _target_agency(request.user, request.POST.get("agency"))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def known_columns(self, field):
        return set(
            gc_layout.STANDARD_COLUMNS if field == "standards" else gc_layout.SERVICE_COLUMNS
        )

    def column_groups(self):
        return [
            ("Columns read from the services file", [(c, "") for c in gc_layout.SERVICE_COLUMNS]),
            ("Columns read from the standards file", [(c, "") for c in gc_layout.STANDARD_COLUMNS]),
        ]

    def preview(self, files, options):
        # The agency is checked again at each step: it comes back signed, but rights change.
        target = _target_agency(self.request.user, options.get("agency"))
        importer = InventoryImport(user=self.request.user, agency=target, read_rows=self.read_rows)
        services, standards = files["services"], files.get("standards")
        found = importer.preview(
            (services, services.name), (standards, standards.name) if standards else None
        )
        issues = [
            PreviewRow(
                number=i.row, label=f"{i.file}: belongs to no service", status=ERROR, messages=[i]
            )
            for i in found.issues
        ]
        agencies = [f"{name} ({code})" for code, name in found.new_agencies.items()]
        notes = [f"New agencies to be created: {', '.join(agencies)}."] if agencies else []
        return Preview([*issues, *found.plans], notes=notes, data=found)

    # --- the preview of a whole inventory: findings by kind, rows filtered -------------

    def finding_kinds(self, preview):
        return [
            (f"{GRADE_SYMBOLS[grade]} {grade.capitalize()}", column, n, f"{grade}:{column}")
            for grade, column, n in preview.data.finding_summary()
        ]

    def row_filters(self, preview):
        plans = preview.data.plans
        findings = [
            ("", "Every service"),
            ("errors", f"Blocking errors ({whole(preview.error_count)})"),
            ("any", f"With findings ({whole(sum(1 for p in plans if p.flags))})"),
            ("none", f"Without findings ({whole(sum(1 for p in plans if not p.flags))})"),
        ]
        findings += [
            (f"{grade}:{column}", f"{grade.capitalize()} in {column} ({whole(n)})")
            for grade, column, n in preview.data.finding_summary()
        ]
        departments = Counter(p.agency_code for p in plans if p.agency_code)
        filters = [("finding", "Findings", findings)]
        if len(departments) > 1:
            filters.append(
                (
                    "department",
                    "Department (owner_org)",
                    [("", "Every department")]
                    + [(code, f"{code} ({whole(n)})") for code, n in sorted(departments.items())],
                )
            )
        return filters

    def filter_rows(self, rows, chosen):
        finding, department = chosen.get("finding"), chosen.get("department")
        kept = []
        for row in rows:
            flags = getattr(row, "flags", [])
            if department and getattr(row, "agency_code", None) != department:
                continue
            if finding == "errors" and row.status != ERROR:
                continue
            if finding == "any" and not flags:
                continue
            if finding == "none" and (flags or row.status == ERROR):
                continue
            if finding and ":" in finding:
                grade, column = finding.split(":", 1)
                if not any(i.grade == grade and i.column == column for i in flags):
                    continue
            kept.append(row)
        return kept

    def background_rows(self):
        # Both files' rows: a larger import is saved by the worker (agencies.jobs).
        return settings.INVENTORY_INLINE_ROWS

    def commit(self, preview, *, state):
        summary = commit(preview.data, by=self.request.user, files=tuple(preview.filenames))
        return f"Service inventory saved: {summary}"

    def get_success_url(self):
        return f"{reverse('widgets:list')}?status=draft"


inventory_import = grant(STAFF, to="import a service inventory")(InventoryUpload.as_view())


# --- exports for signed-in readers ---------------------------------------------


@grant(READ, agency=Agency, by="slug")
def inventory_export_services(request, agency):
    headers, rows = gc_export.services(agency, user=request.user)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-service-inventory", fmt="csv"
    )


@grant(READ, agency=Agency, by="slug")
def inventory_export_standards(request, agency):
    headers, rows = gc_export.standards(agency, user=request.user)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-service-standards", fmt="csv"
    )


@grant(READ, agency=Agency, by="slug")
def a11_export(request, agency):
    headers, rows = a11.rows(agency, user=request.user)
    return export_response(headers=headers, rows=rows, filename=f"{agency.slug}-a11-cx", fmt="csv")


# --- open data: public, like the public page -------------------------------------


@grant(PUBLIC)
def opendata_csv(request, slug):
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    headers, rows = opendata.table(agency)
    return export_response(
        headers=headers, rows=rows, filename=f"{agency.slug}-open-data", fmt="csv"
    )


@grant(PUBLIC)
def opendata_json(request, slug):
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    return JsonResponse(opendata.document(agency), json_dumps_params={"ensure_ascii": False})
