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
from ..models import CHANNEL_COUNT_FIELDS, Widget, WidgetCount, WidgetStatus
from ..periods import fiscal_year
from . import gc_layout as gc

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


def services(agency, *, user):
    widgets = list(exported_widgets(agency, user))
    volumes = yearly_volumes(widgets)
    current = fiscal_year(timezone.localdate())
    rows = []
    for widget in widgets:
        years = volumes.get(widget.pk) or {current: dict.fromkeys(VOLUME_FIELDS)}
        for year, values in sorted(years.items()):
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
            rows.append([row[c] for c in gc.SERVICE_COLUMNS])
    return gc.SERVICE_COLUMNS, rows


def _share_text(share):
    return "" if share is None else str((Decimal(share) / 100).normalize())


def standards(agency, *, user):
    widgets = list(exported_widgets(agency, user))
    volumes = yearly_volumes(widgets)
    current = fiscal_year(timezone.localdate())
    rows = []
    for widget in widgets:
        has_standard = widget.standard_days is not None or widget.standard_share is not None
        years = {
            year: values
            for year, values in volumes.get(widget.pk, {}).items()
            if values["delivered"] is not None or values["within_standard"] is not None
        }
        if not years and has_standard:
            years = {current: dict.fromkeys(VOLUME_FIELDS)}
        for year, values in sorted(years.items()):
            delivered, within = values["delivered"], values["within_standard"]
            performance = None
            if delivered and within is not None:
                performance = round(Decimal(within) / Decimal(delivered), 4)
            met = ""
            if performance is not None and widget.standard_share is not None:
                met = "Y" if performance * 100 >= widget.standard_share else "N"
            days = widget.standard_days
            if not widget.applies("within_standard"):  # no standard: nothing to meet
                within = performance = met = gc.NA.name
            row = {
                "fiscal_yr": gc.fiscal_year_label(year),
                "service_id": service_id(widget),
                "service_standard_id": f"{service_id(widget)}-{gc.TIMELINESS_CODE}",
                "service_standard_en": f"Delivered within {days} days" if days is not None else "",
                "type": gc.TIMELINESS_CODE,
                "channel": "",
                "target": _share_text(widget.standard_share),
                "volume_meeting_target": within,
                "total_volume": delivered,
                "performance": "" if performance is None else str(performance),
                "target_met": met,
                "owner_org": agency.abbreviation,
                "owner_org_title": agency.name,
            }
            rows.append([row[c] for c in gc.STANDARD_COLUMNS])
    return gc.STANDARD_COLUMNS, rows
