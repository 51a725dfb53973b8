"""Small overrides for the test suite; everything else is config/settings.py."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The per-process cache, whatever CACHE_URL says: tests empty the cache around each
# test (tests/conftest.py), which on Redis would empty a whole database. The tests
# of the shared cache point at Redis themselves (tests/agencies/test_shared_cache.py).
CACHES = PROCESS_CACHES  # noqa: F405
# Plain storage: tests do not depend on a collectstatic run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders (node_modules, static/) without a
# collectstatic run, and do not scan STATIC_ROOT at start-up.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

import tempfile  # noqa: E402

# A background worker started by a test (tests/widgets/test_interop_jobs.py) is
# given the test process's folder, to read the files that process stashed.
MEDIA_ROOT = Path(  # noqa: F405
    env("TEST_MEDIA_ROOT", "") or tempfile.mkdtemp(prefix="widgets-test-media-")  # noqa: F405
)

# make mutate (tools/mutate.py) names the test database: each mutant's pytest run in
# a process forked after an earlier run would otherwise prefix "test_" once more.
if env("TEST_DATABASE_NAME", ""):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}  # noqa: F405

# A worker started by a test that reads what it e-mailed (tests/agencies/test_schedule.py)
# writes each message to a file in this folder.
if env("TEST_EMAIL_DIR", ""):  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_DIR")  # noqa: F405
