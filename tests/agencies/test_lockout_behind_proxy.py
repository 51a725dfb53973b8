"""The lockout keys on the username and the client's address as the deployment
trusts it (TRUSTED_PROXY_COUNT, agencies/client_address.py): behind a proxy,
wrong passwords from one person do not lock the account for everyone else;
without one, a forged X-Forwarded-For buys no fresh guesses."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import SignInEvent

from ..factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"  # the load balancer: every request arrives from it
ATTACKER, OWNER = "198.51.100.66", "203.0.113.10"


def _sign_in(remote, password, forwarded=None, username="manager_a"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client(**meta)
    response = client.post(reverse("login"), {"login": username, "password": password})
    return response, client


def _fail_until_locked(settings, remote, forwarded=lambda n: None):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(remote, "wrong", forwarded(n))


def test_behind_a_proxy_one_persons_failures_do_not_lock_out_another(settings, manager_a):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail_until_locked(settings, PROXY, lambda n: ATTACKER)
    locked, _ = _sign_in(PROXY, TEST_PASSWORD, ATTACKER)
    assert locked.status_code == 429
    response, client = _sign_in(PROXY, TEST_PASSWORD, OWNER)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    addresses = set(SignInEvent.objects.values_list("ip_address", flat=True))
    assert addresses == {ATTACKER, OWNER}  # the audit names people, not the proxy


def test_behind_a_proxy_a_forged_forwarded_address_buys_no_fresh_guesses(settings, manager_a):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sends its own header; the proxy appends the address it saw.
    _fail_until_locked(settings, PROXY, lambda n: f"192.0.2.{n}, {ATTACKER}")
    response, _ = _sign_in(PROXY, TEST_PASSWORD, f"192.0.2.99, {ATTACKER}")
    assert response.status_code == 429
    assert _sign_in(PROXY, TEST_PASSWORD, OWNER)[0].status_code == 302


def test_without_a_proxy_a_forwarded_header_is_ignored(settings, manager_a, staff_a):
    settings.TRUSTED_PROXY_COUNT = 0
    _fail_until_locked(settings, ATTACKER, lambda n: f"192.0.2.{n}")
    response, _ = _sign_in(ATTACKER, TEST_PASSWORD, "192.0.2.99")
    assert response.status_code == 429
    # The lockout is of this username from this address: the owner elsewhere signs in.
    assert _sign_in(OWNER, TEST_PASSWORD)[0].status_code == 302
    # And this address may still sign in as someone else.
    assert _sign_in(ATTACKER, TEST_PASSWORD, username="staff_a")[0].status_code == 302


def test_two_proxies_forward_the_client_and_the_first_proxy(settings, manager_a):
    settings.TRUSTED_PROXY_COUNT = 2
    _fail_until_locked(settings, PROXY, lambda n: f"{ATTACKER}, 10.0.0.9")
    assert _sign_in(PROXY, TEST_PASSWORD, f"{ATTACKER}, 10.0.0.9")[0].status_code == 429
    assert _sign_in(PROXY, TEST_PASSWORD, f"{OWNER}, 10.0.0.9")[0].status_code == 302
