"""The API's routes: widgets, their counts, and writing counts through
widgets.counting.save_counts (the one write of counts)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from .. import counting
from ..models import CountSource, Widget, WidgetCount
from .errors import Paging
from .schemas import (
    MAX_BATCH_ROWS,
    MAX_PAGE,
    BatchRejected,
    BatchSaved,
    Conflicts,
    CountOut,
    CountRejected,
    CountRow,
    CountSaved,
    CountValues,
    Message,
    PeriodRange,
    WidgetOut,
)

router = Router(tags=["counts"])


def _widget(request, widget_id):
    """The token's agency's widget, or 404."""
    return get_object_or_404(Widget.objects.filter(agency_id=request.auth.agency_id), pk=widget_id)


def _errors(widget, period_start, raw, today):
    """(values sent, errors per field) for one period of one widget, by counting's
    rules; the rules across fields are judged by save_counts on the period as stored."""
    values, errors = counting.parse_values(raw, blank_clears=False)
    if widget is not None:
        values, refused = counting.check_not_applicable(widget, values)
        errors = {**refused, **errors}
    errors = counting.with_sent_rules(values, errors)
    if "\x00" in (raw.get("balance_note") or ""):
        errors["balance_note"] = ["Remove the NUL character from the note."]
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


def _note(note):
    """A sent balance_note for CountChange: blank or null says nothing, "clear" clears."""
    if note is None or not note.strip():
        return ""
    return None if counting.is_clear(note) else note.strip()


def _change(widget, period_start, values, version, note=None):
    return counting.CountChange(
        widget=widget,
        period_start=period_start,
        values=values,
        expected_version=version,
        balance_note=_note(note),
    )


def _warnings(changes):
    """The balance of the periods as the changes will leave them (counting.balance),
    for the answer: worked out before the save, from what is stored and sent."""
    return [
        {
            "widget_id": finding.widget.pk,
            "period_start": finding.period_start,
            "message": finding.message,
            "expected_backlog": finding.balance.expected,
            "backlog": finding.balance.backlog,
            "balance_note": finding.note,
            "explained": finding.explained,
            "later": finding.later,
        }
        for finding in counting.balance_findings(changes)
    ]


@router.get(
    "/widgets",
    operation_id="widgets_api_list_widgets",  # as before the package split: stable for clients
    response={200: list[WidgetOut], 401: Message},
    url_name="widgets",
    summary="The agency's widgets",
)
@paginate(Paging, max_limit=MAX_PAGE)
def list_widgets(request):
    return (
        Widget.objects.filter(agency_id=request.auth.agency_id)
        .select_related("program")
        .order_by("name", "pk")
    )


@router.get(
    "/widgets/{widget_id}/counts",
    operation_id="widgets_api_list_counts",  # as before the package split: stable for clients
    response={200: list[CountOut], 401: Message, 404: Message},
    url_name="widget-counts",
    summary="A widget's counts, oldest period first",
)
@paginate(Paging, max_limit=MAX_PAGE)
def list_counts(
    request,
    widget_id: int,
    periods: Query[PeriodRange],
):
    # With its widget, which says the fields that do not apply (schemas._stored).
    counts = WidgetCount.objects.filter(widget=_widget(request, widget_id)).select_related("widget")
    if periods.date_from:
        counts = counts.filter(period_start__gte=periods.date_from)
    if periods.date_to:
        counts = counts.filter(period_start__lte=periods.date_to)
    return counts.order_by("period_start")


@router.put(
    "/widgets/{widget_id}/counts/{period}",
    operation_id="widgets_api_put_count",  # as before the package split: stable for clients
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
    change = _change(widget, period, values, counts.version, counts.balance_note)
    warnings = _warnings([change])
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
                "warnings": warnings,
            },
        )
    change.count.status = change.status
    change.count.warnings = warnings
    return Status(200, change.count)


@router.post(
    "/counts",
    operation_id="widgets_api_post_counts",  # as before the package split: stable for clients
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
    ).only("pk", "name", "status", "reporting_frequency", "agency_id", "not_applicable")
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
            changes.append(_change(widget, row.period_start, values, row.version, row.balance_note))
    if not bad:
        warnings = _warnings(changes)
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
    return Status(200, {"total": len(rows), **totals, "warnings": warnings})
