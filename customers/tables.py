"""The customer segment list as a sortable, paginated table."""

import django_tables2 as tables

from agencies.templatetags import numbers

from .models import CustomerSegment


class SegmentTable(tables.Table):
    name = tables.Column(
        linkify=("customers:detail", {"pk": tables.A("pk")}), verbose_name="Segment"
    )
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency")
    kind = tables.Column(verbose_name="Kind")
    estimated_size = tables.Column(verbose_name="Estimated size")
    widget_count = tables.Column(verbose_name="Widgets received")
    archived = tables.Column(verbose_name="Status")

    caption = "Customer segments"

    class Meta:
        model = CustomerSegment
        fields = ["name", "agency", "kind", "estimated_size", "widget_count", "archived"]
        order_by = ("agency", "name")
        empty_text = "No segments match these filters."
        attrs = {"class": "usa-table usa-table--borderless usa-table--stacked"}

    def render_estimated_size(self, value):
        return numbers.whole(value)

    def render_archived(self, value):
        return "Archived" if value else "Active"


EXPORT_HEADERS = [
    "id",
    "agency",
    "name",
    "kind",
    "description",
    "needs",
    "estimated_size",
    "widgets_received",
    "archived",
]


def export_rows(segments):
    for s in segments:
        yield [
            s.pk,
            s.agency.abbreviation,
            s.name,
            s.get_kind_display(),
            s.description,
            s.needs,
            s.estimated_size,
            s.widget_count,
            "yes" if s.archived else "no",
        ]
