import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from agencies.models import Agency, Program
from agencies.people import PersonChoiceField
from config.forms import NamedChoiceField, QuickSelect
from customers.models import CustomerSegment

from ..models import Widget, WidgetKind, WidgetStatus


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of rows, offered by name without a model instance per option
    (config.forms.NamedChoiceField)."""

    field_class = NamedChoiceField


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of people, each by the name pages call them (agencies.people)."""

    field_class = PersonChoiceField


class WidgetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Words in the name or description."
    )
    agency = NamedChoiceFilter(
        queryset=Agency.objects.none(), empty_label="All agencies", widget=QuickSelect
    )
    program = NamedChoiceFilter(
        queryset=Program.objects.none(), empty_label="All programs", widget=QuickSelect
    )
    kind = django_filters.ChoiceFilter(
        choices=WidgetKind.choices, empty_label="Any kind", widget=QuickSelect
    )
    status = django_filters.ChoiceFilter(
        choices=WidgetStatus.choices, empty_label="Any status", widget=QuickSelect
    )
    segment = NamedChoiceFilter(
        label="Customer segment",
        field_name="customer_segments",
        queryset=CustomerSegment.objects.none(),
        empty_label="Any customers",
        widget=QuickSelect,
    )
    owner = PersonChoiceFilter(
        queryset=get_user_model().objects.none(), empty_label="Anyone", widget=QuickSelect
    )
    has_problems = django_filters.ChoiceFilter(
        label="Definition quality",
        method="filter_problems",
        choices=[("yes", "Has problems"), ("no", "No problems")],
        empty_label="Any",
        widget=QuickSelect,
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        # Offer only what the user may read, and once an agency is chosen only
        # its programs, segments and owners: shorter lists for people, and a
        # page that does not render every agency's options.
        user = getattr(request, "user", None)
        agencies = Agency.objects.for_user(user)
        self.filters["agency"].queryset = agencies
        chosen = str((data or {}).get("agency") or "")
        scope = {"agency_id": int(chosen)} if chosen.isdigit() else {"agency__in": agencies}
        # An option reads only its row's key and name (NamedChoiceFilter).
        self.filters["program"].queryset = Program.objects.filter(**scope)
        self.filters["segment"].queryset = CustomerSegment.objects.filter(archived=False, **scope)
        # The people who own a widget in scope: each person looked up by the owner
        # index, rather than every widget joined to its owner and made distinct.
        owns = Widget.objects.filter(owner=OuterRef("pk"), **scope)
        self.filters["owner"].queryset = get_user_model().objects.filter(Exists(owns))

    class Meta:
        model = Widget
        fields = ["q", "agency", "program", "kind", "status", "segment", "owner", "has_problems"]

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
        return queryset

    def filter_problems(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(problem_count__gt=0)
        return queryset.filter(problem_count=0)
