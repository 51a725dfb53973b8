"""allauth features Widgets does not offer are shadowed (agencies/auth_urls.py): a
signed-in user gets a 404, anyone else is sent to sign in; allauth's view is never
reached, whatever the path's key looks like."""

import pytest
from django.urls import resolve

from agencies.auth_urls import not_offered

# allauth's reset key pattern is `(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/`: a key may
# hold slashes.
PATHS = [
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/key/1-abc/",
    "/accounts/password/reset/key/1-a/b/",
    "/accounts/password/reset/key/1-set-password/",
    "/accounts/password/set/",
    "/accounts/confirm-email/abc/",
    "/accounts/login/code/confirm/",
    "/accounts/email/",
]


@pytest.mark.parametrize("path", PATHS)
def test_the_shadow_answers_every_path_of_allauths_pattern(path):
    assert resolve(path).func is not_offered


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_reset_key_with_a_slash_is_not_offered(client, staff_a, method):
    path = "/accounts/password/reset/key/1-a/b/"
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    client.force_login(staff_a)
    assert getattr(client, method)(path).status_code == 404
