from django.shortcuts import render

from agencies.scoping import get_readable_or_404

from .models import Widget


def widget_list(request):
    widgets = Widget.objects.for_user(request.user).select_related("agency", "program")
    return render(request, "widgets/widget_list.html", {"widgets": widgets})


def widget_detail(request, pk):
    widget = get_readable_or_404(
        Widget.objects.select_related("agency", "program", "owner"), request.user, pk=pk
    )
    return render(
        request,
        "widgets/widget_detail.html",
        {
            "widget": widget,
            "segments": widget.customer_segments.all(),
            "counts": widget.counts.all()[:12],
        },
    )
