"""Saving a previewed service inventory: every plan or none, in one transaction.

Only what differs is written, so a second import of the same files writes no
row and no history entry. New widgets are drafts reporting yearly; an approved
widget the inventory changes goes back to review (as an edit would), a returned
one to draft. Segments: the widget keeps its own segments of each kind the
inventory names, and gets the agency's segment of a kind it lacks (made, named
after the kind, when the agency has none); kinds the inventory no longer names
are dropped. Counts saved here come from a published inventory, so they are
kept for drafts too (the grid and uploads count only approved widgets).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from agencies.errors import UploadRejected
from agencies.models import Agency, Program
from customers.models import CustomerSegment, SegmentKind

from .. import counting
from ..models import CountSource, InventoryImport
from . import gc_keep
from .gc_inventory import DEFAULT_PROGRAM
from .gc_reader import GRADES

REASON = "Service inventory import"


@dataclass
class CommitSummary:
    agencies_created: int = 0
    widgets_created: int = 0
    widgets_changed: int = 0
    counts_created: int = 0
    counts_changed: int = 0
    findings: dict = field(default_factory=dict)  # grade -> how many
    inventory_import: InventoryImport | None = None  # None: nothing was written

    def __str__(self):
        graded = ", ".join(
            f"{n} {grade}{'s' if n != 1 else ''}" for grade, n in self.findings.items()
        )
        return (
            f"{self.widgets_created} widget{'s' if self.widgets_created != 1 else ''} created, "
            f"{self.widgets_changed} changed; {self.counts_created} yearly count"
            f"{'s' if self.counts_created != 1 else ''} created, {self.counts_changed} changed; "
            f"{self.agencies_created} agenc{'ies' if self.agencies_created != 1 else 'y'} created."
            + (f" Findings on the published rows: {graded}." if graded else "")
        )


class _Segments:
    """The agency's segment of each kind, found or made once per commit."""

    def __init__(self):
        self.cache = {}

    def of_kind(self, agency, kind):
        key = (agency.pk, kind)
        if key not in self.cache:
            segment = (
                CustomerSegment.objects.active().filter(agency=agency, kind=kind).order_by("name")
            ).first()
            if segment is None:
                segment, _ = CustomerSegment.objects.get_or_create(
                    agency=agency, name=SegmentKind(kind).label, defaults={"kind": kind}
                )
            self.cache[key] = segment
        return self.cache[key]


def _agencies(preview):
    made = {}
    for code, name in preview.new_agencies.items():
        agency = Agency(name=name, abbreviation=code, slug=slugify(code)[:60])
        agency._change_reason = REASON
        agency.full_clean()
        agency.save()
        made[code.lower()] = agency
    for plan in preview.plans:
        if plan.agency is None:
            plan.agency = made[plan.agency_code.lower()]
            plan.widget.agency = plan.agency
    return len(made)


def _program(agency, name, programs):
    name = name or DEFAULT_PROGRAM
    key = (agency.pk, name.lower())
    if key not in programs:
        program = Program.objects.filter(agency=agency, name__iexact=name).first()
        programs[key] = program or Program.objects.create(agency=agency, name=name)
    return programs[key]


def _save_widget(plan, *, by, programs):
    widget = plan.widget
    if plan.is_new:
        widget.program = _program(plan.agency, plan.program_name, programs)
        widget.version = 1
        widget.last_edited_by = by
    elif plan.changed_fields:
        widget.record_edit(by=by)  # four eyes: the importer may not then review it
        widget.version += 1
    else:
        return False
    widget._change_reason = REASON
    if by is not None:
        widget._history_user = by
    widget.full_clean()
    widget.save()
    return True


def _save_segments(plan, segments):
    if plan.segment_kinds is None or not (plan.segments_changed or plan.is_new):
        return
    widget = plan.widget
    current = [] if plan.is_new else list(widget.customer_segments.all())
    chosen = [s for s in current if s.kind in plan.segment_kinds]
    for kind in sorted(plan.segment_kinds - {s.kind for s in chosen}):
        chosen.append(segments.of_kind(plan.agency, kind))
    if {s.pk for s in chosen} != {s.pk for s in current}:
        widget.customer_segments.set(chosen)


def _save_counts(plans, *, by, summary):
    """The plans' yearly counts through the one write of counts (one call for the
    whole import), each only as the preview saw it (counting.CountConflict if
    someone saved it since)."""
    changes = [
        counting.CountChange(
            widget=plan.widget,
            period_start=change.period_start,
            values=change.values,
            expected_version=change.count.version if change.count else counting.SAW_NONE,
        )
        for plan in plans
        for change in plan.counts
        if change.status != "unchanged"
    ]
    for change in counting.save_counts(changes, by=by, source=CountSource.IMPORT, reason=REASON):
        if change.status == "new":
            summary.counts_created += 1
        elif change.status == "changed":
            summary.counts_changed += 1


def commit(preview, *, by=None, files=("", "")):
    """Save a preview without errors; raises ValueError for one with errors.

    A write the database refuses (someone changed these widgets meanwhile) is an
    UploadRejected: nothing was saved.
    """
    if preview.error_count:
        raise ValueError("Only a preview without errors can be saved.")
    try:
        return _commit(preview, by=by, files=(*files, "", "")[:2])
    except IntegrityError as exc:
        raise UploadRejected(
            message="Someone changed these widgets meanwhile. Nothing was saved: upload the "
            "files again to see what changed."
        ) from exc


@transaction.atomic
def _commit(preview, *, by, files):
    summary = CommitSummary(agencies_created=_agencies(preview))
    programs, segments = {}, _Segments()
    for plan in preview.plans:
        if _save_widget(plan, by=by, programs=programs):
            if plan.is_new:
                summary.widgets_created += 1
            else:
                summary.widgets_changed += 1
        _save_segments(plan, segments)
    _save_counts(preview.plans, by=by, summary=summary)
    graded = Counter(i.grade for p in preview.plans for i in p.warnings)
    summary.findings = {grade: graded[grade] for grade in GRADES if graded[grade]}

    def record():
        """The record of this import, made once something is written."""
        if summary.inventory_import is None:
            summary.inventory_import = InventoryImport.objects.create(
                imported_by=by, services_file=files[0] or "", standards_file=files[1] or ""
            )
        return summary.inventory_import

    gc_keep.keep(preview.plans, record=record)
    changed = summary.widgets_created or summary.widgets_changed or summary.counts_created
    if summary.inventory_import is None and (changed or summary.counts_changed):
        record()
    if summary.inventory_import is not None:
        summary.inventory_import.summary = str(summary)
        summary.inventory_import.save(update_fields=["summary", "updated_at"])
    return summary
