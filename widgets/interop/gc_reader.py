"""Reading a Government of Canada Service Inventory into one plan per service.

The services file has one row per service and fiscal year; the standards file
one row per service standard (and fiscal year, when it has the column). Every
problem is an Issue named by file, row and column. Nothing here touches the
database: `gc_inventory` resolves agencies and widgets afterwards.
"""

from dataclasses import dataclass, field

from agencies.models import Agency
from agencies.previews import NEW, Cell
from agencies.tabular import UploadError, read_rows

from .. import coach
from ..models import Widget, WidgetKind
from . import gc_layout as gc
from .gc_layout import BLANK, NA, SERVICES_FILE, STANDARDS_FILE

ERROR, WARNING, SUGGESTION = "error", "warning", "suggestion"
GRADES = (ERROR, WARNING, SUGGESTION)
UNKNOWN_CODE_EFFECT = {
    "client_target_groups": "no customer segment is linked for it",
    "service_type": "it gives a new widget no kind",
}
NAME_LENGTH = Widget._meta.get_field("name").max_length
PROGRAM_LENGTH = 200


@dataclass
class PublishedStandard:
    """One row of the standards file, every cell as published."""

    fiscal_year: int
    standard_id: str
    row: int
    values: dict
    counted: bool = False  # its volumes become the year's delivered / within standard


def published_values(values, columns):
    """{column: text} of every published column of a row, as published."""
    return {column: gc.text(values, column) for column in columns}


def check_cells(plan, file, number, values):
    """Coded cells and text lengths of one row against the data dictionary."""
    for column, (several, codes) in gc.CODED_COLUMNS[file].items():
        raw = gc.text(values, column)
        if not raw or raw.upper() in gc.NO_DATA:
            continue
        found = gc.split_codes(raw) if several else [raw.upper()]
        for code in found:
            if code not in codes:
                plan.warn(
                    file,
                    number,
                    column,
                    f"Unknown code “{code}”: not in the inventory's data dictionary; "
                    f"{UNKNOWN_CODE_EFFECT.get(column, 'kept as published')}.",
                )
    for column, limit in gc.TEXT_LIMITS.items():
        length = len(gc.text(values, column))
        if length > limit:
            plan.flag(
                file,
                number,
                column,
                f"{length:,} characters, more than the inventory's {limit:,}: kept whole.",
                SUGGESTION,
            )


@dataclass
class Issue:
    """A problem at a file, row and column. Without a grade it blocks the import
    (the row cannot be placed at all); with one ("error", "warning",
    "suggestion") it is a finding on a row that is imported as published."""

    file: str
    row: int | None
    column: str
    message: str
    grade: str | None = None

    def __str__(self):
        where = f"{self.file}, row {self.row}" if self.row else self.file
        graded = f"{self.grade.capitalize()}: " if self.grade else ""
        return f"{graded}{where}, column {self.column}: {self.message}"

    @property
    def kind(self):
        """The issue without where it is: the preview counts issues of a kind together."""
        return f"{self.column}: {self.message}"


