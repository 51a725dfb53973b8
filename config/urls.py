from allauth.urls import build_provider_urlpatterns
from django.contrib import admin
from django.urls import include, path

from agencies import views as agency_views
from widgets.api.app import api
from widgets.catalogue import views as widget_views

# What no view answered (config/http.py): JSON under /api/, 503 while the database is down.
handler400 = "config.http.bad_request"
handler500 = "config.http.server_error"

urlpatterns = [
    path("", widget_views.home, name="home"),
    path("healthz", agency_views.healthz, name="healthz"),
    # Sign-in: ours first (login, logout, the verifying OIDC callback), then allauth's
    # (MFA, identity providers). docs/adr/0002-sign-in-with-django-allauth.md.
    path("accounts/", include("agencies.auth_urls")),
    # allauth.urls without its deprecated unnamed redirects (social/...).
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("accounts/", include(build_provider_urlpatterns())),
    path("admin/", admin.site.urls),
    path("agencies/", include("agencies.urls")),
    path("uploads/", include("agencies.job_urls")),
    path("customers/", include("customers.urls")),
    path("widgets/", include("widgets.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("public/", include("outcomes.public_urls")),
    # Hosted surveys' public pages: short links (/s/<code>/) and invitations.
    path("s/", include("widgets.surveys.public_urls")),
    path("api/v1/", api.urls),
]
