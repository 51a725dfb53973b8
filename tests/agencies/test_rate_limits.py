"""Rate limits (agencies.ratelimits, django-ratelimit): password sign-in attempts
per client address, API calls per token; past them, 429 with Retry-After."""

import pytest
from django.test import Client
from django.urls import reverse

from widgets.api import tokens as api_tokens

from ..factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_attempts_from_one_address_are_limited(settings, manager_a, staff_a):
    settings.SIGN_IN_RATE = "3/m"
    here, elsewhere = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    for username in ("a", "b", "c"):  # three usernames: no lockout, only the rate
        assert here.post(reverse("login"), {"login": username, "password": "x"}).status_code == 200
    refused = here.post(reverse("login"), {"login": "manager_a", "password": TEST_PASSWORD})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in here.session
    signed_in = elsewhere.post(reverse("login"), {"login": "staff_a", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302


def test_the_sign_in_limit_follows_the_trusted_address_behind_a_proxy(settings, manager_a):
    settings.SIGN_IN_RATE, settings.TRUSTED_PROXY_COUNT = "2/m", 1

    def attempt(address):
        client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=address)
        return client.post(reverse("login"), {"login": "nobody", "password": "x"}).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.2") == 200  # another person behind the same proxy


def test_api_calls_per_token_are_limited(settings, agency_a, manager_a):
    settings.API_RATE = "2/m"
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="Sys", by=manager_a)
    _other, other = api_tokens.issue_token(agency=agency_a, name="Other", by=manager_a)
    client = Client()

    def call(secret):
        return client.get("/api/v1/widgets", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert [call(plaintext).status_code for _ in range(2)] == [200, 200]
    refused = call(plaintext)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many calls" in refused.json()["detail"]
    assert call(other).status_code == 200