@dataclass
class ServicePlan:
    """One service: the widget and counts it would save. Follows the preview-row
    protocol (agencies.previews): number, label, status, messages, warnings, notes, cells."""

    service_id: str
    agency_code: str
    rows: list = field(default_factory=list)
    years: dict = field(default_factory=dict)  # fiscal year -> (row number, values)
    errors: list = field(default_factory=list)  # blocking: the service cannot be placed
    flags: list = field(default_factory=list)  # graded findings on rows imported as published
    findings: list = field(default_factory=list)  # the definition coach's
    name: str = ""
    latest_row: int | None = None
    kind: str = WidgetKind.OTHER
    description: str = BLANK
    fee: object = BLANK
    agency: Agency | None = None
    agency_name: str = ""
    program_name: str = ""
    published: dict = field(default_factory=dict)  # fiscal year -> (row, {column: text})
    published_standards: list = field(default_factory=list)  # PublishedStandard
    widget: Widget | None = None  # the widget as it would be saved
    is_new: bool = True
    changed_fields: list = field(default_factory=list)
    old_values: dict = field(default_factory=dict)  # the widget's fields before, when changed
    old_segment_kinds: set = field(default_factory=set)
    segment_kinds: set | None = None
    segments_changed: bool = False
    volumes: dict = field(default_factory=dict)  # fiscal year -> {field: value}
    sources: dict = field(default_factory=dict)  # (fiscal year, field) -> Issue location
    timeliness: dict = field(default_factory=dict)  # fiscal year -> (row number, values)
    standard: dict = field(default_factory=dict)  # days/share from the latest one
    counts: list = field(default_factory=list)

    def error(self, file, row, column, message):
        self.errors.append(Issue(file, row, column, message))

    def flag(self, file, row, column, message, grade=ERROR):
        self.flags.append(Issue(file, row, column, message, grade))

    def warn(self, file, row, column, message):
        self.flag(file, row, column, message, WARNING)

    @property
    def warnings(self):
        """The findings, errors first: shown with the row; none of them stops the save."""
        return sorted(self.flags, key=lambda i: GRADES.index(i.grade))

    @property
    def status(self):
        if self.errors:
            return "error"
        if self.is_new:
            return "new"
        changed = self.changed_fields or self.segments_changed
        counted = any(c.status != "unchanged" for c in self.counts)
        return "changed" if changed or counted else "unchanged"

    @property
    def number(self):
        return self.rows[0] if self.rows else None

    @property
    def label(self):
        org = f" ({self.agency_code})" if self.agency_code else ""
        return f"{self.service_id}{org}: {self.name}" if self.name else f"{self.service_id}{org}"

    @property
    def messages(self):
        return self.errors

    @property
    def notes(self):
        return [] if self.errors else coach.as_notes(self.findings)

    @property
    def cells(self):
        """Each widget field and yearly count a changed service changes."""
        if self.status == NEW or self.errors:
            return []
        cells = []
        for name in self.changed_fields:
            if name == "customer_segments":
                old, new = sorted(self.old_segment_kinds), sorted(self.segment_kinds or ())
            else:
                old, new = self.old_values.get(name), getattr(self.widget, name)
            cells.append(Cell(name, old, new))
        for count in self.counts:
            if count.status == "unchanged":
                continue
            for name, new in count.values.items():
                old = getattr(count.count, name) if count.count else None
                if old != new:
                    cells.append(Cell(f"{count.label} {name}", old, new))
        return cells


