from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Agency
from .scoping import get_readable_or_404, is_admin, may_read_any


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """For load balancers: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    user = request.user
    if not may_read_any(user):
        return render(request, "agencies/waiting.html", status=200)
    agencies = Agency.objects.for_user(user)
    if not is_admin(user):
        agencies = agencies.filter(memberships__user=user)
    return render(
        request,
        "agencies/home.html",
        {"agencies": agencies.annotate(widget_count=Count("widgets", distinct=True))},
    )


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
        },
    )
