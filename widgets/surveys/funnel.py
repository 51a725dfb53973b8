"""The funnel of a hosted survey, per period and channel: delivered -> offered -> respondents.

- delivered: the widget's own counts (`WidgetCount.delivered`) of the periods that
  lie inside the survey period, added; unknown when none is counted. Counts are
  not kept by channel, so only the row for all channels has it.
- offered: invitations made (each one is a delivered widget whose customer was
  offered the survey).
- respondents: answers, through an invitation or through the open link / QR code
  (nobody counts who saw a poster, so those have no "offered" to divide by).
- response rate: answered invitations / invitations. Unknown without invitations.
- low sample: fewer respondents than SURVEY_MIN_RESPONSES (customers.satisfaction),
  the rule CSAT uses everywhere.

Three queries, whatever the number of periods.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from customers.satisfaction import is_low_sample, response_rate

from ..models import Channel, SurveyInvitation, SurveyResponse
from ..periods import describe_period, next_period_start, period_end
from . import rollup

NOT_SAID = "Not said"


@dataclass
class FunnelRow:
    period_start: object
    period: str
    channel: str  # "" for all channels
    channel_label: str
    delivered: int | None
    offered: int
    by_invitation: int
    by_link: int

    @property
    def respondents(self):
        return self.by_invitation + self.by_link

    @property
    def response_rate(self):
        return response_rate(self.by_invitation, self.offered)

    @property
    def low_sample(self):
        return is_low_sample(self.respondents)

    @property
    def all_channels(self):
        return self.channel == ""


def _delivered(widget, periods, frequency):
    """Delivered per survey period, from the counts that lie inside it."""
    if not periods:
        return {}
    first, last = min(periods), next_period_start(max(periods), frequency)
    counts = widget.counts.filter(period_start__gte=first, period_start__lt=last).values_list(
        "period_start", "delivered"
    )
    totals = {}
    for start, delivered in counts:
        if delivered is None:
            continue
        survey_start = rollup.survey_period(widget, start)
        if period_end(start, widget.reporting_frequency) >= next_period_start(
            survey_start, frequency
        ):
            continue  # a count period longer than the survey's (a yearly widget)
        totals[survey_start] = totals.get(survey_start, 0) + delivered
    return totals


def funnel(survey):
    """Rows newest period first; in each period, all channels, then each channel."""
    widget = survey.widget
    frequency = rollup.survey_frequency(widget)
    offered = {
        (r["batch__period_start"], r["batch__channel"]): r["n"]
        for r in SurveyInvitation.objects.filter(batch__survey=survey)
        .values("batch__period_start", "batch__channel")
        .annotate(n=Count("pk"))
        .order_by()
    }
    answered = {
        (r["period_start"], r["channel"]): r
        for r in SurveyResponse.objects.filter(survey=survey)
        .values("period_start", "channel")
        .annotate(
            by_invitation=Count("pk", filter=Q(invitation__isnull=False)),
            by_link=Count("pk", filter=Q(invitation__isnull=True)),
        )
        .order_by()
    }
    periods = sorted({p for p, _ in offered} | {p for p, _ in answered}, reverse=True)
    delivered = _delivered(widget, periods, frequency)
    labels = dict(Channel.choices)
    rows = []
    for period in periods:
        channels = sorted(
            {c for p, c in offered if p == period} | {c for p, c in answered if p == period},
            key=lambda c: (c == "", c),
        )
        per_channel = []
        for channel in channels:
            a = answered.get((period, channel), {})
            per_channel.append(
                FunnelRow(
                    period_start=period,
                    period=describe_period(period, frequency),
                    channel=channel or "-",
                    channel_label=labels.get(channel, NOT_SAID),
                    delivered=None,
                    offered=offered.get((period, channel), 0),
                    by_invitation=a.get("by_invitation", 0),
                    by_link=a.get("by_link", 0),
                )
            )
        rows.append(
            FunnelRow(
                period_start=period,
                period=describe_period(period, frequency),
                channel="",
                channel_label="All channels",
                delivered=delivered.get(period),
                offered=sum(r.offered for r in per_channel),
                by_invitation=sum(r.by_invitation for r in per_channel),
                by_link=sum(r.by_link for r in per_channel),
            )
        )
        rows.extend(per_channel)
    return rows
