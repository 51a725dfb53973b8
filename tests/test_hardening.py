"""Production posture: settings that refuse to start unsafe, secure cookies,
HSTS, a strict CSP, password rules, CSRF and session expiry."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from .factories import TEST_PASSWORD

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in %r}, default=str))
"""


def _production(names, **env):
    base = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "widgets.example.gov",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": os.environ["PATH"],
    }
    base.update(env)
    base = {k: v for k, v in base.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", PROBE % (names,)],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _production(["DEBUG"], DJANGO_SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _production(["DEBUG"], DJANGO_ALLOWED_HOSTS=None)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_settings_are_secure():
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_AGE",
        "SESSION_COOKIE_HTTPONLY",
        "X_FRAME_OPTIONS",
        "CONTENT_SECURITY_POLICY",
    ]
    result = _production(names)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_AGE"] == 1800  # 30 minutes of inactivity
    assert values["X_FRAME_OPTIONS"] == "DENY"
    directives = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "'unsafe-inline'" not in json.dumps(directives)
    assert directives["script-src"] == ["'self'"]


@pytest.mark.parametrize("password", ["password123", "12345678901234", "short", "widgets"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(staff_a, agency_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    widget_url = reverse("widgets:create-for", args=[agency_a.slug])
    assert client.post(widget_url, {"name": "x"}).status_code == 403
    assert client.post(reverse("logout")).status_code == 403


@pytest.mark.django_db
def test_sessions_expire(client, staff_a, settings):
    client.force_login(staff_a)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    # the session cookie also ends with the browser
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


@pytest.mark.django_db
def test_activity_extends_the_session_but_at_most_once_a_minute(client, staff_a):
    from agencies.middleware import _KEY

    client.force_login(staff_a)
    client.get(reverse("home"))
    seen = client.session[_KEY]
    client.get(reverse("home"))
    assert client.session[_KEY] == seen  # within a minute: no new write
    session = client.session
    session[_KEY] = seen - 120
    session.save()
    client.get(reverse("home"))
    assert client.session[_KEY] >= seen  # a request after a while refreshes the expiry
