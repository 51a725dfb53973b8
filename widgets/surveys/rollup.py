"""Answers to a hosted survey become the widget's survey results: no re-keying.

A collected result is a SurveyResult with `source = collected`, one per widget,
period and segment (and one for all customers), kept in the same table as the
results staff enter, so every page, chart and export that reads survey results
reads these as well. It is recomputed from the answers, whole, in the transaction
that saves an answer or a batch of invitations: never incremented, so it always
equals the answers it comes from.

- period: a month for widgets counted by the day, week or month; the widget's
  fiscal quarter for widgets counted by the quarter or year. An invitation's
  answer belongs to the invitation's period (when the widget was delivered); an
  answer through the open link or QR code, to the period it was given in.
- respondents: the answers; for each question, the answers at each point 1-5
  (a question left unanswered is in no point).
- offered: the invitations made for the period (and segment), when every answer
  of the group came through one of them. An answer through the open link or the
  QR code has no invitation to count: nobody counts who saw a poster. Then
  offered is unknown (blank), never a guess; the funnel (widgets.surveys.funnel)
  shows the invitations' own response rate beside it.
- customers served: left blank (the widget's counts say what was delivered; the
  funnel shows them beside the answers).

**Entered and collected results are never mixed.** A widget's fiscal quarter
holds entered results or collected ones, not both:

- entering or importing a result for a quarter that has collected results is
  refused (`entry_refusal`), with a message saying why;
- answers that arrive for a quarter that already has entered results are kept
  (an answer is never thrown away), but not rolled up: the survey's page says
  that quarter is held, and why (`held_periods`). When the entered results are
  removed, `roll_up` (run again by the next answer, or by `manage.py
  roll_up_surveys`) writes the collected ones.

Both paths lock the widget's row first, so the two cannot cross.
"""

from django.db.models import Count, Q

from ..models import (
    SCALE,
    Question,
    ResultSource,
    SurveyInvitation,
    SurveyResponse,
    SurveyResult,
    Widget,
    answer_field,
)
from ..periods import Frequency, next_period_start, period_start

SURVEY_FREQUENCIES = {
    Frequency.DAY: Frequency.MONTH,
    Frequency.WEEK: Frequency.MONTH,
    Frequency.MONTH: Frequency.MONTH,
    Frequency.QUARTER: Frequency.QUARTER,
    Frequency.YEAR: Frequency.QUARTER,
}


def survey_frequency(widget):
    return SURVEY_FREQUENCIES[widget.reporting_frequency]


def survey_period(widget, day):
    """The first day of the survey period of `widget` that holds `day`."""
    return period_start(day, survey_frequency(widget))


def quarter_of(day):
    """(first day, first day of the next) of the fiscal quarter that holds `day`; the
    next is None for the last quarter a date can name (year 9999: no year 10000)."""
    start = period_start(day, Frequency.QUARTER)
    try:
        return start, next_period_start(start, Frequency.QUARTER)
    except (ValueError, OverflowError):
        return start, None


def lock_widget(widget):
    """Lock the widget's row: entry and roll-up of its survey results go one at a time."""
    return Widget.objects.select_for_update().only("pk").get(pk=widget.pk)


def _in_quarter(day):
    start, end = quarter_of(day)
    if end is None:
        return Q(period_start__gte=start)
    return Q(period_start__gte=start, period_start__lt=end)


def entry_refusal(widget, day):
    """Why staff may not enter a result for the period starting `day`, or None."""
    if day is None:
        return None
    collected = SurveyResult.objects.filter(
        _in_quarter(day), widget=widget, source=ResultSource.COLLECTED
    )
    answered = SurveyResponse.objects.filter(_in_quarter(day), survey__widget=widget)
    # A quarter held for its entered results (held_periods) stays the entered results'.
    if collected.exists() or (answered.exists() and not _entered_in_quarter(widget, day)):
        return (
            "This quarter's results are collected by the widget's hosted survey, from its "
            "answers; a result entered by hand would be mixed with them. Enter results "
            "only for quarters without collected answers."
        )
    return None


