"""Multi-factor sign-in for local accounts (django-allauth's mfa): TOTP, recovery
codes, the lockout, MFA required for admins, and LOCAL_LOGIN."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from agencies.models import SignInEvent

from ..factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


def totp_code(secret, offset=0):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def wrong_code(secret):
    right = {totp_code(secret, o) for o in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def password_step(client, username):
    return client.post(reverse("login"), {"login": username, "password": TEST_PASSWORD})


def confirm_password(client):
    """allauth asks for the password again before MFA is turned on."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert "Confirm it is you" in client.get(response["Location"]).content.decode()
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})


def test_enrolment_turns_on_totp_with_recovery_codes_and_is_audited(
    client, staff_a, django_capture_on_commit_callbacks
):
    password_step(client, "staff_a")
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Set up multi-factor sign-in" in body and "data:image/svg+xml" in body
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=staff_a).values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}
    assert SignInEvent.objects.filter(user=staff_a, kind="mfa_enrolled", method="totp").exists()
    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "Recovery codes" in codes_page


def test_sign_in_needs_the_code_after_the_password(client, staff_a):
    secret = with_totp(staff_a)
    response = password_step(client, "staff_a")
    assert response["Location"] == MFA_AUTHENTICATE
    assert "_auth_user_id" not in client.session
    assert "Enter your code" in client.get(MFA_AUTHENTICATE).content.decode()
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff_a.pk
    assert SignInEvent.objects.filter(user=staff_a, kind="signed_in", method="mfa").exists()


def test_wrong_codes_are_refused_and_count_toward_the_lockout(client, staff_a, settings):
    secret = with_totp(staff_a)
    password_step(client, "staff_a")
    response = client.post(MFA_AUTHENTICATE, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="staff_a").failures_since_start == 1
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(MFA_AUTHENTICATE, {"code": wrong_code(secret)})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Locked out: the right code does not help, and neither does the password.
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert password_step(Client(), "staff_a").status_code == 429
    assert SignInEvent.objects.filter(user=staff_a, kind="mfa_failed").count() >= 4


def test_a_recovery_code_works_once_and_only_once(client, staff_a):
    with_totp(staff_a)
    code = RecoveryCodes.activate(staff_a).get_unused_codes()[0]
    password_step(client, "staff_a")
    client.post(MFA_AUTHENTICATE, {"code": code})
    assert int(client.session["_auth_user_id"]) == staff_a.pk
    assert SignInEvent.objects.filter(user=staff_a, kind="recovery_code_used").count() == 1
    client.post(reverse("logout"))
    password_step(client, "staff_a")
    response = client.post(MFA_AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_without_mfa_is_sent_to_enrolment_when_required(client, admin_user, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    password_step(client, admin_user.username)
    for url in (reverse("home"), reverse("admin:index"), reverse("widgets:list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    confirm_password(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_admin_with_mfa_or_when_not_required_goes_on(client, admin_user, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    password_step(client, admin_user.username)
    assert client.get(reverse("home")).status_code == 200
    settings.MFA_REQUIRED_FOR_ADMINS = True
    with_totp(admin_user)
    assert client.get(reverse("home")).status_code == 200


def test_staff_are_not_required_to_enrol(client, staff_a, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    password_step(client, "staff_a")
    assert client.get(reverse("home")).status_code == 200


def test_local_login_admins_only_refuses_staff_passwords(client, staff_a, admin_user, settings):
    settings.LOCAL_LOGIN = "admins"
    response = password_step(client, "staff_a")
    assert response.status_code == 200
    assert "kept for administrators only" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert password_step(client, admin_user.username).status_code == 302


def test_local_login_none_hides_and_refuses_the_password_form(client, admin_user, settings):
    settings.LOCAL_LOGIN = "none"
    body = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in body
    response = password_step(client, admin_user.username)
    assert "Password sign-in is turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_django_admin_login_sends_to_the_apps_sign_in(client):
    response = client.get("/admin/login/?next=/admin/agencies/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/agencies/"


def test_failed_password_is_audited(client, staff_a):
    client.post(reverse("login"), {"login": "staff_a", "password": "wrong"})
    event = SignInEvent.objects.get(kind="failed")
    assert (event.username, event.method, event.ip_address) == ("staff_a", "password", "127.0.0.1")


def test_sign_in_events_are_read_only_in_the_admin(client, admin_user, staff_a):
    client.force_login(staff_a)
    client.force_login(admin_user)
    assert client.get(reverse("admin:agencies_signinevent_changelist")).status_code == 200
    event = SignInEvent.objects.first()
    assert client.get(reverse("admin:agencies_signinevent_add")).status_code == 403
    response = client.post(
        reverse("admin:agencies_signinevent_change", args=[event.pk]), {"username": "x"}
    )
    assert response.status_code == 403
