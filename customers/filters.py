"""Filters of the customer segment list."""

import django_filters
from django.db.models import Q

from agencies.models import Agency

from .models import CustomerSegment, SegmentKind

ACTIVE, ARCHIVED, ALL = "active", "archived", "all"


class SegmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), empty_label="All agencies"
    )
    kind = django_filters.ChoiceFilter(choices=SegmentKind.choices, empty_label="All kinds")
    status = django_filters.ChoiceFilter(
        label="Archived",
        choices=[
            (ACTIVE, "Active only"),
            (ARCHIVED, "Archived only"),
            (ALL, "Active and archived"),
        ],
        empty_label=None,
        method="by_status",
    )

    class Meta:
        model = CustomerSegment
        fields = ["q", "agency", "kind", "status"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        # Active segments unless the person asks otherwise.
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = ACTIVE
        super().__init__(data, *args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["agency"].queryset = Agency.objects.for_user(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(needs__icontains=value)
        )

    def by_status(self, queryset, name, value):
        if value == ARCHIVED:
            return queryset.filter(archived=True)
        if value == ALL:
            return queryset
        return queryset.filter(archived=False)
