"""Who keeps their numbers alive (docs/outcomes.md, "Who keeps their numbers
alive"): for each owner of an agency's measures, the measures they own, the share
of their periods whose numbers were entered on time over the last 12 periods, and
their numbers' last update; the owners whose numbers were never updated; and the
agency's engagement score, with its formula.

- **Measures an owner owns**: the agency's approved widgets (their counts) and its
  outcomes (their measurements) whose owner they are.
- **Periods due**: each measure's latest 12 periods whose numbers are due
  (widgets.flow.due_periods: a period is due its reporting lag after it ends,
  docs/outcomes.md "Dashboard periods"), at the widget's reporting frequency or
  the outcome's measurement frequency, leaving out periods due before the measure
  was defined (nobody could have entered them).
- **On time**: the period's count (a measurement dated in the period, for an
  outcome) was first saved on or before its due date. A number entered late, or
  not yet, is not on time.
- **Share on time** of an owner: periods on time / periods due, over all their
  measures.
- **Last update**: the newest save of any of their measures' numbers.
- **Engagement score** of the agency: the average of its owners' shares on time,
  each owner counting once (a team's numbers stay alive only if every owner keeps
  theirs), as a number from 0 to 100; owners with nothing due yet are left out.

A fixed number of queries whatever the number of owners or measures; Python
reads at most 12 periods per measure.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from agencies.people import display_name
from widgets.flow import due_date, due_periods
from widgets.models import Widget, WidgetCount, WidgetStatus
from widgets.periods import period_start

from .models import Measurement, Outcome

PERIODS = 12


@dataclass
class Owned:
    """One measure of an owner's: a widget or an outcome, and its periods."""

    measure: object  # the Widget or Outcome
    kind: str  # "Widget" or "Outcome"
    due: int = 0
    on_time: int = 0
    last_update: dt.datetime | None = None


@dataclass
class Owner:
    user: object
    measures: list = field(default_factory=list)

    @property
    def due(self):
        return sum(m.due for m in self.measures)

    @property
    def on_time(self):
        return sum(m.on_time for m in self.measures)

    @property
    def share(self):
        """Periods on time / periods due (None with nothing due yet)."""
        return Decimal(self.on_time) / Decimal(self.due) if self.due else None

    @property
    def last_update(self):
        found = [m.last_update for m in self.measures if m.last_update is not None]
        return max(found) if found else None

    @property
    def never_updated(self):
        return self.last_update is None


@dataclass
class Engagement:
    owners: list  # Owner, least on time first
    score: Decimal | None  # 0..100, None when no owner has anything due
    counted: list  # the owners the score averages, in the order shown
    unowned: int  # measures with no owner
    today: dt.date

    @property
    def never_updated(self):
        return [o for o in self.owners if o.never_updated]

    @property
    def shares_sum(self):
        return sum((o.share for o in self.counted), Decimal(0))


def engagement(agency, *, today=None):
    """The agency's owners and engagement score (see the module)."""
    today = today or timezone.localdate()
    widgets = list(
        Widget.objects.filter(agency=agency, status=WidgetStatus.APPROVED).select_related("owner")
    )
    outcomes = list(Outcome.objects.filter(agency=agency).select_related("owner"))
    owned_widgets = [w for w in widgets if w.owner_id and w.owner.is_active]
    owned_outcomes = [o for o in outcomes if o.owner_id and o.owner.is_active]
    owners = {}

    def owner_of(user):
        return owners.setdefault(user.pk, Owner(user=user))

    for widget, saved, last in _widget_numbers(owned_widgets, today):
        owned = _owned(widget, "Widget", widget.reporting_frequency, saved, last, today)
        owner_of(widget.owner).measures.append(owned)
    for outcome, saved, last in _outcome_numbers(owned_outcomes, today):
        owned = _owned(outcome, "Outcome", outcome.frequency, saved, last, today)
        owner_of(outcome.owner).measures.append(owned)
    found = sorted(
        owners.values(),
        key=lambda o: (o.share is None, o.share or 0, display_name(o.user)),
    )
    counted = [o for o in found if o.share is not None]
    score = sum((o.share for o in counted), Decimal(0)) / len(counted) * 100 if counted else None
    unowned = len(widgets) - len(owned_widgets) + len(outcomes) - len(owned_outcomes)
    return Engagement(owners=found, score=score, counted=counted, unowned=unowned, today=today)


def _periods(frequency, defined_on, today):
    """(start, due date) of the latest PERIODS periods due, leaving out those due
    before the measure was defined."""
    return [
        (start, due_date(start, frequency))
        for start in due_periods(frequency, PERIODS, today)
        if due_date(start, frequency) >= defined_on
    ]


def _owned(measure, kind, frequency, saved, last, today):
    """`saved`: {period start: the local date its number was first saved}."""
    owned = Owned(measure=measure, kind=kind, last_update=last)
    for start, due in _periods(frequency, timezone.localdate(measure.created_at), today):
        owned.due += 1
        first = saved.get(start)
        if first is not None and first <= due:
            owned.on_time += 1
    return owned


def _oldest_start(items, frequency_of, today):
    starts = [due_periods(frequency_of(i), PERIODS, today)[-1] for i in items]
    return min(starts) if starts else today


def _widget_numbers(widgets, today):
    """Each widget with {period start: date its count was first saved} over its
    last PERIODS due periods, and the last save of any of its counts (two queries)."""
    if not widgets:
        return []
    ids = [w.pk for w in widgets]
    first = _oldest_start(widgets, lambda w: w.reporting_frequency, today)
    saved = defaultdict(dict)
    for widget_id, start, created in WidgetCount.objects.filter(
        widget_id__in=ids, period_start__gte=first
    ).values_list("widget_id", "period_start", "created_at"):
        saved[widget_id][start] = timezone.localdate(created)
    last = dict(
        WidgetCount.objects.filter(widget_id__in=ids)
        .values_list("widget_id")
        .annotate(last=Max("updated_at"))
        .order_by()
    )
    return [(w, saved[w.pk], last.get(w.pk)) for w in widgets]


def _outcome_numbers(outcomes, today):
    """As `_widget_numbers`, for outcomes: a measurement counts for the period its
    date falls in, at the outcome's frequency (the first saved, if several)."""
    if not outcomes:
        return []
    ids = [o.pk for o in outcomes]
    frequency = {o.pk: o.frequency for o in outcomes}
    first = _oldest_start(outcomes, lambda o: o.frequency, today)
    saved = defaultdict(dict)
    for outcome_id, day, created in Measurement.objects.filter(
        outcome_id__in=ids, date__gte=first
    ).values_list("outcome_id", "date", "created_at"):
        start = period_start(day, frequency[outcome_id])
        when = timezone.localdate(created)
        if start not in saved[outcome_id] or when < saved[outcome_id][start]:
            saved[outcome_id][start] = when
    last = dict(
        Measurement.objects.filter(outcome_id__in=ids)
        .values_list("outcome_id")
        .annotate(last=Max("updated_at"))
        .order_by()
    )
    return [(o, saved[o.pk], last.get(o.pk)) for o in outcomes]
