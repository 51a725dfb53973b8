from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .models import Agency
from .permissions import PUBLIC, READ, SIGNED_IN, grant
from .ratelimits import RETRY_AFTER_SECONDS, sign_in_limited
from .scoping import MANAGER, can_change
from .sso import SESSION_PROVIDER_KEY, configured_providers, end_session_url


class LoginView(allauth_views.LoginView):
    """The sign-in page: a button per identity provider and, where LOCAL_LOGIN
    allows it, the password form (allauth's, followed by its MFA step)."""

    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        if sign_in_limited(request):  # agencies.ratelimits: per client address
            response = render(request, "429.html", status=429)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = [
            {"name": provider.name, "login_url": provider.get_login_url(self.request)}
            for provider in configured_providers(self.request)
        ]
        context["local_login"] = settings.LOCAL_LOGIN
        return context


@require_POST
@grant(PUBLIC)
def logout(request):
    """End the session here and, where the provider offers it, there (RP-initiated)."""
    provider_id = request.session.get(SESSION_PROVIDER_KEY)
    get_account_adapter(request).logout(request)
    target = None
    if provider_id:
        target = end_session_url(
            request,
            provider_id,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("login")),
        )
    return redirect(target or settings.LOGOUT_REDIRECT_URL)


@require_GET
@never_cache
@grant(PUBLIC)
def healthz(request):
    """For load balancers: the process answers and reaches the database (one
    `SELECT 1`, no session). A database that does not answer is a 503 with
    Retry-After, whatever the cookies (config.http.server_error)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@grant(SIGNED_IN)
def agency_list(request):
    agencies = Agency.objects.for_user(request.user).annotate(
        program_count=Count("programs", distinct=True)
    )
    return render(request, "agencies/agency_list.html", {"agencies": agencies})


@grant(READ, agency=Agency, by="slug")
def agency_detail(request, agency):
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
