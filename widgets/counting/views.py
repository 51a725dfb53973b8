"""Pages for counting: the entry grid, a widget's count history, editing one
period, and what is overdue."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies import versions
from agencies.errors import VERSION_MISSING
from agencies.models import Agency
from agencies.paging import paged
from agencies.permissions import READ, STAFF, grant
from agencies.scoping import can_change
from agencies.tabular import EXPORT_FORMATS, export_response

from .. import counting, flow, measures
from ..models import Widget, WidgetCount
from ..periods import (
    Frequency,
    describe_period,
    next_period_start,
    period_start,
    previous_period_start,
)
from .grid import CountGrid


def _parse_date(text):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _frequencies(agency):
    """Frequencies the agency's counted widgets report at, most used first."""
    rows = (
        Widget.objects.filter(agency=agency, status__in=counting.COUNTED_STATUSES)
        .values("reporting_frequency")
        .annotate(n=Count("pk"))
        .order_by("-n", "reporting_frequency")
    )
    return [r["reporting_frequency"] for r in rows] or [Frequency.MONTH]


@grant(STAFF, agency=Agency, by="slug", to="enter its counts")
def count_entry(request, agency):
    frequencies = _frequencies(agency)
    frequency = request.GET.get("frequency")
    if frequency not in Frequency.values:
        frequency = frequencies[0]
    today = timezone.localdate()
    last_complete = previous_period_start(period_start(today, frequency), frequency)
    # By default the newest period whose counts are due or already entered (the
    # period the dashboards show); the next link goes on to the last complete one.
    shown = flow.newest_period(frequency, WidgetCount.objects.filter(widget__agency=agency), today)
    requested = _parse_date(request.GET.get("period"))
    start = period_start(requested, frequency) if requested else shown
    if start > period_start(today, frequency):
        start = shown
    grid_of = {
        "agency": agency,
        "frequency": frequency,
        "period_start": start,
        "user": request.user,
    }
    context = {
        "agency": agency,
        "frequency": frequency,
        # "daily", "yearly (fiscal year)": said of a widget ("every daily widget").
        "frequency_words": Frequency(frequency).label.lower(),
        "frequencies": [(f, Frequency(f).label) for f in frequencies],
        "previous_period": previous_period_start(start, frequency),
        "next_period": None if start >= last_complete else next_period_start(start, frequency),
    }
    if request.method != "POST":
        # What a GET shows is the same for every member who may enter the agency's
        # counts, and changes only with its data (each row's version included): built
        # once per data version, period and day (agencies.versions), like the
        # dashboard. The form's CSRF token is each reader's own, outside it.
        parts = versions.cached(
            "count-grid",
            (agency.pk, frequency, start, today),
            lambda: _grid_parts(CountGrid(**grid_of, data=None), context),
            agency_ids=[agency.pk],
        )
        return render(request, "widgets/counting/count_entry.html", {**context, "parts": parts})
    grid = CountGrid(**grid_of, data=request.POST)
    if grid.is_valid():
        try:
            changes = grid.save()
        except counting.CountConflict as exc:
            n = len(exc.conflicts)
            messages.error(
                request,
                f"Someone else saved {n or 'some'} of these rows after you opened the page. "
                "Nothing was saved: their numbers are shown on those rows; save again to "
                "replace them with yours.",
            )
        except counting.CountRejected as exc:
            messages.error(request, exc.message)
        else:
            saved = sum(1 for c in changes if c.status in {"new", "changed"})
            messages.success(
                request, f"Saved {saved} row{'s' if saved != 1 else ''} for {grid.label}."
            )
            return redirect(f"{request.path}?frequency={frequency}&period={start:%Y-%m-%d}")
    parts = _grid_parts(grid, context)
    return render(request, "widgets/counting/count_entry.html", {**context, "parts": parts})


def _grid_parts(grid, context):
    """The grid's page apart from its form's CSRF token: its heading (with the error
    summary), its table, and its label and whether it has rows for the page around."""
    context = {**context, "grid": grid}
    return {
        "label": grid.label,
        "rows": bool(grid.rows),
        "head": render_to_string("widgets/counting/includes/count_grid_head.html", context),
        "table": render_to_string("widgets/counting/includes/count_grid_table.html", context),
    }


