"""Keeping an inventory as published: its rows, their baselines and the findings.

Called by `gc_commit` inside its transaction, after the widgets and counts are
saved. Writes only what differs from what is stored, so a re-import of the same
files writes nothing here either. Findings of a service are replaced as a whole
when they differ (the import is the source of the figures they are about).
"""

from django.db.models import prefetch_related_objects

from ..models import InventoryFile, InventoryFinding, PublishedRow
from . import gc_export, gc_published
from .gc_layout import SERVICES_FILE

FILES = {SERVICES_FILE: InventoryFile.SERVICES}


def _file(name):
    return FILES.get(name, InventoryFile.STANDARDS)


def _planned_rows(plan):
    """PublishedRow (unsaved) for every published row of the plan."""
    widget = plan.widget
    rows = [
        PublishedRow(
            widget=widget,
            file=InventoryFile.SERVICES,
            fiscal_year=year,
            row_number=number,
            values=values,
        )
        for year, (number, values) in sorted(plan.published.items())
    ]
    rows += [
        PublishedRow(
            widget=widget,
            file=InventoryFile.STANDARDS,
            fiscal_year=standard.fiscal_year,
            standard_id=standard.standard_id,
            row_number=standard.row,
            values=standard.values,
            counted=standard.counted,
        )
        for standard in plan.published_standards
    ]
    return rows


def _planned_findings(plan):
    years = {number: year for year, (number, _) in plan.published.items()}
    standard_years = {s.row: s.fiscal_year for s in plan.published_standards}
    return [
        InventoryFinding(
            widget=plan.widget,
            grade=issue.grade,
            file=_file(issue.file),
            row_number=issue.row,
            column=issue.column,
            fiscal_year=(years if issue.file == SERVICES_FILE else standard_years).get(issue.row),
            message=issue.message,
        )
        for issue in plan.flags
    ]


def _key(row):
    return (row.widget_id, row.file, row.fiscal_year, row.standard_id)


def _finding_key(finding):
    return (finding.grade, finding.file, finding.row_number, finding.column, finding.message)


def keep(plans, *, record):
    """Save the published rows and findings of `plans` (saved widgets); `record()`
    gives the InventoryImport to tie new rows and findings to (made on first use).
    Returns how many rows and findings were written."""
    widgets = [plan.widget for plan in plans]
    # What the export computes reads these: one query each for every widget.
    prefetch_related_objects(widgets, "agency", "program", "customer_segments")
    stored, by_widget = {}, {}
    for row in PublishedRow.objects.filter(widget__in=widgets):
        stored[_key(row)] = row
        by_widget.setdefault(row.widget_id, []).append(row)
    volumes = gc_export.yearly_volumes(widgets)
    blank = dict.fromkeys(gc_export.VOLUME_FIELDS)
    written, new_rows, changed_rows, stale = 0, [], [], []
    for plan in plans:
        planned = _planned_rows(plan)
        years = {(row.file, row.fiscal_year) for row in planned}
        keys = {_key(row) for row in planned}
        stale += [
            row.pk
            for row in by_widget.get(plan.widget.pk, ())
            if _key(row)[1:3] in years and _key(row) not in keys
        ]
        for row in planned:
            values = volumes.get(plan.widget.pk, {}).get(row.fiscal_year, blank)
            make = (
                gc_export.service_row
                if row.file == InventoryFile.SERVICES
                else gc_export.standard_row
            )
            row.baseline = gc_published.baseline(row, make(plan.widget, row.fiscal_year, values))
            old = stored.get(_key(row))
            if old is None:
                new_rows.append(row)
            elif (old.values, old.baseline, old.row_number, old.counted) != (
                row.values,
                row.baseline,
                row.row_number,
                row.counted,
            ):
                old.values, old.baseline = row.values, row.baseline
                old.row_number, old.counted = row.row_number, row.counted
                changed_rows.append(old)
    if stale:
        PublishedRow.objects.filter(pk__in=stale).delete()
    if new_rows or changed_rows:
        for row in [*new_rows, *changed_rows]:
            row.inventory_import = record()
        PublishedRow.objects.bulk_create(new_rows, batch_size=500)
        PublishedRow.objects.bulk_update(
            changed_rows,
            ["values", "baseline", "row_number", "counted", "inventory_import"],
            batch_size=500,
        )
    written += len(new_rows) + len(changed_rows) + len(stale)
    return written + _keep_findings(plans, record=record)


def _keep_findings(plans, *, record):
    stored = {}
    for finding in InventoryFinding.objects.filter(widget__in=[p.widget for p in plans]):
        stored.setdefault(finding.widget_id, []).append(finding)
    replaced, new = [], []
    for plan in plans:
        planned = _planned_findings(plan)
        old = stored.get(plan.widget.pk, [])
        if sorted(map(_finding_key, old)) != sorted(map(_finding_key, planned)):
            replaced += [f.pk for f in old]
            new += planned
    if replaced:
        InventoryFinding.objects.filter(pk__in=replaced).delete()
    if new:
        for finding in new:
            finding.inventory_import = record()
        InventoryFinding.objects.bulk_create(new, batch_size=500)
    return len(replaced) + len(new)