class InventoryReader:
    """Services (and standards) files -> {key: ServicePlan}, plus file-level issues."""

    def __init__(self, *, by_organisation=True, read_rows=read_rows):
        self.by_organisation = by_organisation
        self.read_rows = read_rows  # tabular.read_rows, or an upload page's counted one
        self.issues = []

    def _rows(self, fileobj, filename, required, label):
        try:
            yield from self.read_rows(fileobj, filename, required=required)
        except UploadError as exc:
            raise UploadError(f"The {label}: {exc}") from exc

    def read_services(self, fileobj, filename):
        plans = {}
        for number, values in self._rows(fileobj, filename, gc.SERVICE_REQUIRED, SERVICES_FILE):
            service_id = gc.text(values, "service_id")
            org = gc.text(values, "owner_org")
            if not service_id or len(service_id) > 100:
                message = "Enter the service's id." if not service_id else "At most 100 characters."
                self.issues.append(Issue(SERVICES_FILE, number, "service_id", message))
                continue
            key = (org.lower() if self.by_organisation else "", service_id)
            plan = plans.setdefault(key, ServicePlan(service_id=service_id, agency_code=org))
            plan.rows.append(number)
            if not org and self.by_organisation:
                plan.error(SERVICES_FILE, number, "owner_org", "Enter the organisation's code.")
            try:
                year = gc.fiscal_year_of(gc.text(values, "fiscal_yr"))
            except ValueError as exc:
                plan.error(SERVICES_FILE, number, "fiscal_yr", str(exc))
                continue
            if year in plan.years:
                plan.error(
                    SERVICES_FILE,
                    number,
                    "service_id",
                    f"Service {service_id} appears twice for fiscal year "
                    f"{gc.fiscal_year_label(year)} (rows {plan.years[year][0]} and {number}).",
                )
                continue
            plan.years[year] = (number, values)
            plan.published[year] = (number, published_values(values, gc.SERVICE_COLUMNS))
            check_cells(plan, SERVICES_FILE, number, values)
            self._read_volumes(plan, year, number, values)
        for plan in plans.values():
            if plan.years:
                self._read_definition(plan)
        return plans

    def _read_volumes(self, plan, year, number, values):
        volumes = plan.volumes.setdefault(year, {})
        for column, name in [(gc.TOTAL_COLUMN, "demand"), *gc.VOLUME_COLUMNS.items()]:
            try:
                value = gc.count_cell(values, column)
            except ValueError as exc:
                plan.flag(SERVICES_FILE, number, column, f"{exc} Kept as published, not counted.")
                value = BLANK
            plan.sources[(year, name)] = (SERVICES_FILE, number, column)
            # Fax and other add up; a blank one adds nothing, NA only when both are.
            previous = volumes.get(name, BLANK)
            if isinstance(previous, int) and isinstance(value, int):
                value = previous + value
            elif isinstance(previous, int) or (previous == NA and value == BLANK):
                value = previous
            volumes[name] = value

    def _read_definition(self, plan):
        """Definition fields from the service's latest fiscal year."""
        number, values = plan.years[max(plan.years)]
        plan.latest_row = number
        plan.name = gc.text(values, "service_name_en")
        if not plan.name:
            plan.error(SERVICES_FILE, number, "service_name_en", "Enter the service's name.")
        elif len(plan.name) > NAME_LENGTH:
            plan.flag(
                SERVICES_FILE,
                number,
                "service_name_en",
                f"The name has {len(plan.name):,} characters, more than the {NAME_LENGTH} a "
                "widget's name holds: the widget's name ends in “…”; the export writes the "
                "name as published.",
            )
            plan.name = plan.name[: NAME_LENGTH - 1] + "…"
        title = gc.text(values, "owner_org_title")
        plan.agency_name = gc.organisation_name(title, plan.agency_code)
        programs = gc.program_names(gc.text(values, "program_name_en"))
        plan.program_name = programs[0] if programs else ""
        if len(plan.program_name) > PROGRAM_LENGTH:
            plan.warn(
                SERVICES_FILE,
                number,
                "program_name_en",
                f"The program's name has more than {PROGRAM_LENGTH} characters: a new widget "
                "goes to the program “Service inventory”.",
            )
            plan.program_name = ""
        plan.description = gc.marker(values, "service_description_en")
        plan.kind = WidgetKind.OTHER
        for code in gc.split_codes(gc.text(values, "service_type")):
            if gc.SERVICE_TYPES.get(code, WidgetKind.OTHER) != WidgetKind.OTHER:
                plan.kind = gc.SERVICE_TYPES[code]
                break
        try:
            plan.fee = gc.fee_cell(values, "service_fee")
        except ValueError as exc:
            plan.flag(SERVICES_FILE, number, "service_fee", f"{exc} The fee stays as it is.")
            plan.fee = BLANK
        groups = gc.marker(values, "client_target_groups")
        if groups is not BLANK and groups is not NA:
            plan.segment_kinds = {
                gc.TARGET_GROUPS[code]
                for code in gc.split_codes(groups)
                if code in gc.TARGET_GROUPS
            }

    def read_standards(self, plans, fileobj, filename):
        by_id = {}
        for plan in plans.values():
            by_id.setdefault(plan.service_id, []).append(plan)
        seen = {}
        for number, values in self._rows(fileobj, filename, gc.STANDARD_REQUIRED, STANDARDS_FILE):
            service_id = gc.text(values, "service_id")
            org = gc.text(values, "owner_org").lower()
            candidates = [
                p
                for p in by_id.get(service_id, [])
                if not self.by_organisation or not org or p.agency_code.lower() == org
            ]
            if len(candidates) != 1:
                message = (
                    f"There is no service {service_id or '(blank)'} in the services file."
                    if not candidates
                    else f"Service {service_id} is in several organisations: fill in owner_org."
                )
                self.issues.append(Issue(STANDARDS_FILE, number, "service_id", message))
                continue
            plan = candidates[0]
            plan.rows.append(number)
            self._read_standard(plan, number, values, seen)
        for plan in plans.values():
            if plan.timeliness:
                self._read_service_standard(plan, *plan.timeliness[max(plan.timeliness)])

    def _read_standard(self, plan, number, values, seen):
        label = gc.text(values, "fiscal_yr")
        try:
            year = gc.fiscal_year_of(label) if label else max(plan.years, default=None)
        except ValueError as exc:
            plan.error(STANDARDS_FILE, number, "fiscal_yr", str(exc))
            return
        if year is None:
            return
        standard_id = gc.text(values, "service_standard_id")
        key = (id(plan), year, standard_id)
        if key in seen:
            plan.error(
                STANDARDS_FILE,
                number,
                "service_standard_id",
                f"Standard {standard_id} appears twice for {gc.fiscal_year_label(year)} "
                f"(rows {seen[key]} and {number}).",
            )
            return
        seen[key] = number
        if len(standard_id) > 100:
            plan.error(STANDARDS_FILE, number, "service_standard_id", "At most 100 characters.")
            return
        standard = PublishedStandard(
            year, standard_id, number, published_values(values, gc.STANDARD_COLUMNS)
        )
        plan.published_standards.append(standard)
        check_cells(plan, STANDARDS_FILE, number, values)
        if gc.text(values, "type").upper() not in gc.TIMELINESS_TYPES:
            return  # kept as published; only timeliness standards are counted
        if year in plan.timeliness:
            return  # kept as published: the year's first timeliness standard is counted
        plan.timeliness[year] = (number, values)
        standard.counted = self._read_standard_volumes(plan, year, number, values)

    def _read_standard_volumes(self, plan, year, number, values):
        """The year's delivered and within standard from a timeliness standard; a
        pair that breaks the rules of counts stays on the published row, flagged."""
        found = {}
        for column, name in (
            ("total_volume", "delivered"),
            ("volume_meeting_target", "within_standard"),
        ):
            try:
                found[name] = gc.count_cell(values, column)
            except ValueError as exc:
                plan.flag(STANDARDS_FILE, number, column, f"{exc} Kept as published, not counted.")
                return False
        delivered, within = found["delivered"], found["within_standard"]
        if isinstance(within, int) and isinstance(delivered, int) and within > delivered:
            plan.flag(
                STANDARDS_FILE,
                number,
                "volume_meeting_target",
                f"The volume meeting the target ({within:,}) is more than the total volume "
                f"({delivered:,}). Kept as published on the standard, not counted: correct "
                "it at the source.",
            )
            return False
        if isinstance(within, int) and not isinstance(delivered, int):
            plan.flag(
                STANDARDS_FILE,
                number,
                "total_volume",
                f"The volume meeting the target ({within:,}) is given without the total "
                "volume. Kept as published on the standard, not counted.",
            )
            return False
        volumes = plan.volumes.setdefault(year, {})
        for column, name in (
            ("total_volume", "delivered"),
            ("volume_meeting_target", "within_standard"),
        ):
            volumes[name] = found[name]
            plan.sources[(year, name)] = (STANDARDS_FILE, number, column)
        return True

    def _read_service_standard(self, plan, number, values):
        """The widget's standard: the latest fiscal year's first timeliness standard."""
        statement = gc.text(values, "service_standard_en")
        days = gc.standard_days(statement)
        if statement and days is None:
            plan.flag(
                STANDARDS_FILE,
                number,
                "service_standard_en",
                "States no number of days or weeks: the standard's days stay unknown.",
                SUGGESTION,
            )
        try:
            share = gc.share_cell(values, "target")
        except ValueError as exc:
            plan.flag(
                STANDARDS_FILE, number, "target", f"{exc} The standard's share stays unknown."
            )
            share = BLANK
        plan.standard = {"days": days if days is not None else BLANK, "share": share}
