"""Pages about customers: the segment list, a segment, its form, and the statewide view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from agencies.permissions import READ, SIGNED_IN, STAFF, grant
from agencies.scoping import can_change, may_change_some_agency
from agencies.tabular import EXPORT_FORMATS, export_response

from . import selectors
from .filters import SegmentFilter
from .forms import SegmentForm
from .models import CustomerSegment
from .services import SegmentNotSaved, save_segment, set_archived
from .tables import EXPORT_HEADERS, SegmentTable, export_rows


class SegmentListView(SingleTableMixin, FilterView):
    """Segments of every agency: filtered, searched, sorted, paginated, exported."""

    model = CustomerSegment
    table_class = SegmentTable
    filterset_class = SegmentFilter
    template_name = "customers/segment_list.html"
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        return selectors.segments_for(self.request.user)

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            return export_response(
                headers=EXPORT_HEADERS,
                rows=export_rows(rows.order_by("agency__name", "name")),
                filename="customer-segments",
                fmt=fmt,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("export", "page", "sort"):
            query.pop(key, None)
        context["export_query"] = query.urlencode()
        context["may_create"] = may_change_some_agency(self.request.user)
        return context


segment_list = grant(SIGNED_IN)(SegmentListView.as_view())


@grant(READ, segment=CustomerSegment.objects.select_related("agency"))
def segment_detail(request, segment):
    series = selectors.survey_series(segment, request.user)
    return render(
        request,
        "customers/segment_detail.html",
        {
            "segment": segment,
            "widgets": selectors.received_widgets(segment, request.user),
            "series": series,
            "chart": selectors.satisfaction_chart(series, segment) if series else None,
            "months": selectors.ON_TIME_MONTHS,
            "may_change": can_change(request.user, segment.agency_id),
        },
    )


def _save(request, form, segment):
    if form.is_valid():
        try:
            save_segment(
                segment=form.instance, widgets=form.cleaned_data["widgets"], by=request.user
            )
        except SegmentNotSaved as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:  # a retired widget's customers cannot change
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved “{form.instance.name}”.")
            return redirect("customers:detail", pk=form.instance.pk)
    return render(request, "customers/segment_form.html", {"form": form, "segment": segment})


@grant(STAFF, to="add customer segments")
def segment_create(request):
    form = SegmentForm(request.POST or None, user=request.user)
    if request.method != "POST":
        return render(request, "customers/segment_form.html", {"form": form, "segment": None})
    return _save(request, form, None)


@grant(STAFF, segment=CustomerSegment.objects.select_related("agency"), to="change its segments")
def segment_edit(request, segment):
    form = SegmentForm(request.POST or None, instance=segment, user=request.user)
    if request.method != "POST":
        return render(request, "customers/segment_form.html", {"form": form, "segment": segment})
    return _save(request, form, segment)


@require_POST
@grant(STAFF, segment=CustomerSegment, to="archive its segments")
def segment_archive(request, segment):
    restore = request.POST.get("restore") == "1"
    set_archived(segment=segment, archived=not restore)
    messages.success(request, f"{'Restored' if restore else 'Archived'} “{segment.name}”.")
    return redirect("customers:detail", pk=segment.pk)


@grant(SIGNED_IN)
def statewide(request):
    return render(request, "customers/statewide.html", {"kinds": selectors.statewide(request.user)})
