"""Import of a Government of Canada Service Inventory: read, map and preview.

Two files in the published layout (gc_layout): services, one row per service
and fiscal year; standards, one row per service standard. Each service becomes
a plan for one widget (new, changed, unchanged or error) that the preview shows
and `gc_commit.commit` saves, all plans or none. Nothing here writes.

Who may import (docs/domain.md, "Who may do what"): staff of an agency import its own
services; only an administrator (or the management command, run by whoever runs
the servers) may name an organisation that is not an agency yet, which is then
created. Naming an existing agency one may not change is a PermissionDenied.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import Agency
from agencies.scoping import can_change, is_admin
from agencies.tabular import UploadError, read_rows

from ..counting import EARLIEST_PERIOD, check_not_applicable, check_rules
from ..models import CHANNEL_COUNT_FIELDS, Channel, Widget, WidgetCount, WidgetStatus
from ..periods import Frequency
from . import gc_layout as gc
from .gc_layout import BLANK, NA, SERVICES_FILE
from .gc_reader import (
    GRADES,
    NAME_LENGTH,
    SUGGESTION,
    InventoryReader,
    Issue,
    ServicePlan,
)

__all__ = ["CountPlan", "InventoryImport", "InventoryPreview", "Issue", "ServicePlan"]

COUNT_VALUE_FIELDS = ("demand", *CHANNEL_COUNT_FIELDS, "delivered", "within_standard")
# The widget channels that inventory volumes switch on (a volume above 0) or off (NA).
WIDGET_CHANNELS = {
    "channel_online": Channel.ONLINE,
    "channel_in_person": Channel.IN_PERSON,
    "channel_mail": Channel.MAIL,
    "channel_phone": Channel.PHONE,
}
DEFAULT_PROGRAM = "Service inventory"


@dataclass
class CountPlan:
    fiscal_year: int
    period_start: object
    values: dict
    status: str  # new / changed / unchanged
    count: WidgetCount | None = None

    @property
    def label(self):
        return gc.fiscal_year_label(self.fiscal_year)


@dataclass
class InventoryPreview:
    plans: list
    issues: list  # errors that belong to no one service
    new_agencies: dict  # code -> name

    @property
    def error_count(self):
        return len(self.issues) + sum(len(p.errors) for p in self.plans)

    def tally(self, status):
        return sum(1 for p in self.plans if p.status == status)

    @property
    def new_count(self):
        return self.tally("new")

    @property
    def changed_count(self):
        return self.tally("changed")

    @property
    def unchanged_count(self):
        return self.tally("unchanged")

    def finding_summary(self):
        """[(grade, column, rows)]: the findings grouped by kind, errors first."""
        kinds = Counter((i.grade, i.column) for p in self.plans for i in p.flags)
        return sorted(
            ((grade, column, n) for (grade, column), n in kinds.items()),
            key=lambda k: (GRADES.index(k[0]), -k[2], k[1]),
        )


class InventoryImport:
    """Preview a service inventory for `user` (None: the management command).

    `agency`, when given, receives every service whatever its owner_org;
    `read_rows` reads each file (tabular.read_rows unless an upload page counts).
    """

    def __init__(self, *, user=None, agency=None, read_rows=read_rows):
        self.user = user
        self.agency = agency
        self.read_rows = read_rows
        self.may_create_agencies = user is None or is_admin(user)
        if agency is not None and user is not None and not can_change(user, agency.pk):
            raise PermissionDenied(f"Only staff of {agency} can import its services.")

    def preview(self, services, standards=None):
        """(fileobj, name) pairs -> InventoryPreview; UploadError for unreadable files."""
        reader = InventoryReader(by_organisation=self.agency is None, read_rows=self.read_rows)
        plans = reader.read_services(*services)
        if not plans and not reader.issues:
            raise UploadError("The services file has a header but no rows.")
        if standards is not None:
            reader.read_standards(plans, *standards)
        plan_list = list(plans.values())
        new_agencies = self._resolve_agencies(plan_list)
        self._plan_widgets(plan_list)
        return InventoryPreview(plans=plan_list, issues=reader.issues, new_agencies=new_agencies)

    # --- agencies and widgets ------------------------------------------------

    def _resolve_agencies(self, plans):
        if self.agency is not None:
            for plan in plans:
                plan.agency = self.agency
            return {}
        codes = {p.agency_code.lower() for p in plans if p.agency_code}
        query = Q(pk__in=[])
        for code in codes:
            query |= Q(abbreviation__iexact=code)
        existing = {a.abbreviation.lower(): a for a in Agency.objects.filter(query)}
        for agency in existing.values():
            if self.user is not None and not can_change(self.user, agency.pk):
                raise PermissionDenied(
                    f"You may import only your own agency's services; {agency.abbreviation} "
                    "is not yours."
                )
        missing = [p for p in plans if p.agency_code.lower() not in existing]
        # Existing agencies a new one would clash with (its name or its address): one query.
        self._refused = {}  # code -> why it cannot be made
        self._taken = list(
            Agency.objects.filter(
                Q(name__in={p.agency_name for p in missing})
                | Q(slug__in={slugify(p.agency_code)[:60] for p in missing})
            )
        )
        new_agencies = {}
        for plan in plans:
            plan.agency = existing.get(plan.agency_code.lower())
            if plan.agency is None and plan.agency_code:
                self._new_agency(plan, new_agencies)
        return new_agencies

    def _clash(self, code, name, new_agencies):
        """What a new agency (code, name) would clash with, in words, or None."""
        slug = slugify(code)[:60]
        for agency in self._taken:
            if agency.name == name or agency.slug == slug:
                return (
                    f"Agency {agency.abbreviation} already has this name or address; use its code."
                )
        for other, other_name in new_agencies.items():
            if other_name == name or slugify(other)[:60] == slug:
                return (
                    f"Organisation {other} of this file has the same name or address: "
                    "agencies need their own. Correct one of them, or import them into "
                    "one agency chosen on the page."
                )
        return None

    def _new_agency(self, plan, new_agencies):
        code, row = plan.agency_code, plan.rows[0]
        if not self.may_create_agencies:
            plan.error(
                SERVICES_FILE,
                row,
                "owner_org",
                f"There is no agency “{code}”. Only an administrator can create agencies: "
                "ask one, or choose your agency.",
            )
        elif len(code) > 20:
            plan.error(SERVICES_FILE, row, "owner_org", "An agency code has at most 20 characters.")
        elif len(plan.agency_name) > 200:
            message = "An agency's name has at most 200 characters."
            plan.error(SERVICES_FILE, row, "owner_org_title", message)
        elif code.lower() in self._refused:
            plan.error(SERVICES_FILE, row, "owner_org_title", self._refused[code.lower()])
        elif code.lower() not in {c.lower() for c in new_agencies}:
            clash = self._clash(code, plan.agency_name, new_agencies)
            if clash:
                self._refused[code.lower()] = clash
                plan.error(SERVICES_FILE, row, "owner_org_title", clash)
            else:
                new_agencies[code] = plan.agency_name

    def _plan_widgets(self, plans):
        live = [p for p in plans if p.years]
        agency_ids = {p.agency.pk for p in live if p.agency}
        existing = {
            (w.agency_id, w.external_id): w
            for w in Widget.objects.filter(
                agency_id__in=agency_ids, external_id__in=[p.service_id for p in live]
            ).prefetch_related("customer_segments")
        }
        names = {
            (w.agency_id, w.name): w
            for w in Widget.objects.filter(
                agency_id__in=agency_ids, name__in=[p.name for p in live]
            ).only("pk", "agency_id", "name", "external_id")
        }
        counts = {
            (c.widget_id, c.period_start): c
            for c in WidgetCount.objects.filter(widget__in=list(existing.values()))
        }
        seen_names = {}
        for plan in live:
            agency_id = plan.agency.pk if plan.agency else None
            agency_key = agency_id or plan.agency_code.lower()
            widget = existing.get((agency_id, plan.service_id))
            twin = seen_names.get((agency_key, plan.name))
            clash = names.get((agency_id, plan.name))
            seen_names.setdefault((agency_key, plan.name), plan.service_id)
            if twin is not None or (clash is not None and clash != widget):
                self._rename_duplicate(plan, twin, clash)
            self._plan_widget(plan, widget)
            self._plan_counts(plan, counts)

    def _rename_duplicate(self, plan, twin, clash):
        """Two services with one name are both imported: the second widget's name
        gets its service id (a widget's name is unique in its agency), and both are
        flagged as a possible duplicate. The export writes the published name."""
        published = plan.name
        plan.name = f"{published[: NAME_LENGTH - len(plan.service_id) - 4]} ({plan.service_id})"
        if twin is not None:
            other = f"service {twin} of this file"
        else:
            source = f" (service {clash.external_id})" if clash.external_id else ""
            other = f"the widget “{clash.name}”{source}"
        plan.warn(
            SERVICES_FILE,
            plan.latest_row,
            "service_name_en",
            f"Possible duplicate: {other} has the same name. Imported as “{plan.name}”; "
            "if they are one service, keep one of them.",
        )

    def _plan_widget(self, plan, widget):
        plan.is_new = widget is None
        if widget is None:
            widget = Widget(
                agency=plan.agency,
                name=plan.name,
                kind=plan.kind,
                external_id=plan.service_id,
                reporting_frequency=Frequency.YEAR,
                status=WidgetStatus.DRAFT,
            )
            current_kinds = set()
        else:
            current_kinds = {s.kind for s in widget.customer_segments.all()}
        wanted = {"name": plan.name}
        if plan.description != BLANK:
            wanted["description"] = "" if plan.description == NA else plan.description
        if plan.fee == NA:
            wanted["fee"] = None
        elif plan.fee == "Y":
            if not widget.fee:
                plan.flag(
                    SERVICES_FILE,
                    plan.latest_row,
                    "service_fee",
                    "A fee is charged, but the inventory does not say how much: "
                    "the widget's fee stays unknown.",
                    SUGGESTION,
                )
        elif plan.fee != BLANK:
            wanted["fee"] = plan.fee
        for name in ("days", "share"):
            value = plan.standard.get(name, BLANK)
            if value != BLANK:
                wanted[f"standard_{name}"] = None if value == NA else value
        wanted["channels"] = self._channels(plan, widget.channels or [])
        for name, value in wanted.items():
            if getattr(widget, name) != value:
                plan.changed_fields.append(name)
                plan.old_values[name] = getattr(widget, name)
                setattr(widget, name, value)
        plan.old_segment_kinds = current_kinds
        if plan.segment_kinds is not None:
            plan.segments_changed = plan.segment_kinds != current_kinds
            current_kinds = plan.segment_kinds
            if plan.segments_changed:
                plan.changed_fields.append("customer_segments")
        if plan.is_new:
            plan.changed_fields = []
        elif plan.changed_fields and widget.status == WidgetStatus.RETIRED:
            plan.error(
                SERVICES_FILE,
                plan.latest_row,
                "service_id",
                f"“{widget.name}” is retired and cannot be changed "
                f"({', '.join(plan.changed_fields)}).",
            )
        plan.widget = widget
        plan.findings = widget.coach_findings(customer_count=len(current_kinds))

    def _channels(self, plan, channels):
        wanted = set(channels)
        latest = plan.volumes.get(max(plan.years), {})
        for name, channel in WIDGET_CHANNELS.items():
            if any(isinstance(v.get(name), int) and v[name] > 0 for v in plan.volumes.values()):
                wanted.add(channel)
            if latest.get(name) == NA:
                wanted.discard(channel)
        return [c for c in Channel.values if c in wanted]

    def _plan_counts(self, plan, counts):
        widget = plan.widget
        today = timezone.localdate()
        for year in sorted(plan.volumes):
            volumes = plan.volumes[year]
            if all(v == BLANK for v in volumes.values()):
                continue
            if widget.reporting_frequency != Frequency.YEAR:
                plan.warn(
                    SERVICES_FILE,
                    plan.latest_row,
                    "fiscal_yr",
                    f"“{widget.name}” reports {widget.get_reporting_frequency_display().lower()}: "
                    f"its {gc.fiscal_year_label(year)} volumes are not imported.",
                )
                continue
            start = gc.fiscal_year_period(year)
            current = counts.get((widget.pk, start)) if widget.pk else None
            values = {}
            for name in COUNT_VALUE_FIELDS:
                value = volumes.get(name, BLANK)
                if value == BLANK:
                    value = getattr(current, name) if current else None
                values[name] = None if value == NA else value
            fallback = (SERVICES_FILE, plan.latest_row, "fiscal_yr")
            where = plan.sources.get((year, "demand"), fallback)
            if start > today or start < EARLIEST_PERIOD:
                plan.flag(
                    where[0],
                    where[1],
                    "fiscal_yr",
                    f"{gc.fiscal_year_label(year)} has not started yet, or is before 2000: "
                    "its volumes are kept as published, not counted.",
                )
                continue
            for name, messages in check_rules(values).items():
                file, row, column = plan.sources.get((year, name), where)
                for message in messages:
                    plan.flag(file, row, column, f"{message} Kept as published, not counted.")
                values[name] = getattr(current, name) if current else None
            _kept, refused = check_not_applicable(widget, values)
            for name, messages in refused.items():
                file, row, column = plan.sources.get((year, name), where)
                for message in messages:
                    plan.flag(file, row, column, f"{message} Kept as published, not counted.")
                values[name] = getattr(current, name) if current else None
            known = [values[n] for n in CHANNEL_COUNT_FIELDS if values[n] is not None]
            if values["demand"] is not None and known and sum(known) > values["demand"]:
                plan.warn(*where[:2], gc.TOTAL_COLUMN, "The channels add up to more than this.")
            if current is None:
                status = "unchanged" if all(v is None for v in values.values()) else "new"
            else:
                same = all(getattr(current, n) == values[n] for n in COUNT_VALUE_FIELDS)
                status = "unchanged" if same else "changed"
            plan.counts.append(CountPlan(year, start, values, status, current))
