import django_tables2 as tables
from django.utils.html import format_html

from agencies.people import display_name, name_order

from ..models import Widget
from ..periods import describe_period
from .selectors import sparkline_points


class WidgetTable(tables.Table):
    caption = "Widgets matching the filters"

    # The fields its cells read (and the sparkline's frequency): the list reads
    # these alone, not the descriptions and definitions of every row it shows.
    READS = (
        "pk",
        "name",
        "kind",
        "status",
        "quality_score",
        "problem_count",
        "reporting_frequency",
        "agency__abbreviation",
        "program__name",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
    )

    name = tables.Column(linkify=True)
    agency = tables.Column(accessor="agency__abbreviation", verbose_name="Agency")
    program = tables.Column(accessor="program__name", verbose_name="Program")
    kind = tables.Column()
    status = tables.Column()
    owner = tables.Column(verbose_name="Owner", default="—")
    quality_score = tables.Column(verbose_name="Definition quality")
    trend = tables.Column(
        empty_values=(), orderable=False, verbose_name="Delivered, last 12 periods"
    )

    class Meta:
        model = Widget
        fields = ["name", "agency", "program", "kind", "status", "owner", "quality_score"]
        # What is read first, first: the sparkline before the owner and the
        # definition's score, so that it is on screen at 1280 px (an owner's name,
        # the username where none is given, at a state's size an e-mail address, is
        # the widest column).
        sequence = [
            "name",
            "agency",
            "program",
            "kind",
            "status",
            "trend",
            "quality_score",
            "owner",
        ]
        order_by = ("name",)
        attrs = {"class": "usa-table usa-table--borderless usa-table--striped widget-table"}

    def render_owner(self, value):
        return display_name(value)  # as every page names a person (agencies.people)

    def order_owner(self, queryset, is_descending):
        """By the name shown, regardless of case; the annotation only when asked for
        (the list's count and page queries would otherwise join every owner)."""
        order = name_order("owner")
        queryset = queryset.annotate(owner_order=order).order_by(
            "-owner_order" if is_descending else "owner_order", "pk"
        )
        return queryset, True

    def render_kind(self, record):
        return record.get_kind_display()

    def render_status(self, record):
        return record.get_status_display()

    def render_quality_score(self, record):
        if record.problem_count:
            plural = "s" if record.problem_count > 1 else ""
            return format_html(
                "{} / 100 <span class='text-secondary-dark'>({} problem{})</span>",
                record.quality_score,
                record.problem_count,
                plural,
            )
        return format_html("{} / 100", record.quality_score)

    def render_trend(self, record):
        points, values = sparkline_points(getattr(record, "recent_counts", []))
        if not points:
            return "Not enough counts yet"
        # Each point named as its period is everywhere (a day, a week, a month...):
        # a daily widget's twelve points are twelve days, not "Nov 2026" twelve times.
        label = ", ".join(
            f"{describe_period(start, record.reporting_frequency)}: {value:,}"
            for start, value in values
        )
        return format_html(
            '<svg class="sparkline" viewBox="0 0 120 24" width="120" height="24" role="img" '
            'aria-label="Delivered: {}"><polyline points="{}" fill="none" stroke="currentColor" '
            'stroke-width="1.5"/></svg>',
            label,
            points,
        )

    def value_trend(self, record):
        return ""