# Periods a page of a widget's count history shows: 100 days, two years of weeks,
# eight of months.
HISTORY_PER_PAGE = 100


@grant(READ, widget=Widget.objects.select_related("agency"))
def count_history(request, widget):
    """Every period of one widget with its derived figures, newest first, a page of
    HISTORY_PER_PAGE at a time (5 years of daily counts were 1,826 rows, 1 MB and
    0.4 s in one page); the download has every period."""
    counts = flow.with_previous(WidgetCount.objects.filter(widget=widget)).order_by("-period_start")
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _history_export(widget, _history_rows(widget, counts), fmt)
    # The period before each count is found over all of them (a window function is
    # worked out before the page's LIMIT), so a page's first row knows its previous.
    shown = paged(request, counts, HISTORY_PER_PAGE)
    can_count = can_change(request.user, widget.agency_id)
    return render(
        request,
        "widgets/counting/count_history.html",
        {
            "widget": widget,
            "rows": _history_rows(widget, shown["page"].object_list),
            **shown,
            "fields": measures.typed_fields(),
            "measures": measures.MEASURES,
            "can_count": can_count,
            # period, the fields, the measures, balance, source and the edit link
            "columns": 3 + len(measures.typed_fields()) + len(measures.MEASURES) + can_count,
        },
    )


def _history_rows(widget, counts):
    """A row of the history for each of `counts` (with_previous): its values, its
    measures and its balance with the period just before."""
    rows = []
    for count in counts:
        count.widget = widget
        previous = (
            count.previous_backlog
            if count.previous_period
            == previous_period_start(count.period_start, widget.reporting_frequency)
            else None
        )
        values = {n: getattr(count, n) for n in counting.VALUE_FIELDS}
        balance = counting.balance_of(counting.balance_values(values, widget), previous)
        rows.append(
            {
                "count": count,
                "values": measures.with_not_applicable(values, widget.not_applicable_fields),
                "label": describe_period(count.period_start, widget.reporting_frequency),
                "measures": flow.period_measures(count, previous),
                "balance": None if balance is None or balance.balances else balance,
            }
        )
    return rows


def _history_export(widget, rows, fmt):
    """The history page's table as a file: every count field and measure, unrounded."""
    fields, derived = measures.typed_fields(), measures.MEASURES
    headers = [
        "period_start",
        "period",
        *(f.name for f in fields),
        *(m.name for m in derived),
        "balance_gap",
        "balance_note",
        "source",
    ]
    table = [
        [
            r["count"].period_start,
            r["label"],
            *(measures.exported(r["values"][f.name]) for f in fields),
            *(measures.exported(r["measures"][m.name]) for m in derived),
            # How much higher the backlog is than expected (below zero: lower); blank
            # when it balances or a part is unknown.
            r["balance"].difference if r["balance"] else None,
            r["count"].balance_note,
            r["count"].source,
        ]
        for r in rows
    ]
    return export_response(
        headers=headers, rows=table, filename=f"widget-{widget.pk}-counts", fmt=fmt
    )


