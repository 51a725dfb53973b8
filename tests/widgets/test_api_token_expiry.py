"""API tokens expire (API_TOKEN_DAYS after they are made, a year by default; the
date is shown when one is made) and record when they were last used."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from widgets.api import tokens as api_tokens
from widgets.models import ApiToken

pytestmark = pytest.mark.django_db


def _call(client, plaintext):
    return client.get("/api/v1/widgets", HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_token_made_on_the_page_expires_in_a_year_and_says_so(client, agency_a, manager_a):
    client.force_login(manager_a)
    response = client.post(reverse("widgets:api-tokens", args=[agency_a.slug]), {"name": "Sys"})
    token = ApiToken.objects.get()
    in_a_year = timezone.now() + dt.timedelta(days=365)
    assert abs(token.expires_at - in_a_year) < dt.timedelta(minutes=1)
    shown = timezone.localtime(token.expires_at)
    assert f"It expires on <strong>{shown.day} {shown:%B %Y}</strong>" in response.content.decode()


def test_the_number_of_days_is_a_setting(settings, agency_a, manager_a):
    settings.API_TOKEN_DAYS = 30
    token, _ = api_tokens.issue_token(agency=agency_a, name="Short", by=manager_a)
    assert (token.expires_at - timezone.now()).days in (29, 30)


def test_an_expired_token_is_refused_and_shown_as_expired(client, agency_a, manager_a):
    token, plaintext = api_tokens.issue_token(agency=agency_a, name="Old", by=manager_a)
    assert _call(client, plaintext).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert _call(client, plaintext).status_code == 401
    client.force_login(manager_a)
    page = client.get(reverse("widgets:api-tokens", args=[agency_a.slug])).content.decode()
    assert "✗ Expired" in page


def test_a_token_records_when_it_was_last_used(client, agency_a, manager_a):
    token, plaintext = api_tokens.issue_token(agency=agency_a, name="Sys", by=manager_a)
    assert token.last_used_at is None
    _call(client, plaintext)
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_token_made_in_the_admin_says_when_it_expires(client, admin_user, agency_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:widgets_apitoken_add"), {"agency": agency_a.pk, "name": "Sys"}, follow=True
    )
    shown = timezone.localtime(ApiToken.objects.get().expires_at)
    [message] = [str(m) for m in response.context["messages"] if "not be shown again" in str(m)]
    assert f"It expires on {shown.day} {shown:%B %Y}." in message
