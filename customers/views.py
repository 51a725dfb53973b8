from django.db.models import Count
from django.shortcuts import render

from .models import CustomerSegment


def segment_list(request):
    segments = (
        CustomerSegment.objects.for_user(request.user)
        .active()
        .select_related("agency")
        .annotate(widget_count=Count("widgets", distinct=True))
    )
    return render(request, "customers/segment_list.html", {"segments": segments})
