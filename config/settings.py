"""Settings for Widgets, read from the environment (12-factor).

Every variable is listed with its default in `.env.example`. `DJANGO_ENV` picks
the posture: `development` (the default: SQLite, DEBUG on, console e-mail) or
`production` (DEBUG off, secure cookies, HSTS, and a refusal to start without a
real secret key and allowed hosts).
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .release import code_digest

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - never used in production

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # Background work: Django's tasks API and its database backend (docs/adr/0004).
    "django_tasks",
    "django_tasks_db",
    # Sign-in: local accounts with MFA, and OpenID Connect (docs/adr/0002).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "agencies",
    "customers",
    "widgets",
    "outcomes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.http.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "agencies.middleware.SessionActivityMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agencies.middleware.AdminMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "agencies.middleware.NothingSavedMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.memberships",
            ],
        },
    },
]
# One renderer for every form: USWDS classes, labels, hints and errors.
FORM_RENDERER = "config.forms.USWDSFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler spends 200+ ms planning the dashboard's aggregates and
    # saves nothing on queries this size (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rendered pages (the catalogue, dashboards), under keys that hold
# the data versions of the agencies they show (agencies.versions), so a page is
# exact whichever process serves it; and the rate-limit counters
# (agencies.ratelimits).
# - Embedded default: a memory cache in each process. Each process builds its own
#   pages, and counts its own share of a rate limit (N workers allow N times it).
# - CACHE_URL=redis://host:6379/0 (rediss:// with TLS): Django's Redis backend,
#   one cache for every worker and host: a page built once serves them all, and a
#   rate limit is one allowance however many processes answer. CACHE_KEY_PREFIX
#   keeps deployments that share a Redis apart. Down, it costs speed, not pages
#   (agencies.shared_cache).
# Sessions stay in the database: a per-process cache could not forget a session
# that another process ended.
CACHE_URL = env("CACHE_URL", "")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "widgets")
# Pages are kept per release of the code (config/release.py): after a deploy, a
# shared Redis serves no page, nor part of one, that the code before it rendered.
RELEASE = env("RELEASE", "") or code_digest(BASE_DIR)
PROCESS_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": RELEASE,
        "OPTIONS": {"MAX_ENTRIES": int(env("PAGE_CACHE_ENTRIES", "500"))},
    },
    # Apart from the pages, so that building pages never evicts a count.
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
if not CACHE_URL:
    CACHES = PROCESS_CACHES
elif urlsplit(CACHE_URL).scheme in {"redis", "rediss", "unix"}:
    _redis = {
        # Django's Redis backend, going on without Redis when it does not answer.
        "BACKEND": "agencies.shared_cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # Seconds: a Redis that does not answer slows a request by this, no more.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    # Rate limits count across releases: a deploy does not give anyone a new allowance.
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:{RELEASE}"},
        "ratelimit": _redis,
    }
else:
    raise ImproperlyConfigured("CACHE_URL must name a Redis server, e.g. redis://host:6379/0.")

# After a write, the readers who miss a page at once build it once between them: one
# builds under a lock kept in the cache, the others wait for its page
# (agencies.versions). The lock expires after PAGE_BUILD_LOCK_SECONDS (a builder
# that died holds no one up longer); a reader waits PAGE_BUILD_WAIT_SECONDS at most
# for a builder still at work, then builds the page itself. Whole seconds (Redis).
PAGE_BUILD_LOCK_SECONDS = int(env("PAGE_BUILD_LOCK_SECONDS", "5"))
PAGE_BUILD_WAIT_SECONDS = int(env("PAGE_BUILD_WAIT_SECONDS", "5"))

# Work that may outlast a request (a large upload) is queued in the database and
# run by `manage.py worker` (docs/operations.md, docs/adr/0004).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A confirmed upload of more rows than this (counts, survey results) is saved by the
# worker, with a progress page; a smaller one inside the request (agencies.jobs).
UPLOAD_BACKGROUND_ROWS = int(env("UPLOAD_BACKGROUND_ROWS", "2000"))
# The same for a service inventory import (both files).
INVENTORY_INLINE_ROWS = int(env("INVENTORY_INLINE_ROWS", "200"))
# What the worker runs on a schedule (agencies.schedule, docs/adr/0007): a name ->
# a django-tasks task and when, daily "at" HH:MM (TIME_ZONE) or "every" so many seconds.
WORKER_SCHEDULE = {
    # Uploads whose worker stopped in the middle are run again (agencies.jobs).
    "stalled-uploads": {"task": "agencies.jobs.recover_stalled_jobs", "every": 60},
    # Stashed files of previews nobody saved or cancelled (agencies.housekeeping).
    "stale-uploads": {"task": "agencies.housekeeping.clear_stale_uploads", "every": 3600},
    "old-task-results": {"task": "agencies.housekeeping.prune_task_results", "at": "03:30"},
}
REMINDERS_AT = env("REMINDERS_AT", "07:00")
if REMINDERS_AT:
    WORKER_SCHEDULE["count-reminders"] = {
        "task": "widgets.counting.reminders.send_reminders",
        "at": REMINDERS_AT,
    }
# The site's address, for links in e-mails (count reminders), e.g. https://widgets.example.gov
SITE_URL = env("SITE_URL", "").rstrip("/")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account + address out after repeated failures (a wrong
# MFA code counts as a failure too: agencies.signals).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))  # hours
# Keyed on the username and the client's address together, the address as the
# deployment trusts it (agencies/client_address.py): behind TRUSTED_PROXY_COUNT
# proxies it is the one they forwarded, never the proxy's own, so no one can lock
# another person out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "agencies.client_address.client_address"
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# Rate limits (agencies.ratelimits): password sign-in attempts per client address,
# API calls per token; "<count>/<s|m|h>".
RATELIMIT_USE_CACHE = "ratelimit"
# A cache that does not answer lets the request through (agencies.shared_cache).
RATELIMIT_FAIL_OPEN = True
SIGN_IN_RATE = env("SIGN_IN_RATE", "20/m")
API_RATE = env("API_RATE", "600/m")
# Answers to hosted surveys (widgets.surveys.answering): per client address (an office
# kiosk shares one address: raise it for such a deployment) and per survey.
SURVEY_ADDRESS_RATE = env("SURVEY_ADDRESS_RATE", "20/h")
SURVEY_RATE = env("SURVEY_RATE", "2000/h")
# The largest answer a survey page reads (bytes of the request body).
SURVEY_MAX_BODY_BYTES = int(env("SURVEY_MAX_BODY_BYTES", "16384"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Sign-in through django-allauth (docs/adr/0002-sign-in-with-django-allauth.md,
# docs/security.md "Single sign-on"). Who may use the password form:
# all (default in development), admins (superusers only: break-glass) or none.
LOCAL_LOGIN = env("LOCAL_LOGIN", "all")
if LOCAL_LOGIN not in {"all", "admins", "none"}:
    raise ImproperlyConfigured("LOCAL_LOGIN must be 'all', 'admins' or 'none'.")
# Admins who sign in with a password must have MFA; off in development so the
# demo logins of `make run` work.
MFA_REQUIRED_FOR_ADMINS = env_bool("MFA_REQUIRED_FOR_ADMINS", PRODUCTION)
# Who grants access, named on the "waiting for access" page (default: the admins).
ACCESS_CONTACT = env("ACCESS_CONTACT", "")

ACCOUNT_ADAPTER = "agencies.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "agencies.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # local accounts are made by admins
ACCOUNT_SESSION_REMEMBER = False  # sessions end on inactivity and at browser close
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# django-axes counts and locks out failed sign-ins; allauth's own per-account
# limit would answer first with a different page.
# django-axes locks out by account and address (as before allauth); allauth's own
# per-address limits would answer first, with other pages.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
ACCOUNT_FORMS = {"login": "agencies.forms.LocalLoginForm"}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# A first sign-in links to an existing user only by an address the provider
# marks verified (allauth's email authentication only considers verified ones).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the sign-in buttons POST
SOCIALACCOUNT_STORE_TOKENS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Widgets")
MFA_FORMS = {"authenticate": "agencies.forms.MFAAuthenticateForm"}


def _oidc_providers(raw):
    """allauth apps from OIDC_PROVIDERS, a JSON list of identity providers.

    Each: {"id", "name", "issuer", "client_id", "client_secret" (or the
    variable OIDC_SECRET_<ID>), "scopes", "auth_params", "token_auth_method"}.
    Discovery is read from the issuer's /.well-known/openid-configuration.
    """
    if not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except ValueError as e:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS is not valid JSON: {e}") from e
    apps = []
    for item in items:
        missing = {"id", "name", "issuer", "client_id"} - item.keys()
        if missing:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS entry lacks {sorted(missing)}")
        secret_var = "OIDC_SECRET_" + item["id"].upper().replace("-", "_")
        options = {
            "server_url": item["issuer"],
            "scope": item.get("scopes", ["openid", "email", "profile"]),
            "auth_params": item.get("auth_params", {}),
            "oauth_pkce_enabled": True,
        }
        if item.get("token_auth_method"):
            options["token_auth_method"] = item["token_auth_method"]
        apps.append(
            {
                "provider_id": item["id"],
                "name": item["name"],
                "client_id": item["client_id"],
                "secret": env(secret_var, item.get("client_secret", "")),
                "settings": options,
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's provider, made to verify every ID token's signature and
        # to send and check a nonce (agencies/sso.py).
        "provider_class": "agencies.sso.AgencyOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": _oidc_providers(env("OIDC_PROVIDERS", "")),
    }
}

# Signing in and out sends the browser on to the providers after a form POST,
# which the CSP's form-action must allow (see CONTENT_SECURITY_POLICY).
SSO_ORIGINS = sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"]))
        for app in SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    }
)

SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(30 * 60 if PRODUCTION else 8 * 3600)))
# Sessions end after SESSION_COOKIE_AGE of inactivity: SessionActivityMiddleware
# refreshes the expiry at most once a minute instead of saving on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The audit trail keeps each change's reason whole (a review's comment, a board's
# full name): a text column, not django-simple-history's 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LANGUAGE_CODE = "en-us"
# The staff pages are in English; a hosted survey's public pages are in English or
# Spanish (widgets.surveys.public_views), translated through locale/.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm registry (package.json); only their
# built files are served, under their own prefixes.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    *[
        (f"uswds/{part}", NODE_MODULES / "@uswds" / "uswds" / "dist" / part)
        for part in ("css", "js", "img", "fonts")
    ],
    # Vega-Lite charts (docs/adr/0005-charts-vega-lite.md): the same spec is drawn
    # here by vega-embed and on the server by vl-convert.
    *[(name, NODE_MODULES / name / "build") for name in ("vega", "vega-lite", "vega-embed")],
]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"  # never served publicly: uploads are kept only between preview and commit
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *SSO_ORIGINS],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "widgets@localhost")

# Domain settings (docs/domain.md, "Domain settings").
FISCAL_YEAR_START_MONTH = int(env("FISCAL_YEAR_START_MONTH", "7"))
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be 1-12.")
# Reporting lag: a period's counts are due this many days after it ends.
# COUNTS_DUE_DAYS for every frequency, except those named in
# COUNTS_DUE_DAYS_BY_FREQUENCY ("day=1,week=3": daily counts the next day,
# weekly ones by Wednesday). Frequencies: day, week, month, quarter, year.
COUNTS_DUE_DAYS = int(env("COUNTS_DUE_DAYS", "10"))


def _due_days_by_frequency(items):
    lags = {}
    for item in items:
        name, _, days = (part.strip() for part in item.partition("="))
        if name not in {"day", "week", "month", "quarter", "year"} or not days.isdigit():
            raise ImproperlyConfigured(
                "COUNTS_DUE_DAYS_BY_FREQUENCY is frequency=days pairs, e.g. day=1,week=3."
            )
        lags[name] = int(days)
    return lags


COUNTS_DUE_DAYS_BY_FREQUENCY = _due_days_by_frequency(
    env_list("COUNTS_DUE_DAYS_BY_FREQUENCY", "day=1,week=3")
)
# Late counts are reminded to their widget's owner from the day after they were due,
# and to the owner's manager (the program's, else the agency's managers) once they
# are this many days late (widgets.counting.reminder_order, `manage.py send_reminders`).
REMINDER_MANAGER_AFTER_DAYS = int(env("REMINDER_MANAGER_AFTER_DAYS", "7"))
# Fewer survey responses than this are labelled "low sample".
SURVEY_MIN_RESPONSES = int(env("SURVEY_MIN_RESPONSES", "30"))
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Most data rows an import page reads from one file (agencies.uploads); an import
# may set its own (UploadView.max_rows).
UPLOAD_MAX_ROWS = int(env("UPLOAD_MAX_ROWS", "5000"))
# Most cells (rows x columns, blank rows included) read from one file, counted as
# it is read (agencies.tabular): bounds the time any upload takes within a request.
UPLOAD_MAX_CELLS = int(env("UPLOAD_MAX_CELLS", "2000000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Days an API token is valid from when it is made (shown then; widgets.api.tokens).
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "365"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

DJANGO_TABLES2_TEMPLATE = "tables/uswds.html"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The review pack's PDF (outcomes.packs): WeasyPrint logs every layout step.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
