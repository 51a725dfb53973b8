"""The attention list: what a manager should act on first (docs/outcomes.md,
"The attention list"). One set of kinds for the agency dashboard and the home page:

- outcomes off track (on their latest measurement) without an open countermeasure;
- widgets off track (dashboard: on the period shown) without an open countermeasure;
- countermeasures past due: open, with a due date before today;
- late counts: approved widgets missing their latest due count (`widgets.flow`);
- definitions submitted and waiting for a manager's review;
- concerning signals: outcomes whose latest point is part of a signal in the worse
  direction (`concerning_signals`, from widgets.spc);
- unexplained balance gaps: counts whose backlog does not balance with the period
  before and carry no balance note (`widgets.attention.balance_gaps`; those with a
  note are listed apart with it, and not counted);
- data-quality errors: findings graded "error" (`widgets.attention.data_quality_errors`).

"Nothing needs attention" only when every list is empty. The home page is in
`widgets`, which may not import this app: `home_items` is registered there as a
provider when the app is ready (`outcomes.apps`).
"""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse

from agencies.scoping import MANAGER
from widgets.attention import AttentionItem, register
from widgets.models import Widget, WidgetStatus

from .models import Countermeasure, Outcome
from .selectors import with_latest, with_marks, with_status


def concerning_signals(outcomes):
    """(outcome, signal in words) for each outcome whose latest point is part of a
    signal in the worse direction (widgets.spc: a "special cause, concerning"
    variation). Outcomes read without their chart get it here (with_marks: two
    queries whatever their number)."""
    outcomes = list(outcomes)
    with_marks([o for o in outcomes if not hasattr(o, "chart")])
    return [(o, o.chart.latest_signal.text) for o in outcomes if o.chart.concerning]


def overdue_countermeasures(countermeasures, today):
    """Open countermeasures whose due date has passed, oldest due first (one query)."""
    return list(
        countermeasures.open()
        .filter(due_date__lt=today)
        .select_related("agency", "outcome", "widget", "owner")
        .order_by("due_date", "pk")
    )


@dataclass
class Attention:
    # Each list shows this many items; the rest are folded under "Show N more"
    # (agencies/templatetags/lists.py): at a state's size a list runs to dozens.
    SHOWN = 10

    outcomes: list  # off track, no open countermeasure
    widgets: list  # off track, no open countermeasure
    countermeasures: list  # open, past their due date
    late: list  # approved widgets whose latest due count is missing
    drafts: list  # submitted definitions waiting for a manager
    signals: list  # (outcome, signal): concerning signals (hook)
    unbalanced: list  # counts whose backlog does not balance, with no note
    quality: list  # data-quality errors (widgets.quality)
    # Counts whose backlog does not balance, with a note saying why: shown with their
    # reason, not counted as needing attention.
    explained: list = field(default_factory=list)

    @property
    def off_track(self):
        """How many outcomes and widgets are off track with no open countermeasure."""
        return len(self.outcomes) + len(self.widgets)

    def __len__(self):
        return sum(len(getattr(self, f.name)) for f in fields(self) if f.name != "explained")


def agency_items(agency, *, reader, program=None, today):
    """(countermeasures past due, definitions submitted for review) of the agency
    (and program), of what `reader` may read (another agency's reader: no
    submitted definitions). Two queries; they read no counts."""
    scope = Widget.objects.for_user(reader).filter(agency=agency)
    countermeasures = Countermeasure.objects.filter(agency=agency)
    if program is not None:
        scope = scope.filter(program=program)
        countermeasures = countermeasures.filter(
            Q(outcome__program=program) | Q(widget__program=program)
        )
    return (
        overdue_countermeasures(countermeasures, today),
        list(scope.filter(status=WidgetStatus.SUBMITTED).order_by("submitted_at")),
    )


def attention(*, kept, widgets, outcomes, signals, countermeasures, drafts, program=None):
    """The dashboard's attention list for the agency (and program): with `widgets`
    as the dashboard read them, what is kept of its widgets for the build (`kept`:
    outcomes.widget_parts.Kept, which holds only what its reader may read), its
    `outcomes` off track without an open countermeasure and their concerning
    `signals` (concerning_signals), and its `countermeasures` past due and `drafts`
    submitted (agency_items). No query: the rest is kept per widget."""
    unexplained, explained = kept.gaps(program)
    return Attention(
        outcomes=outcomes,
        widgets=furthest_below([w for w in widgets if w.needs_countermeasure]),
        countermeasures=countermeasures,
        late=kept.late(widgets),
        drafts=drafts,
        signals=signals,
        unbalanced=unexplained,
        quality=kept.errors(program),
        explained=explained,
    )


def furthest_below(widgets):
    """The off-track `widgets` (with their flows), each with `.shortfall`: how many
    percentage points its on-time share this period is below its standard share,
    from the exact share; furthest below first, ties in the order given."""
    for widget in widgets:
        on_time = widget.flows["current"].on_time_share
        widget.shortfall = Decimal(widget.standard_share) - Decimal(on_time) * 100
    return sorted(widgets, key=lambda w: -w.shortfall)


# --- the home page's items (a provider for widgets.attention) --------------------------


def _names(names, limit=5):
    return ", ".join(names[:limit]) + ("…" if len(names) > limit else "")


def home_items(user, *, roles, today):
    """The outcome kinds on the user's home page: for the managers of each agency,
    outcomes off track without an open countermeasure and concerning signals; for
    its managers and a countermeasure's owner, countermeasures past due. Three
    queries whatever the number of outcomes."""
    managed = sorted(a for a, role in roles.items() if role == MANAGER)
    outcomes = with_status(
        with_latest(
            Outcome.objects.filter(agency_id__in=managed)
            .select_related("agency")
            .order_by("agency__name", "name")
        )
    )
    items = []
    by_agency = {}
    for outcome in outcomes:
        if outcome.needs_countermeasure:
            by_agency.setdefault(outcome.agency, []).append(outcome.name)
    for agency, names in by_agency.items():
        n = len(names)
        items.append(
            AttentionItem(
                text=(
                    f"{agency.abbreviation}: {n} outcome{'s' if n != 1 else ''} off track "
                    f"without an open countermeasure: {_names(names)}."
                ),
                url=reverse("outcomes:dashboard", args=[agency.slug]),
                link_text="Open the dashboard",
                kind="outcomes",
            )
        )
    for outcome, signal in concerning_signals(outcomes):
        items.append(
            AttentionItem(
                text=f"{outcome.agency.abbreviation}: {outcome.name}: {signal}.",
                url=outcome.get_absolute_url(),
                link_text="See the chart",
                kind="signals",
            )
        )
    mine = Countermeasure.objects.filter(
        Q(agency_id__in=managed) | Q(owner_id=user.pk, agency_id__in=list(roles))
    )
    for countermeasure in overdue_countermeasures(mine, today):
        subject = countermeasure.outcome or countermeasure.widget
        items.append(
            AttentionItem(
                text=(
                    f"{countermeasure.agency.abbreviation}: the countermeasure for "
                    f"{subject.name} was due on {countermeasure.due_date:%-d %B %Y} and is "
                    "still open."
                ),
                url=(
                    reverse("outcomes:countermeasure-edit", args=[countermeasure.pk])
                    if countermeasure.agency_id in managed
                    else subject.get_absolute_url()
                ),
                link_text="Update it" if countermeasure.agency_id in managed else "See it",
                kind="countermeasures",
            )
        )
    return items


register(home_items)
