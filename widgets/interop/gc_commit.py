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

from agencies import bulk
from agencies.bulk import check_fields
from agencies.errors import UploadRejected
from agencies.models import Agency, Program
from customers.models import CustomerSegment, SegmentKind

from .. import counting
from ..models import CountSource, InventoryImport, Widget
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
    """The agency's segment of each kind: its first active one by name, else one named
    after the kind (found by that name, or made: `made`, saved by `save`). Read in
    two queries for every agency of the import."""

    def __init__(self, agencies):
        ids = [a.pk for a in agencies]
        self.cache, self.made = {}, []
        for segment in CustomerSegment.objects.active().filter(agency_id__in=ids).order_by("name"):
            self.cache.setdefault((segment.agency_id, segment.kind), segment)
        self.named = {
            (s.agency_id, s.name): s
            for s in CustomerSegment.objects.filter(agency_id__in=ids, name__in=SegmentKind.labels)
        }

    def of_kind(self, agency, kind):
        key = (agency.pk, kind)
        if key not in self.cache:
            label = SegmentKind(kind).label
            segment = self.named.get((agency.pk, label))
            if segment is None:
                segment = CustomerSegment(agency=agency, name=label, kind=kind)
                self.made.append(segment)
                self.named[(agency.pk, label)] = segment
            self.cache[key] = segment
        return self.cache[key]

    def save(self):
        for segment in self.made:
            check_fields(segment)
        CustomerSegment.objects.bulk_create(self.made)


class _Programs:
    """The agency's program of each name (case aside); missing ones are made (`save`)."""

    def __init__(self, agencies):
        self.found, self.made = {}, []
        for program in Program.objects.filter(agency__in=agencies).order_by("pk"):
            self.found.setdefault((program.agency_id, program.name.lower()), program)

    def named(self, agency, name):
        name = name or DEFAULT_PROGRAM
        key = (agency.pk, name.lower())
        if key not in self.found:
            self.found[key] = Program(agency=agency, name=name)
            check_fields(self.found[key])
            self.made.append(self.found[key])
        return self.found[key]

    def save(self, *, by):
        bulk.write(Program, new=self.made, by=by, reason=REASON)  # with their boards


def _agencies(preview, *, by):
    """The agencies the preview found missing, made (with their boards) in one insert."""
    made = {}
    for code, name in preview.new_agencies.items():
        made[code.lower()] = Agency(name=name, abbreviation=code, slug=slugify(code)[:60])
        check_fields(made[code.lower()])
    bulk.write(Agency, new=list(made.values()), by=by, reason=REASON)
    for plan in preview.plans:
        if plan.agency is None:
            plan.agency = made[plan.agency_code.lower()]
            plan.widget.agency = plan.agency
    return len(made)


# Besides the fields the import changed: what an edit does to the workflow, and the
# coach's verdict kept with the widget.
EDIT_FIELDS = [
    "status",
    "submitted_by",
    "submitted_at",
    "last_edited_by",
    "version",
    "quality_score",
    "problem_count",
]


def _chosen_segments(plan, segments):
    """The widget's segments after the save, or None when they stay as they are."""
    if plan.segment_kinds is None or not (plan.segments_changed or plan.is_new):
        return None
    current = [] if plan.is_new else list(plan.widget.customer_segments.all())
    chosen = [s for s in current if s.kind in plan.segment_kinds]
    for kind in sorted(plan.segment_kinds - {s.kind for s in chosen}):
        chosen.append(segments.of_kind(plan.agency, kind))
    return chosen


def _save_widgets(plans, *, by, summary):
    """Every new and changed widget, its segments and a history record each, in a
    fixed number of queries (agencies.bulk), whatever the number of services."""
    agencies = {plan.agency.pk: plan.agency for plan in plans}.values()
    programs, segments = _Programs(agencies), _Segments(agencies)
    new, changed, fields, links = [], [], set(), []
    for plan in plans:
        widget = plan.widget
        if plan.is_new:
            widget.program = programs.named(plan.agency, plan.program_name)
            widget.version = 1
            widget.last_edited_by = by
            new.append(widget)
        elif plan.changed_fields:
            widget.record_edit(by=by)  # four eyes: the importer may not then review it
            widget.version += 1
            fields.update(name for name in plan.changed_fields if name != "customer_segments")
            changed.append(widget)
        else:
            continue
        chosen = _chosen_segments(plan, segments)
        if chosen is not None and (
            plan.is_new or {s.pk for s in chosen} != {s.pk for s in widget.customer_segments.all()}
        ):
            links.append((widget, chosen))
        held = len(widget.customer_segments.all()) if widget.pk else 0
        widget.refresh_quality(customer_count=len(chosen) if chosen is not None else held)
        check_fields(widget)
        widget.clean_definition()
    programs.save(by=by)
    segments.save()
    bulk.write(
        Widget,
        new=new,
        changed=changed,
        fields=[*sorted(fields), *EDIT_FIELDS],
        links={"customer_segments": links},
        by=by,
        reason=REASON,
    )
    summary.widgets_created, summary.widgets_changed = len(new), len(changed)


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
    summary = CommitSummary(agencies_created=_agencies(preview, by=by))
    _save_widgets(preview.plans, by=by, summary=summary)
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
