"""The catalogue, standards and yearly volumes in the Service Inventory layout.

Two tables, services and standards, in the columns `gc_inventory` reads, so an
agency can publish from here and another installation can import the files.
Yearly volumes are the counts summed by fiscal year (for widgets that report
more often than yearly, the sum of the periods known). See docs/interop.md.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ..flow import fiscal_year_expression
from ..models import CHANNEL_COUNT_FIELDS, InventoryFile, Widget, WidgetCount, WidgetStatus
from ..periods import fiscal_year
from . import gc_layout as gc
from . import gc_published

VOLUME_FIELDS = ("demand", *CHANNEL_COUNT_FIELDS, "delivered", "within_standard")
# Export column -> WidgetCount field; fax is counted with "other" and left blank.
EXPORT_VOLUMES = {
    "num_applications_online": "channel_online",
    "num_applications_in_person": "channel_in_person",
    "num_applications_by_mail": "channel_mail",
    "num_applications_by_phone": "channel_phone",
    "num_applications_by_email": "channel_email",
    "num_applications_by_fax": None,
    "num_applications_by_other": "channel_other",
    gc.TOTAL_COLUMN: "demand",
}
WIDGET_CHANNEL_OF = {
    "channel_online": "online",
    "channel_in_person": "in_person",
    "channel_mail": "mail",
    "channel_phone": "phone",
}


def yearly_volumes(widgets):
    """{widget id: {fiscal year: {field: sum or None}}} in one query."""
    rows = (
        WidgetCount.objects.filter(widget__in=widgets)
        .annotate(fy=fiscal_year_expression())
        .values("widget_id", "fy")
        .annotate(**{f"sum_{name}": Sum(name) for name in VOLUME_FIELDS})
        .order_by("widget_id", "fy")
    )
    volumes = {}
    for row in rows:
        volumes.setdefault(row["widget_id"], {})[row["fy"]] = {
            name: row[f"sum_{name}"] for name in VOLUME_FIELDS
        }
    return volumes


def exported_widgets(agency, user):
    """The agency's widgets the user may read, less retired ones."""
    return (
        Widget.objects.for_user(user)
        .filter(agency=agency)
        .exclude(status=WidgetStatus.RETIRED)
        .select_related("program", "agency")
        .prefetch_related("customer_segments")
        .order_by("name")
    )


def service_id(widget):
    return widget.external_id or f"W{widget.pk}"


def _fee(fee):
    if fee is None:
        return ""
    return "Y" if fee > 0 else "N"


def _target_groups(widget):
    kinds = {s.kind for s in widget.customer_segments.all()}
    return ",".join(code for kind, code in gc.TARGET_GROUP_CODES.items() if kind in kinds)


def _volume(widget, field, value):
    if not widget.applies(field):  # declared so: its value is never stored
        return gc.NA.name
    if value is not None:
        return value
    # A channel the widget is not offered through is not applicable.
    channel = WIDGET_CHANNEL_OF.get(field)
    return gc.NA.name if channel and channel not in (widget.channels or []) else ""


def service_row(widget, year, values):
    """{column: value} the app computes for one widget and fiscal year."""
    agency = widget.agency
    row = {
        "fiscal_yr": gc.fiscal_year_label(year),
        "service_id": service_id(widget),
        "service_name_en": widget.name,
        "service_description_en": widget.description,
        "service_type": gc.KIND_SERVICE_TYPES.get(widget.kind, ""),
        "client_target_groups": _target_groups(widget),
        "service_fee": _fee(widget.fee),
        "program_name_en": widget.program.name,
        "owner_org": agency.abbreviation,
        "owner_org_title": agency.name,
    }
    for column, field in EXPORT_VOLUMES.items():
        row[column] = _volume(widget, field, values[field]) if field else ""
    return row


