"""How the site answers what no view answered, and what a browser may keep.

- The database is unavailable (a connection refused or lost, wherever in the
  request it shows: loading the session, the view, a middleware): 503 with
  `Retry-After`, not 500. People get a page that asks them to try again in a
  minute and that needs no database to render; the API gets JSON; `/healthz` a
  line of text. Django hands every uncaught exception to `handler500`
  (config/urls.py), so this is said once, here.
- The API answers JSON for every error: 400 (a request Django refuses before the
  API sees it), 413 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE) and 500, as well as
  its own 401/404/409/422.
- `NoStoreMiddleware`: signed-in pages and every API answer carry
  `Cache-Control: no-store`, so that no browser or proxy keeps another person's
  data. Public pages (the sign-in page, the public results) are left as they are.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 60
UNAVAILABLE = "The database is unavailable for a moment. Nothing was saved. Try again in a minute."


def is_api(request):
    return request.path.startswith(API_PREFIX)


def database_unavailable(exc):
    """A database that cannot be reached, as opposed to a query that is wrong."""
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable(request):
    """503 with Retry-After, rendered without the database."""
    if is_api(request):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    elif request.path == "/healthz":
        response = HttpResponse("database unavailable", content_type="text/plain", status=503)
    else:
        # No request context: context processors and the header read the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        return unavailable(request)
    if is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side."}, status=500)
    return defaults.server_error(request, template_name)


def bad_request(request, exception, template_name="400.html"):
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The request body is larger than {limit:,} bytes."
        if is_api(request):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, content_type="text/plain", status=413)
    if is_api(request):
        return JsonResponse({"detail": "The request could not be read."}, status=400)
    return defaults.bad_request(request, exception, template_name)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer and every page asked with a
    session (signed in, or about to be): judged by the cookie, not by loading the
    session, so that it holds while the database is down too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            add_never_cache_headers(response)
        return response
