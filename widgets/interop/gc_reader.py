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


@dataclass
class Issue:
    file: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}, column {self.column}: {self.message}"

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
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    name: str = ""
    latest_row: int | None = None
    kind: str = WidgetKind.OTHER
    description: str = BLANK
    fee: object = BLANK
    agency: Agency | None = None
    agency_name: str = ""
    program_name: str = ""
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

    def warn(self, file, row, column, message):
        self.warnings.append(Issue(file, row, column, message))

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
                plan.error(SERVICES_FILE, number, column, str(exc))
                continue
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
        if not plan.name or len(plan.name) > 200:
            message = "Enter the service's name." if not plan.name else "At most 200 characters."
            plan.error(SERVICES_FILE, number, "service_name_en", message)
        title = gc.text(values, "owner_org_title")
        plan.agency_name = gc.organisation_name(title, plan.agency_code)
        plan.program_name = gc.text(values, "program_name_en")[:200]
        plan.description = gc.marker(values, "service_description_en")
        service_type = gc.text(values, "service_type").upper()
        plan.kind = gc.SERVICE_TYPES.get(service_type, WidgetKind.OTHER)
        if service_type not in {"", "NA", *gc.GC_SERVICE_TYPES}:
            plan.warn(
                SERVICES_FILE,
                number,
                "service_type",
                f"Unknown code “{service_type}”: a new widget is of kind “other”.",
            )
        try:
            plan.fee = gc.fee_cell(values, "service_fee")
        except ValueError as exc:
            plan.error(SERVICES_FILE, number, "service_fee", str(exc))
            plan.fee = BLANK
        groups = gc.marker(values, "client_target_groups")
        if groups is not BLANK and groups is not NA:
            plan.segment_kinds = set()
            for code in gc.split_codes(groups):
                if code in gc.TARGET_GROUPS:
                    plan.segment_kinds.add(gc.TARGET_GROUPS[code])
                else:
                    plan.warn(
                        SERVICES_FILE,
                        number,
                        "client_target_groups",
                        f"Unknown code “{code}”: no customer segment is linked for it.",
                    )

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
        if gc.text(values, "type").upper() not in gc.TIMELINESS_TYPES:
            plan.warn(
                STANDARDS_FILE,
                number,
                "type",
                f"Standard {standard_id} is not a timeliness standard; only timeliness "
                "standards become the widget's service standard.",
            )
            return
        if year in plan.timeliness:
            plan.warn(
                STANDARDS_FILE,
                number,
                "service_standard_id",
                f"The service already has a timeliness standard for "
                f"{gc.fiscal_year_label(year)} (row {plan.timeliness[year][0]}); "
                f"standard {standard_id} is not imported.",
            )
            return
        plan.timeliness[year] = (number, values)
        volumes = plan.volumes.setdefault(year, {})
        for column, name in (
            ("total_volume", "delivered"),
            ("volume_meeting_target", "within_standard"),
        ):
            try:
                volumes[name] = gc.count_cell(values, column)
            except ValueError as exc:
                plan.error(STANDARDS_FILE, number, column, str(exc))
            plan.sources[(year, name)] = (STANDARDS_FILE, number, column)

    def _read_service_standard(self, plan, number, values):
        """The widget's standard: the latest fiscal year's first timeliness standard."""
        statement = gc.text(values, "service_standard_en")
        days = gc.standard_days(statement)
        if statement and days is None:
            plan.warn(
                STANDARDS_FILE,
                number,
                "service_standard_en",
                "States no number of days or weeks: the standard's days stay unknown.",
            )
        try:
            share = gc.share_cell(values, "target")
        except ValueError as exc:
            plan.error(STANDARDS_FILE, number, "target", str(exc))
            share = BLANK
        plan.standard = {"days": days if days is not None else BLANK, "share": share}
