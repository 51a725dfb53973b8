"""The agency dashboard (a manager's home), the statewide scorecard and the TV
huddle view. Every signed-in member reads every agency's dashboards."""

import datetime as dt

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies import versions
from agencies.models import Agency
from agencies.permissions import MANAGER, READ, grant
from agencies.scoping import STAFF, can_change
from widgets import measures, quality

from . import attention as needs_attention
from . import dashboard, pictures, widget_parts
from . import huddle as huddle_board
from .attention import attention
from .engagement import PERIODS as ENGAGEMENT_PERIODS
from .engagement import engagement
from .forms import DashboardFilterForm
from .models import Outcome

# The widgets whose small multiples the dashboard draws unless all are asked for
# (?pictures=all): what needs attention first. At a state's size an agency has 50 or
# more; every widget stays in the tables below either way.
PICTURES_SHOWN = 12

# The outcomes whose charts the dashboard draws unless all are asked for
# (?outcomes=all), in the same attention order; every outcome stays in the table.
OUTCOME_PICTURES_SHOWN = 6

# What the scorecard's row of an agency shows (dashboard.scorecard_rows), kept with it.
ROW_FIGURES = ("tally", "outcome_total", "delivered_fy", "latest_count")

# The huddle board reloads itself (static/js/dashboard.js reads it from a data attribute).
REFRESH_SECONDS = 300


def _filters(request, agency, *, latest):
    """The program, grain and period asked for; the period holding the latest month
    shown when none (or one without data) is asked for."""
    form = DashboardFilterForm(request.GET or None, agency=agency, latest=latest)
    program, grain, start = None, "month", None
    if form.is_bound and form.is_valid():
        program = form.cleaned_data["program"]
        grain = form.cleaned_data["grain"] or "month"
        if form.cleaned_data["period"]:
            start = dt.date.fromisoformat(form.cleaned_data["period"])
    if start is None or dashboard.grain_start(grain, start) != start:
        start = dashboard.default_period(grain, latest=latest)
    return form, program, grain, start


@grant(READ, agency=Agency, by="slug")
def agency_dashboard(request, agency):
    may_manage = can_change(request.user, agency.pk, MANAGER)
    # Rendered once per agency, filters, role and day, then served from the cache
    # until the agency's data changes (agencies.versions): the dashboard reads only
    # the agency's own widgets, counts, outcomes and countermeasures. Its members
    # see the definitions under review too; other agencies only the approved ones.
    member = can_change(request.user, agency.pk, STAFF)
    body = versions.cached(
        "agency-dashboard",
        (agency.pk, sorted(request.GET.lists()), may_manage, member, timezone.localdate()),
        lambda: _dashboard_body(request, agency, may_manage, member),
        agency_ids=[agency.pk],
    )
    return render(request, "outcomes/dashboard.html", {"agency": agency, "body": body})


def _all_asked(request, name):
    """Whether `?<name>=all` asks for every picture of its kind, and the link to the
    other choice (keeping the filters), to the kind's heading."""
    show_all = request.GET.get(name) == "all"
    query = request.GET.copy()
    if show_all:
        query.pop(name, None)
    else:
        query[name] = "all"
    return show_all, f"?{query.urlencode()}"


def _pictures(request, kept, widgets):
    """The small multiples drawn: the first PICTURES_SHOWN in attention order, or all
    (`?pictures=all`), with the link to the other choice (keeping the filters)."""
    show_all, toggle = _all_asked(request, "pictures")
    ranked = kept.pictures(list(widgets), shown=None if show_all else PICTURES_SHOWN)
    return {
        "pictures": ranked if show_all else ranked[:PICTURES_SHOWN],
        "pictures_total": len(ranked),
        "pictures_all": show_all,
        "pictures_shown": PICTURES_SHOWN,
        "pictures_toggle": f"{toggle}#widgets-at-a-glance",
    }


def _base_parts(agency, *, reader, program, today, all_outcomes):
    """What the dashboard shows that reads no counts: its outcomes' cards (the first
    OUTCOME_PICTURES_SHOWN in attention order drawn, or all), their table and what
    the attention list reads of them, its countermeasures past due and its
    definitions waiting for review. Kept under the agency's base version
    (agencies.versions), which a count's save does not change."""
    outcomes = dashboard.dashboard_outcomes(agency, program=program)
    context = {"agency": agency, "outcomes": outcomes}
    signals = needs_attention.concerning_signals(outcomes)
    countermeasures, drafts = needs_attention.agency_items(
        agency, reader=reader, program=program, today=today
    )
    shown = None if all_outcomes else OUTCOME_PICTURES_SHOWN
    ranked = pictures.outcome_pictures(list(outcomes), shown=shown)
    return {
        "cards": render_to_string(
            "outcomes/includes/outcome_cards.html",
            {"outcome_pictures": ranked if shown is None else ranked[:shown]},
        ),
        "cards_total": len(ranked),
        "table": render_to_string("outcomes/includes/outcomes_table.html", context),
        "needing": [_light(o) for o in outcomes if o.needs_countermeasure],
        "signals": [(_light(o), signal) for o, signal in signals],
        "countermeasures": countermeasures,
        "drafts": drafts,
    }


