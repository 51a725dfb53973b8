"""Open data: everything an agency's public page shows, as CSV and JSON.

Approved widgets of a publishing agency, with their standards and yearly
volumes (demand by channel, delivered, delivered within the standard), "not applicable"
where a measure does not apply to the widget and null where it is unknown. No
internal notes: no drafts, no review comments, no owners, no coach scores, no
costs or balance notes.
"""

from decimal import Decimal

from .. import measures
from ..models import CHANNEL_COUNT_FIELDS, Widget
from ..periods import Frequency
from .gc_export import VOLUME_FIELDS, service_id, yearly_volumes

WIDGET_FIELDS = [
    "widget_id",
    "service_id",
    "name",
    "kind",
    "program",
    "description",
    "customer_segments",
    "definition_of_done",
    "unit_of_count",
    "channels",
    "reporting_frequency",
    "standard_days",
    "standard_share_percent",
    "fee",
    "legal_authority",
    "not_applicable",
]
# The measure a year's volumes carry: within standard / delivered.
ON_TIME = next(m for m in measures.MEASURES if m.numerator == "within_standard")
VOLUME_COLUMNS = ["fiscal_year", *VOLUME_FIELDS, ON_TIME.name]
COLUMNS = ["agency", *WIDGET_FIELDS, *VOLUME_COLUMNS]


def _widgets(agency):
    return (
        Widget.objects.published()
        .filter(agency=agency)
        .select_related("program")
        .prefetch_related("customer_segments")
        .order_by("name")
    )


def _number(value):
    return None if value is None else float(value) if isinstance(value, Decimal) else value


def _widget(widget):
    return {
        "widget_id": widget.pk,
        "service_id": service_id(widget),
        "name": widget.name,
        "kind": widget.kind,
        "program": widget.program.name,
        "description": widget.description,
        "customer_segments": sorted(s.name for s in widget.customer_segments.all()),
        "definition_of_done": widget.definition_of_done,
        "unit_of_count": widget.unit_of_count,
        "channels": list(widget.channels or []),
        "reporting_frequency": Frequency(widget.reporting_frequency).value,
        "standard_days": widget.standard_days,
        "standard_share_percent": _number(widget.standard_share),
        "fee": _number(widget.fee),
        "legal_authority": widget.legal_authority,
        "not_applicable": list(widget.not_applicable or []),
    }


def _volumes(widget, year, values):
    """A year's volumes; "not applicable" for what does not apply to the widget
    (on-time share too, without a within-standard count); unknown stays null."""
    delivered, within = values["delivered"], values["within_standard"]
    share = round(within / delivered, 4) if delivered and within is not None else None
    found = {**{n: values[n] for n in VOLUME_FIELDS}, ON_TIME.name: share}
    found = measures.with_not_applicable(found, widget.not_applicable_fields)
    return {"fiscal_year": year, **{n: measures.exported(v) for n, v in found.items()}}


def document(agency):
    """The JSON document: the agency and its widgets with yearly volumes."""
    widgets = list(_widgets(agency))
    volumes = yearly_volumes(widgets)
    return {
        "agency": {"name": agency.name, "abbreviation": agency.abbreviation},
        "channel_fields": list(CHANNEL_COUNT_FIELDS),
        "widgets": [
            {
                **_widget(w),
                "yearly_volumes": [
                    _volumes(w, year, values)
                    for year, values in sorted(volumes.get(w.pk, {}).items())
                ],
            }
            for w in widgets
        ],
    }


def table(agency):
    """(headers, rows): one row per widget and fiscal year (one row when no counts)."""
    rows = []
    for widget in document(agency)["widgets"]:
        fields = [
            "; ".join(v) if isinstance(v, list) else v
            for v in (widget[name] for name in WIDGET_FIELDS)
        ]
        for volume in widget["yearly_volumes"] or [dict.fromkeys(VOLUME_COLUMNS)]:
            rows.append([agency.name, *fields, *[volume[c] for c in VOLUME_COLUMNS]])
    return COLUMNS, rows
