"""Reads for the monthly business review: its agenda, gathered from the data.

The agenda of a review for month M (docs/domain.md, "The monthly review"):

- outcomes off track, judged on their latest measurement on or before the end of M;
- widgets off track, judged on their on-time share over the three months ending
  with M (so that quarterly widgets are judged too);
- concerning signals: outcomes whose latest measurement (up to the end of M) is
  part of a signal in the worse direction on their process behaviour chart
  (widgets.spc; step changes recorded by then count). Improving signals are
  listed apart, as good news, not as problems;
- late data: approved widgets whose latest due count is missing (today);
- for each off-track item, whether it has an open countermeasure. The review
  cannot be closed while one has none (`services.close_review`).
"""

from dataclasses import dataclass
from functools import cached_property

from widgets.flow import late_widgets
from widgets.models import PUBLISHED_STATUSES, Widget

from .attention import furthest_below
from .dashboard import Window, add_months, dashboard_widgets, widget_flows
from .models import Outcome
from .selectors import with_latest, with_marks, with_status
from .status import Status, month_end


def review_window(review):
    return Window(
        "month",
        add_months(review.month, -2),
        add_months(review.month, 1),
        f"{add_months(review.month, -2):%B} to {review.month:%B %Y}",
    )


@dataclass
class Agenda:
    outcomes: list  # every outcome, with status as of the month
    widgets: list  # every counted widget, with status over the window
    signals: list  # (outcome, Signal): concerning signals, on the agenda
    improving: list  # (outcome, Signal): improving signals, listed as such
    late: list
    window: Window

    @property
    def off_track_outcomes(self):
        return [o for o in self.outcomes if o.status == Status.OFF_TRACK]

    @cached_property  # sorted once: the page and the pack ask for it a few times
    def off_track_widgets(self):
        """Furthest below their standard first (each with `.shortfall`): at a
        state's size a review goes through dozens."""
        return furthest_below([w for w in self.widgets if w.status == Status.OFF_TRACK])

    @property
    def off_track_count(self):
        return len(self.off_track_outcomes) + len(self.off_track_widgets)

    @property
    def uncovered(self):
        """Off-track items without an open countermeasure: they block closing."""
        return [o for o in self.off_track_outcomes if not o.has_open_countermeasure] + [
            w for w in self.off_track_widgets if not w.has_open_countermeasure
        ]


def agenda(review, *, reader, program=None, for_every_reader=False):
    """What the review goes through, as `reader` may see it (another agency's
    reader: only the agency's approved widgets, as in its catalogue).

    `for_every_reader`: only what every reader of the review may see, whoever
    `reader` is (no definition under review): the kept pack (outcomes.packs),
    one file for everyone."""
    until = month_end(review.month)
    outcomes = Outcome.objects.filter(agency_id=review.agency_id).select_related("program")
    if program is not None:
        outcomes = outcomes.filter(program=program)
    outcomes = with_marks(with_status(with_latest(outcomes, until=until)), until=until)
    signals = [(o, o.chart.latest_signal) for o in outcomes if o.chart.concerning]
    improving = [(o, o.chart.latest_signal) for o in outcomes if o.chart.improving]
    window = review_window(review)
    visible = dashboard_widgets(review.agency, reader=reader, program=program)
    scope = Widget.objects.for_user(reader).filter(agency_id=review.agency_id)
    if for_every_reader:
        visible = visible.filter(status__in=PUBLISHED_STATUSES)
        scope = scope.filter(status__in=PUBLISHED_STATUSES)
    widgets = widget_flows(visible, {"current": window})
    if program is not None:
        scope = scope.filter(program=program)
    late = list(late_widgets(scope).order_by("name"))
    return Agenda(
        outcomes=outcomes,
        widgets=widgets,
        signals=signals,
        improving=improving,
        late=late,
        window=window,
    )
