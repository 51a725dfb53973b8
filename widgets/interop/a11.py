"""Customer-experience results in the layout of the U.S. federal data collection
under OMB Circular A-11 section 280: per service and fiscal quarter, the
customers served, offered the survey and responding, and for each question the
number of answers at each point of the 1-5 scale.

Results for all customers of a widget are exported (per-segment results are
the agency's own breakdown). Several results in one quarter (monthly surveys)
are added up; a figure unknown in every one of them stays blank.

Results entered by staff and results collected by a hosted survey come out the
same way; the last column, `source`, says which ("entered" or "collected"). They
are never added together: a quarter holds one or the other (widgets.surveys.rollup),
and the grouping keeps them apart all the same.
"""

from django.conf import settings

from ..models import SCALE, Question, SurveyResult, Widget, answer_field
from ..periods import fiscal_year

BASE_COLUMNS = [
    "organization",
    "service_provider",
    "service",
    "service_id",
    "fiscal_year",
    "quarter",
    "channel",
    "customers_served",
    "surveys_offered",
    "respondents",
]
ANSWER_COLUMNS = [answer_field(q, p) for q in Question.values for p in SCALE]
COLUMNS = [*BASE_COLUMNS, *ANSWER_COLUMNS, "source"]
SUMMED = ["customers_served", "offered", "respondents", *ANSWER_COLUMNS]


def fiscal_quarter(day):
    return (day.month - settings.FISCAL_YEAR_START_MONTH) % 12 // 3 + 1


def _add(a, b):
    if a is None:
        return b
    return a if b is None else a + b


def rows(agency, *, user):
    """(headers, rows) of the agency's results the user may read, oldest first."""
    widgets = Widget.objects.for_user(user).filter(agency=agency)
    results = (
        SurveyResult.objects.for_user(user)
        .filter(widget__in=widgets, segment__isnull=True)
        .select_related("widget__program")
        .order_by("widget__name", "period_start")
    )
    grouped = {}
    for result in results:
        key = (
            result.widget_id,
            fiscal_year(result.period_start),
            fiscal_quarter(result.period_start),
            result.source,
        )
        if key not in grouped:
            grouped[key] = {"widget": result.widget, **dict.fromkeys(SUMMED)}
        totals = grouped[key]
        for name in SUMMED:
            totals[name] = _add(totals[name], getattr(result, name))
    table = []
    for (_, year, quarter, source), totals in grouped.items():
        widget = totals["widget"]
        table.append(
            [
                agency.name,
                widget.program.name,
                widget.name,
                widget.external_id or f"W{widget.pk}",
                year,
                quarter,
                "; ".join(widget.channel_labels),
                totals["customers_served"],
                totals["offered"],
                totals["respondents"],
                *[totals[name] for name in ANSWER_COLUMNS],
                source,
            ]
        )
    return COLUMNS, table