def _light(outcome):
    """What the attention list shows of an outcome, without its measurements and
    marks (which it does not show, and which would weigh on the cache)."""
    light = Outcome(pk=outcome.pk, name=outcome.name, agency_id=outcome.agency_id)
    light.status = outcome.status
    return light


def _dashboard_body(request, agency, may_manage, member):
    latest = dashboard.agency_month(agency)
    form, program, grain, start = _filters(request, agency, latest=latest)
    windows = dashboard.windows(grain, start, latest=latest)
    today = timezone.localdate()
    # What is worked out widget by widget is kept between builds (widget_parts): a
    # build after a count is saved works out that count's widget again, not all.
    kept = widget_parts.Kept(agency, request.user, windows, today)
    widgets_qs = dashboard.dashboard_widgets(agency, reader=request.user, program=program)
    widgets = kept.flows(dashboard.widget_rows(widgets_qs))
    all_outcomes, outcomes_toggle = _all_asked(request, "outcomes")
    base = versions.cached(
        "dashboard-base",
        (
            agency.pk,
            program.pk if program else None,
            today,
            versions.scope_key(request.user),
            all_outcomes,
        ),
        lambda: _base_parts(
            agency, reader=request.user, program=program, today=today, all_outcomes=all_outcomes
        ),
        agency_ids=[agency.pk],
        base=True,
    )
    # Rendering the filters' fields (a choice per period back to the oldest count)
    # takes longer than the rest of the form: kept under what their choices and
    # values are made of.
    filter_fields = versions.cached(
        "dashboard-filters",
        (agency.pk, sorted(request.GET.lists()), latest, form.earliest),
        lambda: {name: form[name].as_field_group() for name in form.fields},
        agency_ids=[agency.pk],
        base=True,
    )
    trend_fields, trend_measures = measures.across_widgets()
    return render_to_string(
        "outcomes/includes/dashboard_body.html",
        {
            "agency": agency,
            "form": form,
            "filter_fields": filter_fields,
            "program": program,
            "windows": windows,
            "window_names": list(windows),
            "grain_label": dashboard.GRAINS[grain],
            "widgets": widgets,
            **_pictures(request, kept, widgets),
            "picture_periods": pictures.PERIODS,
            "outcome_cards": base["cards"],
            "outcome_cards_total": base["cards_total"],
            "outcome_cards_all": all_outcomes,
            "outcome_cards_shown": OUTCOME_PICTURES_SHOWN,
            "outcome_cards_toggle": f"{outcomes_toggle}#outcomes-at-a-glance",
            "outcomes_table": base["table"],
            "measures": measures.flow_rows(),
            "trend_fields": trend_fields,
            "trend_measures": trend_measures,
            "trend_coverage": dashboard.trend_coverage(widgets, trend_measures),
            "trend_columns": 1 + len(trend_fields) + len(trend_measures),
            "not_across": [m for m in measures.MEASURES if not m.across_widgets],
            "trend": dashboard.agency_trend(widgets_qs, windows["current"]),
            "attention": attention(
                kept=kept,
                widgets=widgets,
                outcomes=base["needing"],
                signals=base["signals"],
                countermeasures=base["countermeasures"],
                drafts=base["drafts"],
                program=program,
            ),
            # The agency's data-quality findings by grade (all its programs), for its page.
            "quality": [
                (quality.GRADE_SYMBOLS[grade], quality.GRADES[grade], n)
                for grade, n in kept.tally().items()
            ],
            "may_manage": may_manage,
            "member": member,  # may correct counts, or give a balance's reason
            "flows_query": _query_without(request, "pictures"),
        },
        request,
    )


