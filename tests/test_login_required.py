"""Every URL but the few public ones sends an anonymous visitor to sign in.

The test walks the URL resolver, so a new URL is covered the day it is added;
a new public URL must be named in PUBLIC here, deliberately.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# URL names open without signing in (docs/domain.md, "Who may do what": login, the public page
# and the token API).
PUBLIC = {
    "login",
    "healthz",
    "public:agency",
    "admin:login",
    "logout",
    # Sign-in through django-allauth (agencies/auth_urls.py, docs/adr/0002): allauth's
    # names for our login and logout pages, and the pages of a sign-in in progress.
    "account_login",
    "account_logout",
    "account_inactive",
    "mfa_authenticate",  # the code step after the password; without one, back to sign-in
    "openid_connect_login",  # starts single sign-on with a provider
    "openid_connect_callback",  # the provider's answer (ours, sso-callback, takes its path)
    "sso-callback",
    "socialaccount_login_cancelled",
    "socialaccount_signup",  # completes a first single sign-on if the provider's answer lacks data
    # Not offered (sign-in by e-mailed links): our shadows answer 302 to sign-in / 404;
    # the walk cannot build a path for allauth's nested regex patterns.
    "account_confirm_email",
    "account_reset_password_from_key",
    # open data of the public page (publishing agencies only)
    "widgets:opendata-csv",
    "widgets:opendata-json",
    "public:data",
    "public:widgets-csv",
    "public:outcomes-csv",
    "public:data-json",
    "public:dictionary-csv",
    # hosted surveys: customers answer with no account (docs/surveys.md)
    "answer:survey",
    "answer:invitation",
    "answer:thanks",
    # token API: 401 without a token
    "api:api-root",
    "api:openapi-json",
    "api:widgets",
    "api:widget-counts",
    "api:widget-count",
    "api:counts",
}

SAMPLE = {
    "int": "1",
    "slug": "da",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern))


def _example_path(pattern):
    """A concrete path for a route or regex pattern, with sample values."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], pattern)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)  # regex groups (admin)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


URLS = sorted({(name or "", _example_path(p)) for name, p in _walk(get_resolver())})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), URLS, ids=[u[1] for u in URLS])
def test_anonymous_visitor_is_sent_to_sign_in(client, name, path):
    response = client.get(path)
    if name in PUBLIC:
        assert response.status_code != 500
        return
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert re.match(r"^/(accounts|admin)/login/\?next=", response["Location"]), response["Location"]


def test_the_walk_finds_the_apps_urls():
    names = {name for name, _ in URLS}
    assert {"home", "widgets:list", "widgets:detail", "outcomes:list", "admin:index"} <= names