class CountForm(forms.Form):
    """One period's counts (a field per typed count field of widgets.measures); the
    rules are widgets.counting's."""

    balance_note = forms.CharField(
        required=False,
        max_length=1000,
        label="Why the backlog does not balance (if it does not)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Shown (as a checkbox) only when the save moves the balance of the period after.
    confirm_later = forms.BooleanField(
        required=False, label="The numbers are right", widget=forms.HiddenInput
    )
    # Required: an edit without it is refused with a message, never saved unchecked.
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": VERSION_MISSING}
    )

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
        values = {
            spec.name: forms.CharField(
                required=False,
                label=f"{spec.label} ($)" if spec.is_money else spec.label,
                help_text=spec.help,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal" if spec.is_money else "numeric",
                        "autocomplete": "off",
                    }
                ),
            )
            for spec in measures.typed_fields()
            if count.widget.applies(spec.name)
        }
        # The values first, in the registry's order; then the note and the version.
        self.fields = {**values, **self.fields}

    def clean(self):
        data = super().clean()
        # Only the fields the form sent: one missing from the POST is left as it is.
        sent = {
            n: data.get(n) if n in self.fields else self.data.get(n)
            for n in counting.VALUE_FIELDS
            if n in self.data
        }
        values, errors = counting.parse_values(sent, blank_clears=True)
        values, not_applicable = counting.check_not_applicable(self.count.widget, values)
        for messages_ in not_applicable.values():  # no field of its own: n/a is not typed
            for message in messages_:
                self.add_error(None, message)
        after = counting.merged(self.count, values)
        rules = {n: m for n, m in counting.check_rules(after).items() if n not in errors}
        for name, messages_ in {**errors, **rules}.items():
            for message in messages_:
                self.add_error(name, message)
        self.values = values
        if errors or rules:
            return data
        # The balance as it will be (counting.balance), with the note as typed: an
        # emptied note clears the stored one.
        note = data.get("balance_note", "").strip()
        change = counting.CountChange(
            widget=self.count.widget,
            period_start=self.count.period_start,
            values=values,
            balance_note=note or None,
        )
        for finding in counting.balance_findings([change]):
            if finding.later:
                self.fields["confirm_later"].widget = forms.CheckboxInput()
            if finding.later and not data.get("confirm_later"):
                self.add_error(
                    "confirm_later", f"{finding.message} Confirm it, or correct the numbers."
                )
            elif not finding.later and not note:
                self.add_error(
                    "balance_note", f"{finding.message} Say why, or correct the numbers."
                )
        return data


@grant(STAFF, count=WidgetCount.objects.select_related("widget__agency"), to="change its counts")
def count_edit(request, count):
    """Edit one period's counts, refusing a save made from an older version."""
    widget = count.widget
    label = describe_period(count.period_start, widget.reporting_frequency)
    conflict = None
    if request.method == "POST":
        form = CountForm(request.POST, count=count)
        if form.is_valid():
            change = counting.CountChange(
                widget=widget,
                period_start=count.period_start,
                values=form.values,
                expected_version=form.cleaned_data["version"],
                balance_note=form.cleaned_data["balance_note"].strip() or None,
            )
            try:
                counting.save_counts([change], by=request.user, source="form")
            except counting.CountRejected as exc:
                form.add_error(None, exc.message)
            except counting.CountConflict as exc:
                conflict = exc.current or WidgetCount.objects.filter(pk=count.pk).first()
                if conflict is None:
                    messages.error(
                        request, "These counts were deleted meanwhile. Nothing was saved."
                    )
                    return redirect("widgets:count-history", pk=widget.pk)
                form.add_error(
                    None,
                    "Someone else saved these counts after you opened them. Nothing you typed "
                    "was saved: compare with their numbers below, then save again.",
                )
                form.data = form.data.copy()
                form.data["version"] = conflict.version
            else:
                messages.success(request, f"Saved the counts for {label}.")
                return redirect("widgets:count-history", pk=widget.pk)
    else:
        initial = {
            n: "" if getattr(count, n) is None else getattr(count, n) for n in counting.VALUE_FIELDS
        }
        form = CountForm(
            initial={**initial, "balance_note": count.balance_note, "version": count.version},
            count=count,
        )
    return render(
        request,
        "widgets/counting/count_edit.html",
        {
            "form": form,
            "count": count,
            "widget": widget,
            "label": label,
            "conflict": conflict,
            "fields": measures.typed_fields(),
        },
    )


@grant(READ, agency=Agency, by="slug")
def overdue(request, agency):
    """The agency's approved widgets whose latest due counts are missing."""
    late = (
        flow.late_widgets(Widget.objects.filter(agency=agency))
        .select_related("owner", "program")
        .order_by("due_period", "name")
    )
    return render(
        request,
        "widgets/counting/overdue.html",
        {
            "agency": agency,
            "late": [(w, describe_period(w.due_period, w.reporting_frequency)) for w in late],
            "due_days": flow.describe_lags(),
            "entry_url": reverse("widgets:count-entry", args=[agency.slug]),
        },
    )
