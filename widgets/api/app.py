"""The token API for systems that already count (docs/domain.md, "Three ways in").

Mounted at /api/v1/ by config/urls.py; decisions in
docs/adr/0001-api-with-django-ninja.md. django-ninja reads the request and
writes the response and the OpenAPI schema from the schemas below; the rules a
count obeys are widgets.counting's, the same as the grid's and the upload's, so
the messages are the same too.

- Authentication: `Authorization: Bearer wgt_…` only (widgets.api.tokens). A
  session cookie does not authenticate, and CSRF does not apply.
- Scope: a token sees its own agency's widgets and nothing else; another
  agency's widget is a 404, as if it did not exist.
- Writes go through counting.save_counts (the one write of counts) with source
  "api" and the token: a field not sent, or sent as null, is left as it is;
  `entered_by` stays empty, since no person typed the numbers (the token, its
  name and who made it, says where they came from).
"""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from agencies.ratelimits import RETRY_AFTER_SECONDS, api_limited

from . import tokens as api_tokens
from .counts import router
from .errors import StrictJSONParser, document_errors, http_error
from .schemas import MAX_BATCH_ROWS

DESCRIPTION = f"""Counts from systems that already count, under the same rules as the entry grid
and the upload.

**Authentication.** Every call but this schema sends
`Authorization: Bearer wgt_…`, a token a manager of the agency makes in the app
(or an administrator in the admin). A token sees only its own agency: another
agency's widget answers 404. No token, a wrong or a revoked token: 401.

**Numbers.** Counts are whole numbers, never negative; `within_standard` and
`rework` never exceed `delivered` (judged on the period as it will be, with the
fields you do not send as they are stored). `cost` is dollars and cents: it is
sent back as a decimal string (`"15400.00"`), so that no cent is lost to
floating point, and is accepted as a string or a number. `null` in a response
means unknown, never 0.

**Not applicable.** A widget may declare that some counts do not apply to it
(its `not_applicable` list: no cost tracked, no service standard, ...). Those
fields read as `"not applicable"`, apart from unknown (`null`) and 0. A number
sent for one is refused (422, naming the field); `"n/a"` is taken for one and
saves nothing, and refused for a field that applies.

**A write changes only what it sends.** A field left out of the body, or sent
as `null`, keeps its stored value. To clear a stored value (make it unknown
again), send the word `"clear"`. Unknown fields are refused. Sending the same
body again changes nothing (`"status": "unchanged"`, no new history).

**Versions.** Every saved period has a `version`, one more at each change.
Send `"version"` with the version you read (GET), or `0` for a period you saw
no count for, and the write is saved only if the period is still as you saw
it; otherwise the answer is 409 with `conflicts` naming each period and its
version now, and nothing is saved. Without `version` the write applies to
whatever is stored. Two writes of a period that has no count yet, at the same
moment: one is saved, the other answers 409.

**Batches** hold at most {MAX_BATCH_ROWS:,} rows and are saved all or nothing:
when any row breaks a rule, the answer is 422 listing every bad row (its index
in the batch, `widget_id`, `period_start` and the messages per field) and
nothing is saved. A widget and period may appear once per batch.

**Errors.** 409 with `conflicts` when a period is not as the writer saw it
(above); 422 with `errors` when a count breaks a rule; 422 with `detail` as a
list (each with `loc`, the path to the field) when the body does not have the
shape of the schema (or a parameter, such as an `offset` past 2^63 - 1, is out of
range); 400 when the body is not JSON or sends a key twice; 413 when it is larger
than the API reads; 503 with `Retry-After` while the database is unavailable.
Every error is JSON with a `detail`."""


class TokenAuth(HttpBearer):
    """Bearer token of widgets.api.tokens. Sessions do not count here."""

    def __call__(self, request):
        # Token only: drop whoever the session cookie named, so that nothing
        # downstream (history, scope) mistakes it for the caller.
        request.user = AnonymousUser()
        return super().__call__(request)

    def authenticate(self, request, token):
        found = api_tokens.authenticate(token)
        if found is not None and api_limited(request, found):
            raise TooManyRequests()
        return found


class TooManyRequests(Exception):
    """A token over API_RATE (agencies.ratelimits)."""


class TokenAPI(NinjaAPI):
    """A NinjaAPI exempt from LoginRequiredMiddleware: its views answer 401
    without a token rather than sending the caller to the sign-in page."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            login_not_required(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


api = TokenAPI(
    title="Widgets API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema",
    # Swagger UI would come from a CDN, which the CSP forbids: no docs page.
    docs_url=None,
    auth=TokenAuth(),
    parser=StrictJSONParser(),
)
api.add_exception_handler(HttpError, http_error(api))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(
        request,
        {"detail": "Send a valid API token: Authorization: Bearer wgt_…"},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(TooManyRequests)
def too_many_requests(request, exc):
    response = api.create_response(
        request,
        {"detail": f"Too many calls with this token; wait {RETRY_AFTER_SECONDS} s and try again."},
        status=429,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


api.add_router("", router)
