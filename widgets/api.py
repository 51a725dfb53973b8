"""The token API for systems that already count (DESIGN.md, "Counting").

Mounted at /api/v1/ by config/urls.py; decisions in
docs/adr/0001-api-with-django-ninja.md. django-ninja reads the request and
writes the response and the OpenAPI schema from the schemas below; the rules a
count obeys are widgets.counting's, the same as the grid's and the upload's, so
the messages are the same too.

- Authentication: `Authorization: Bearer wgt_…` only (widgets.api_tokens). A
  session cookie does not authenticate, and CSRF does not apply.
- Scope: a token sees its own agency's widgets and nothing else; another
  agency's widget is a 404, as if it did not exist.
- Writes go through counting.save_counts (the one write of counts) with source
  "api" and the token: a field not sent, or sent as null, is left as it is;
  `entered_by` stays empty, since no person typed the numbers (the token, its
  name and who made it, says where they came from).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import ConfigDict, PlainSerializer, WithJsonSchema

from . import api_tokens, counting
from .models import CountSource, Widget, WidgetCount, WidgetKind, WidgetStatus
from .periods import Frequency

MAX_BATCH_ROWS = 10_000
MAX_PAGE = 1000
MAX_ID = 2**63 - 1  # the largest primary key the database holds

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
shape of the schema; 400 when it is not JSON."""


class TokenAuth(HttpBearer):
    """Bearer token of widgets.api_tokens. Sessions do not count here."""

    def __call__(self, request):
        # Token only: drop whoever the session cookie named, so that nothing
        # downstream (history, scope) mistakes it for the caller.
        request.user = AnonymousUser()
        return super().__call__(request)

    def authenticate(self, request, token):
        return api_tokens.authenticate(token)


class TokenAPI(NinjaAPI):
    """A NinjaAPI exempt from LoginRequiredMiddleware: its views answer 401
    without a token rather than sending the caller to the sign-in page."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            login_not_required(pattern.callback)
        return patterns, app_name, namespace


api = TokenAPI(
    title="Widgets API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema",
    # Swagger UI would come from a CDN, which the CSP forbids: no docs page.
    docs_url=None,
    auth=TokenAuth(),
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(
        request,
        {"detail": "Send a valid API token: Authorization: Bearer wgt_…"},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


# Decimals go out as strings ("15400.00"): exact, unlike a JSON number.
DecimalString = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal"}),
]

# Count values are taken as sent and checked by counting.parse_values, so that a
# negative number, a fraction, NaN or "abc" gets the grid's and upload's message.
# null (or no field) is no change; the word "clear" clears the stored value.
CLEAR = {"type": "string", "const": counting.CLEAR_WORD, "description": "Clears the value."}
CountValue = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, CLEAR, {"type": "null"}]}),
]
CostValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["15400.00"]},
                {"type": "number", "minimum": 0},
                CLEAR,
                {"type": "null"},
            ]
        }
    ),
]


class Message(Schema):
    detail: str


class WidgetOut(Schema):
    id: int
    name: str
    kind: WidgetKind
    status: WidgetStatus
    reporting_frequency: Frequency
    standard_days: int | None = Field(description="Service standard: delivered within days.")
    standard_share: DecimalString | None = Field(
        description="Service standard: share (%) of widgets to meet it."
    )
    program: str = Field(alias="program.name")


class PeriodRange(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="First period, included.")
    date_to: dt.date | None = Field(None, alias="to", description="Last period, included.")


class CountValues(Schema):
    """The counts of one period: a field left out or `null` keeps its stored value;
    `"clear"` makes it unknown."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="The version you read, or 0 for a period you saw no count for: the "
        "write is saved only if the period is still so (else 409). Left out: saved over "
        "whatever is stored.",
    )
    demand: CountValue = Field(None, description="Requests received.")
    delivered: CountValue = Field(None, description="Widgets completed.")
    within_standard: CountValue = Field(
        None, description="Delivered within the service standard (at most delivered)."
    )
    withdrawn: CountValue = Field(None, description="Requests closed without a widget.")
    backlog: CountValue = Field(None, description="Open at the end of the period.")
    rework: CountValue = Field(
        None, description="Delivered widgets sent back to be corrected (at most delivered)."
    )
    cost: CostValue = Field(None, description="What producing them cost, in dollars and cents.")