def _entered_in_quarter(widget, day):
    return SurveyResult.objects.filter(
        _in_quarter(day), widget=widget, source=ResultSource.ENTERED
    ).exists()


def held_periods(widget):
    """Periods with answers that are not rolled up, because the quarter has entered results."""
    periods = (
        SurveyResponse.objects.filter(survey__widget=widget)
        .values_list("period_start", flat=True)
        .distinct()
        .order_by("period_start")
    )
    entered = list(
        SurveyResult.objects.filter(widget=widget, source=ResultSource.ENTERED).values_list(
            "period_start", flat=True
        )
    )
    entered_quarters = {quarter_of(d)[0] for d in entered}
    return [p for p in periods if quarter_of(p)[0] in entered_quarters]


def _answer_counts(responses, invited):
    """One aggregate: respondents, answers through the group's invitations (`invited`, a
    Q), and answers at each point."""
    aggregates = {
        "respondents": Count("pk"),
        "invited": Count("pk", filter=invited),
    }
    for question in Question.values:
        for point in SCALE:
            aggregates[answer_field(question, point)] = Count("pk", filter=Q(**{question: point}))
    return responses.aggregate(**aggregates)


def _figures(responses, invitations, invited):
    counts = _answer_counts(responses, invited)
    offered = invitations.count()
    all_by_invitation = counts["invited"] == counts["respondents"]
    return {
        "customers_served": None,
        "respondents": counts["respondents"],
        "offered": offered if all_by_invitation else None,
        **{answer_field(q, p): counts[answer_field(q, p)] for q in Question.values for p in SCALE},
    }


def roll_up(*, widget, period):
    """Write the collected results of `widget` for the period starting `period`.

    Call inside a transaction, after lock_widget(widget). Returns False (and writes
    nothing) when the quarter holds entered results: the answers are held.
    """
    if _entered_in_quarter(widget, period):
        return False
    responses = SurveyResponse.objects.filter(survey__widget=widget, period_start=period)
    invitations = SurveyInvitation.objects.filter(
        batch__survey__widget=widget, batch__period_start=period
    )
    groups = {None: (responses, invitations, Q(invitation__isnull=False))}
    # Per segment: answers that name it (through their invitation or the question), and
    # the invitations made for it. An answer to an invitation made for no segment, whose
    # customer named one, is not one of that segment's invitations: offered is unknown.
    segment_ids = set(responses.exclude(segment=None).values_list("segment_id", flat=True))
    segment_ids |= set(
        invitations.exclude(batch__segment=None).values_list("batch__segment_id", flat=True)
    )
    for segment_id in segment_ids:
        groups[segment_id] = (
            responses.filter(segment_id=segment_id),
            invitations.filter(batch__segment_id=segment_id),
            Q(invitation__batch__segment_id=segment_id),
        )
    stored = {
        r.segment_id: r
        for r in SurveyResult.objects.filter(
            widget=widget, period_start=period, source=ResultSource.COLLECTED
        )
    }
    for segment_id, (group_responses, group_invitations, invited) in groups.items():
        figures = _figures(group_responses, group_invitations, invited)
        result = stored.get(segment_id) or SurveyResult(
            widget=widget,
            period_start=period,
            segment_id=segment_id,
            source=ResultSource.COLLECTED,
        )
        if result.pk and all(getattr(result, k) == v for k, v in figures.items()):
            continue
        for name, value in figures.items():
            setattr(result, name, value)
        result.full_clean(validate_unique=False, validate_constraints=True)
        result.save()
    return True


def roll_up_all(*, widget):
    """Roll up every period of the widget that has answers or invitations (the command)."""
    periods = set(
        SurveyResponse.objects.filter(survey__widget=widget).values_list("period_start", flat=True)
    ) | set(
        SurveyInvitation.objects.filter(batch__survey__widget=widget).values_list(
            "batch__period_start", flat=True
        )
    )
    written = 0
    for period in sorted(periods):
        written += roll_up(widget=widget, period=period)
    return written