def _query_without(request, *names):
    """The request's query string (with its "?"), without `names`: the filters, for
    a link to another view of the same period and program."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return f"?{query.urlencode()}" if query else ""


@grant(READ, agency=Agency, by="slug")
def widget_flows(request, agency):
    """Every widget's flow for the period shown, the period before and the same
    period last year, a table each: the comparison the dashboard's table of every
    widget (one row each, this period) leaves to this page. Cached as the
    dashboard is, per reader's scope."""
    body = versions.cached(
        "widget-flows",
        (
            agency.pk,
            sorted(request.GET.lists()),
            versions.scope_key(request.user),
            timezone.localdate(),
        ),
        lambda: _widget_flows_body(request, agency),
        agency_ids=[agency.pk],
    )
    return render(request, "outcomes/widget_flows.html", {"agency": agency, "body": body})


def _widget_flows_body(request, agency):
    latest = dashboard.agency_month(agency)
    form, program, grain, start = _filters(request, agency, latest=latest)
    windows = dashboard.windows(grain, start, latest=latest)
    widgets = dashboard.dashboard_widgets(agency, reader=request.user, program=program)
    return render_to_string(
        "outcomes/includes/widget_flows_body.html",
        {
            "agency": agency,
            "form": form,
            "program": program,
            "windows": windows,
            "window_names": list(windows),
            "widgets": dashboard.widget_flows(widgets, windows),
            "measures": measures.flow_rows(),
            "dashboard_query": _query_without(request),
        },
        request,
    )


@grant(READ, to="read the statewide scorecard")
def scorecard(request):
    user = request.user
    body = versions.cached(
        "scorecard",
        (versions.scope_key(user), timezone.localdate()),
        lambda: _scorecard_body(request),
    )
    return render(request, "outcomes/scorecard.html", {"body": body})


def _scorecard_body(request):
    """The scorecard, its rows kept agency by agency (versions.per_agency): a count
    saved rebuilds its own agency's row, not the forty others."""
    user = request.user
    frame = dashboard.scorecard_frame(user)
    agencies = {agency.pk: agency for agency in frame["agencies"]}
    admin, roles = versions.scope_key(user)
    fiscal = (frame["fy_start"], frame["end"], timezone.localdate())

    def rows(ids):
        chosen = dashboard.scorecard_rows(user, [agencies[pk] for pk in ids], frame)
        return {
            agency.pk: (
                {name: getattr(agency, name) for name in ROW_FIGURES},
                render_to_string(
                    "outcomes/includes/scorecard_row.html",
                    {"a": agency, "fiscal_year": frame["fiscal_year"]},
                ),
            )
            for agency in chosen
        }

    # A row reads the widgets of its agency the user may read: all of them for an
    # admin or a member of the agency, the approved and retired ones for others.
    reads_all = {pk for pk, _role in roles}
    kept = versions.per_agency(
        "scorecard-row", list(agencies), lambda pk: (*fiscal, admin or pk in reads_all), rows
    )
    for pk, agency in agencies.items():
        figures, agency.row_html = kept[pk]
        for name, value in figures.items():
            setattr(agency, name, value)
    return render_to_string("outcomes/includes/scorecard_body.html", frame, request)


@grant(READ, agency=Agency, by="slug")
def huddle(request, agency):
    """A large-type status board for a wall screen (outcomes.huddle); it reloads itself
    every five minutes (a data attribute read by static/js/dashboard.js; no meta
    refresh, which axe flags)."""
    latest = dashboard.agency_month(agency)
    _form, program, _grain, _start = _filters(request, agency, latest=latest)
    windows = dashboard.windows("month", latest, latest=latest)
    flows = dashboard.widget_flows(
        dashboard.dashboard_widgets(agency, reader=request.user, program=program), windows
    )
    board = huddle_board.board(
        outcomes=dashboard.dashboard_outcomes(agency, program=program),
        widgets=flows,
        windows=windows,
    )
    return render(
        request,
        "outcomes/huddle.html",
        {
            "title": f"{agency.name}: {program.name}" if program else agency.name,
            "back": (reverse("outcomes:dashboard", args=[agency.slug]), "Dashboard"),
            "window": windows["current"],
            "board": board,
            "refresh_seconds": REFRESH_SECONDS,
            "refresh_minutes": REFRESH_SECONDS // 60,
        },
    )


@grant(READ, agency=Agency, by="slug")
def engagement_page(request, agency):
    """Who keeps their numbers alive: each owner's measures, share on time and last
    update; the owners who never updated; the engagement score with its formula
    (outcomes.engagement)."""
    return render(
        request,
        "outcomes/engagement.html",
        {
            "agency": agency,
            "found": engagement(agency),
            "periods": ENGAGEMENT_PERIODS,
            "manager_after_days": settings.REMINDER_MANAGER_AFTER_DAYS,
        },
    )
