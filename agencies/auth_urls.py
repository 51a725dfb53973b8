"""Sign-in URLs mounted at /accounts/, ahead of django-allauth's own (config/urls.py).

`login` and `logout` keep their names; the OpenID Connect callback takes the
path of allauth's own, so that every ID token's signature is verified
(agencies/sso.py).
"""

from django.http import Http404
from django.urls import path

from . import sso, views
from .permissions import NOBODY, PUBLIC, grant


@grant(NOBODY)
def not_offered(request, *args, **kwargs):
    """allauth features Widgets does not offer: accounts are made by admins or come
    from an identity provider, so there is no sign-up, no e-mailed password reset
    (a break-glass account must not fall to whoever reads its mailbox), no sign-in
    by e-mailed code, no e-mail management and no password for SSO accounts.
    Signed-in people get a 404; everyone else is sent to sign in first."""
    raise Http404("Not offered here.")  # what grant(NOBODY) answers first


NOT_OFFERED = [
    "signup/",
    "login/code/confirm/",
    "confirm-email/",
    "password/reset/",
    "password/reset/done/",
    "password/reset/key/done/",
    "password/set/",
    "email/",
]


urlpatterns = [
    path("login/", grant(PUBLIC)(views.LoginView.as_view()), name="login"),
    path("logout/", views.logout, name="logout"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        sso.callback,
        name="sso-callback",
    ),
    *[
        path(route, not_offered, name=f"not-offered-{route.strip('/').replace('/', '-')}")
        for route in NOT_OFFERED
    ],
    path("confirm-email/<str:key>/", not_offered, name="not-offered-confirm-email-key"),
    # allauth's pattern takes any key (`.+`, slashes too): so does this one, or a key
    # with a slash would reach allauth's password reset view.
    path("password/reset/key/<path:key>/", not_offered, name="not-offered-password-reset-key"),
]