class CountRow(CountValues):
    widget_id: int = Field(ge=1, le=MAX_ID)
    period_start: dt.date = Field(
        description="First day of the period at the widget's reporting frequency."
    )


class CountOut(Schema):
    widget_id: int
    period_start: dt.date
    demand: int | None
    delivered: int | None
    within_standard: int | None
    withdrawn: int | None
    backlog: int | None
    rework: int | None
    cost: DecimalString | None
    source: CountSource
    updated_at: dt.datetime
    version: int


class CountSaved(CountOut):
    status: Literal["new", "changed", "unchanged"]
    # No row is kept for an unknown period never counted before.
    source: CountSource | None
    updated_at: dt.datetime | None
    version: int | None


class CountRejected(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages per field.")


class PeriodConflict(Schema):
    widget_id: int
    period_start: dt.date
    version: int | None = Field(description="The period's version now; null: no count.")


class Conflicts(Schema):
    detail: str
    conflicts: list[PeriodConflict]


class RowErrors(Schema):
    index: int = Field(description="Position of the row in the batch, from 0.")
    widget_id: int
    period_start: dt.date
    errors: dict[str, list[str]] = Field(description="Messages per field.")


class BatchRejected(Schema):
    detail: str
    errors: list[RowErrors]


class BatchSaved(Schema):
    total: int
    new: int
    changed: int
    unchanged: int


router = Router(tags=["counts"])


def _widget(request, widget_id):
    """The token's agency's widget, or 404."""
    return get_object_or_404(Widget.objects.filter(agency_id=request.auth.agency_id), pk=widget_id)


def _errors(widget, period_start, raw, today):
    """(values sent, errors per field) for one period of one widget, by counting's
    rules; the rules across fields are judged by save_counts on the period as stored."""
    values, errors = counting.parse_values(raw, blank_clears=False)
    sent = {n: v for n, v in values.items() if n not in errors}
    if "delivered" not in errors:
        errors = {**counting.check_sent_rules(sent), **errors}
    if widget is not None:
        period_errors = counting.check_period(widget, period_start, today)
        if period_errors:
            errors["period_start"] = period_errors
    return values, errors


def _conflicts(exc):
    """The 409 body for a CountConflict: every period not as the writer saw it."""
    return {
        "detail": "Nothing was saved: these periods are not as you read them (someone saved "
        "them meanwhile). Read them again, then send your counts with the new versions.",
        "conflicts": [
            {
                "widget_id": c.change.widget.pk,
                "period_start": c.change.period_start,
                "version": c.current.version if c.current else None,
            }
            for c in exc.conflicts
        ],
    }


def _change(widget, period_start, values, version):
    return counting.CountChange(
        widget=widget, period_start=period_start, values=values, expected_version=version
    )


@router.get(
    "/widgets",
    response={200: list[WidgetOut], 401: Message},
    url_name="widgets",
    summary="The agency's widgets",
)
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def list_widgets(request):
    return (
        Widget.objects.filter(agency_id=request.auth.agency_id)
        .select_related("program")
        .order_by("name", "pk")
    )


@router.get(
    "/widgets/{widget_id}/counts",
    response={200: list[CountOut], 401: Message, 404: Message},
    url_name="widget-counts",
    summary="A widget's counts, oldest period first",
)
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def list_counts(
    request,
    widget_id: int,
    periods: Query[PeriodRange],
):
    counts = WidgetCount.objects.filter(widget=_widget(request, widget_id))
    if periods.date_from:
        counts = counts.filter(period_start__gte=periods.date_from)
    if periods.date_to:
        counts = counts.filter(period_start__lte=periods.date_to)
    return counts.order_by("period_start")


@router.put(
    "/widgets/{widget_id}/counts/{period}",
    response={200: CountSaved, 401: Message, 404: Message, 409: Conflicts, 422: CountRejected},
    url_name="widget-count",
    summary="Save one period's counts (changes only the fields sent)",
)
def put_count(request, widget_id: int, period: dt.date, counts: CountValues):
    widget = _widget(request, widget_id)
    sent = counts.model_dump(exclude={"version"}, exclude_unset=True)
    values, errors = _errors(widget, period, sent, timezone.localdate())
    rejected = {"detail": "The counts break the rules; nothing was saved."}
    if errors:
        return Status(422, {**rejected, "errors": errors})
    change = _change(widget, period, values, counts.version)
    try:
        counting.save_counts([change], by=None, source=CountSource.API, api_token=request.auth)
    except counting.CountConflict as exc:
        return Status(409, _conflicts(exc))
    except counting.CountRejected as exc:
        return Status(422, {**rejected, "errors": exc.errors[0][1]})
    if change.count is None:  # unknown, and never counted before: nothing to keep
        return Status(
            200,
            {
                "widget_id": widget.pk,
                "period_start": period,
                **dict.fromkeys(counting.VALUE_FIELDS),
                "source": None,
                "updated_at": None,
                "version": None,
                "status": change.status,
            },
        )
    change.count.status = change.status
    return Status(200, change.count)


@router.post(
    "/counts",
    response={200: BatchSaved, 401: Message, 409: Conflicts, 413: Message, 422: BatchRejected},
    url_name="counts",
    summary=f"Save up to {MAX_BATCH_ROWS:,} periods' counts, all or none",
)
def post_counts(request, rows: list[CountRow]):
    if len(rows) > MAX_BATCH_ROWS:
        return Status(
            413,
            {
                "detail": f"A batch holds at most {MAX_BATCH_ROWS:,} rows; this one has "
                f"{len(rows):,}. Nothing was saved: send it in smaller batches."
            },
        )
    token = request.auth
    widgets = Widget.objects.filter(
        agency_id=token.agency_id, pk__in={row.widget_id for row in rows}
    ).only("pk", "name", "status", "reporting_frequency", "agency_id")
    by_id = {widget.pk: widget for widget in widgets}
    today = timezone.localdate()
    first_index = {}
    changes, bad = [], []
    for index, row in enumerate(rows):
        widget = by_id.get(row.widget_id)
        raw = row.model_dump(exclude={"widget_id", "period_start", "version"}, exclude_unset=True)
        values, errors = _errors(widget, row.period_start, raw, today)
        if widget is None:
            errors["widget_id"] = [
                f"{row.widget_id} is not a widget of {token.agency.abbreviation}."
            ]
        key = (row.widget_id, row.period_start)
        if key in first_index:
            errors.setdefault("period_start", []).append(
                f"Row {first_index[key]} has the same widget and period: "
                "each may appear once in a batch."
            )
        else:
            first_index[key] = index
        if errors:
            bad.append(
                {
                    "index": index,
                    "widget_id": row.widget_id,
                    "period_start": row.period_start,
                    "errors": errors,
                }
            )
        elif not bad:
            changes.append(_change(widget, row.period_start, values, row.version))
    if not bad:
        try:
            counting.save_counts(changes, by=None, source=CountSource.API, api_token=token)
        except counting.CountConflict as exc:
            return Status(409, _conflicts(exc))
        except counting.CountRejected as exc:
            index = {id(change): i for i, change in enumerate(changes)}
            bad = [
                {
                    "index": index[id(change)],
                    "widget_id": change.widget.pk,
                    "period_start": change.period_start,
                    "errors": errors,
                }
                for change, errors in exc.errors
            ]
    if bad:
        return Status(
            422,
            {
                "detail": f"{len(bad):,} of {len(rows):,} rows break the rules; nothing was saved.",
                "errors": bad,
            },
        )
    totals = {"new": 0, "changed": 0, "unchanged": 0}
    for change in changes:
        totals[change.status] += 1
    return Status(200, {"total": len(rows), **totals})


api.add_router("", router)
