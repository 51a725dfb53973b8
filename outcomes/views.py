from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from agencies.models import Agency
from agencies.scoping import get_readable_or_404
from widgets.models import Widget

from .models import Outcome


def outcome_list(request):
    outcomes = Outcome.objects.for_user(request.user).select_related("agency", "owner")
    return render(request, "outcomes/outcome_list.html", {"outcomes": outcomes})


def outcome_detail(request, pk):
    outcome = get_readable_or_404(
        Outcome.objects.select_related("agency", "program", "owner"), request.user, pk=pk
    )
    return render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "measurements": outcome.measurements.all(),
            "contributions": outcome.contributions.select_related("widget"),
        },
    )


@login_not_required
def public_agency(request, slug):
    """An agency's public page: only if it publishes, and only approved data."""
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    return render(
        request,
        "outcomes/public_agency.html",
        {
            "agency": agency,
            "widgets": Widget.objects.published().filter(agency=agency).select_related("program"),
            "outcomes": Outcome.objects.published().filter(agency=agency),
        },
    )
