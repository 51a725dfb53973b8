"""While the database is down: /healthz answers 503 whatever the cookies, people
get a friendly 503 page, the API a JSON 503, each with Retry-After (config/http.py).
Signed-in pages and the API are never stored by a browser or proxy. The sign-in
page offers no password reset (agencies/auth_urls.py: not offered)."""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import factories as f
from widgets.api import tokens as api_tokens
from widgets.models import WidgetStatus


@contextlib.contextmanager
def database_down():
    """The default database unreachable, for real: its connection closed and its
    address pointed at nowhere (a closed port; for SQLite, a missing directory)."""
    settings = connection.settings_dict
    saved = {key: settings.get(key) for key in ("NAME", "HOST", "PORT")}
    connection.close()
    if connection.vendor == "sqlite":
        settings["NAME"] = "/nonexistent/widgets/db.sqlite3"
    else:
        settings.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        settings.update(saved)


# SQLite's test database lives in the test process's memory: it cannot be taken down
# without losing it. Run on PostgreSQL, as CI runs them.
TAKEN_DOWN = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's in-memory test database"
)


def _client(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@TAKEN_DOWN
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_while_the_database_is_down_with_or_without_a_session(staff_a):
    signed_in, anonymous = _client(staff_a), _client()
    assert anonymous.get(reverse("healthz")).status_code == 200
    with database_down():
        for client in (anonymous, signed_in):
            response = client.get(reverse("healthz"))
            assert response.status_code == 503
            assert response["Retry-After"] == "60"
    assert signed_in.get(reverse("healthz")).status_code == 200


@TAKEN_DOWN
@pytest.mark.django_db(transaction=True)
def test_people_get_a_try_again_page_while_the_database_is_down(staff_a):
    client = _client(staff_a)
    with database_down():
        response = client.get(reverse("widgets:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "text/html" in response["Content-Type"]
    body = response.content.decode()
    assert "Try again in a minute" in body
    assert '<html lang="en">' in body and "<main" in body and "<h1>" in body


@TAKEN_DOWN
@pytest.mark.django_db(transaction=True)
def test_the_api_answers_json_503_while_the_database_is_down(agency_a, manager_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="System", by=manager_a)
    with database_down():
        response = _client().get(
            f"/api/v1/widgets/{widget.pk}/counts", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("application/json")
    assert "try again" in response.json()["detail"].lower()


@pytest.mark.django_db
def test_signed_in_pages_and_the_api_are_never_stored(client, agency_a, staff_a, manager_a):
    client.force_login(staff_a)
    for url in (reverse("home"), reverse("widgets:list"), reverse("outcomes:scorecard")):
        assert "no-store" in client.get(url)["Cache-Control"], url
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="System", by=manager_a)
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}):
        response = Client().get(f"/api/v1/widgets/1/counts/{dt.date(2026, 1, 1)}", **headers)
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_public_page_may_still_be_cached(client, agency_a):
    response = client.get(reverse("public:agency", args=[agency_a.slug]))
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_the_sign_in_page_offers_no_password_reset(client):
    body = client.get(reverse("login")).content.decode()
    assert "Forgot" not in body
    assert "/accounts/password/reset/" not in body