def services(agency, *, user):
    """The services table: the published rows first, in their order (each cell as
    published unless changed here since: gc_published), then every other widget
    and fiscal year with counts."""
    widgets = list(exported_widgets(agency, user))
    volumes = yearly_volumes(widgets)
    by_id = {w.pk: w for w in widgets}
    blank = dict.fromkeys(VOLUME_FIELDS)
    rows, covered, published_widgets = [], set(), set()
    for published in gc_published.published_rows(widgets, InventoryFile.SERVICES):
        widget, year = by_id[published.widget_id], published.fiscal_year
        app = service_row(widget, year, volumes.get(widget.pk, {}).get(year, blank))
        rows.append(gc_published.overlay(published, app, gc.SERVICE_COLUMNS))
        covered.add((widget.pk, year))
        published_widgets.add(widget.pk)
    current = fiscal_year(timezone.localdate())
    for widget in widgets:
        years = volumes.get(widget.pk)
        if not years and widget.pk not in published_widgets:
            years = {current: blank}
        for year, values in sorted((years or {}).items()):
            if (widget.pk, year) not in covered:
                row = service_row(widget, year, values)
                rows.append([gc_published.text(row.get(c)) for c in gc.SERVICE_COLUMNS])
    return gc.SERVICE_COLUMNS, rows


def _share_text(share):
    return "" if share is None else str((Decimal(share) / 100).normalize())


def standard_row(widget, year, values):
    """{column: value} of the widget's timeliness standard in one fiscal year."""
    delivered, within = values["delivered"], values["within_standard"]
    performance = None
    if delivered and within is not None:
        performance = round(Decimal(within) / Decimal(delivered), 4)
    met = ""
    if performance is not None and widget.standard_share is not None:
        met = "Y" if performance * 100 >= widget.standard_share else "N"
    days = widget.standard_days
    if not widget.applies("within_standard"):  # declared so: nothing to meet
        within = performance = met = gc.NA.name
    return {
        "fiscal_yr": gc.fiscal_year_label(year),
        "service_id": service_id(widget),
        "service_name_en": widget.name,
        "service_standard_id": f"{service_id(widget)}-{gc.TIMELINESS_CODE}",
        "service_standard_en": f"Delivered within {days} days" if days is not None else "",
        "type": gc.TIMELINESS_CODE,
        "target": _share_text(widget.standard_share),
        "volume_meeting_target": within,
        "total_volume": delivered,
        "performance": "" if performance is None else str(performance),
        "target_met": met,
        "owner_org": widget.agency.abbreviation,
        "owner_org_title": widget.agency.name,
    }


def standards(agency, *, user):
    """The standards table: the published rows first, in their order, then the
    timeliness standard of every other widget and fiscal year with volumes."""
    widgets = list(exported_widgets(agency, user))
    volumes = yearly_volumes(widgets)
    by_id = {w.pk: w for w in widgets}
    blank = dict.fromkeys(VOLUME_FIELDS)
    rows, counted, published_widgets = [], set(), set()
    for published in gc_published.published_rows(widgets, InventoryFile.STANDARDS):
        widget, year = by_id[published.widget_id], published.fiscal_year
        app = standard_row(widget, year, volumes.get(widget.pk, {}).get(year, blank))
        rows.append(gc_published.overlay(published, app, gc.STANDARD_COLUMNS))
        published_widgets.add(widget.pk)
        if published.counted:
            counted.add((widget.pk, year))
    current = fiscal_year(timezone.localdate())
    for widget in widgets:
        has_standard = widget.standard_days is not None or widget.standard_share is not None
        years = {
            year: values
            for year, values in volumes.get(widget.pk, {}).items()
            if values["delivered"] is not None or values["within_standard"] is not None
        }
        if not years and has_standard and widget.pk not in published_widgets:
            years = {current: blank}
        for year, values in sorted(years.items()):
            if (widget.pk, year) not in counted:
                row = standard_row(widget, year, values)
                rows.append([gc_published.text(row.get(c)) for c in gc.STANDARD_COLUMNS])
    return gc.STANDARD_COLUMNS, rows
