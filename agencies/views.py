from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Agency
from .scoping import MANAGER, can_change, get_readable_or_404


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """For load balancers: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def agency_list(request):
    agencies = Agency.objects.for_user(request.user).annotate(
        program_count=Count("programs", distinct=True)
    )
    return render(request, "agencies/agency_list.html", {"agencies": agencies})


def agency_detail(request, slug):
    agency = get_readable_or_404(Agency, request.user, slug=slug)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "programs": agency.programs.all(),
            "widgets": agency.widgets.for_user(request.user).select_related("program"),
            "outcomes": agency.outcomes.all(),
            "channel_mix": agency.widgets.for_user(request.user).channel_mix(),
            "is_agency_manager": can_change(request.user, agency.pk, MANAGER),
        },
    )
