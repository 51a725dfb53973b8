"""Signing in and out, lockout after repeated failures, and the security headers.

The password form is django-allauth's: its username field is named "login".
"""

import pytest
from django.urls import reverse

from ..factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_manager_signs_in_and_sees_their_agency(client, manager_a):
    response = client.post(
        reverse("login"), {"login": "manager_a", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    body = response.content.decode()
    assert "Department of A" in body
    assert "Manager" in body


def test_wrong_password_is_explained_next_to_the_form(client, manager_a):
    response = client.post(reverse("login"), {"login": "manager_a", "password": "nope"})
    assert response.status_code == 200
    assert (
        "The username and/or password you specified are not correct." in response.content.decode()
    )


def test_repeated_failures_lock_the_account_out(client, manager_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"login": "manager_a", "password": "wrong"})
    response = client.post(reverse("login"), {"login": "manager_a", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only_and_ends_the_session(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_member_of_no_agency_waits_for_access(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert "Waiting for access" in response.content.decode()
    assert client.get(reverse("agencies:list")).context["agencies"].count() == 0


def test_pages_carry_a_strict_content_security_policy(client, staff_a):
    client.force_login(staff_a)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_healthz_answers_without_a_session(client, django_assert_num_queries):
    # One query: the database answers (SELECT 1); no session is read.
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
