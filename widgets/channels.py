"""Demand by channel and digital take-up, derived from counts, never stored.

Digital take-up = requests online / requests through every channel with a known
count, over the latest fiscal year that has any channel counts, of the widgets
offered online. A channel whose count is unknown is left out of the denominator
(unknown is not zero); a widget that declares online requests not applicable
(not offered online) is left out of take-up altogether, and a channel no widget
offers is shown as n/a (docs/domain.md, "Unknown, zero and not applicable").
With no channel counts at all there is no mix.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from .models import CHANNEL_COUNT_FIELDS
from .models.definitions import declares_not_applicable
from .periods import fiscal_year, fiscal_year_start

ONLINE = "channel_online"
CHANNEL_LABELS = {
    "channel_online": "Online",
    "channel_in_person": "In person",
    "channel_mail": "Mail",
    "channel_phone": "Phone",
    "channel_email": "Email",
    "channel_other": "Other (fax and others)",
}


@dataclass(frozen=True)
class ChannelShare:
    field: str
    label: str
    requests: int
    share: Decimal

    @property
    def percent(self):
        return round(self.share * 100, 1)


@dataclass(frozen=True)
class ChannelMix:
    fiscal_year: int
    channels: list  # ChannelShare for each channel with a known count
    total: int
    # Digital take-up, over the widgets offered online only: their online requests
    # and their requests through every channel with a known count (None: unknown).
    online_requests: int | None = None
    take_up_total: int | None = None
    # Labels of the channels that no widget counted here offers (n/a, not 0).
    not_offered: tuple = ()

    @property
    def online_share(self):
        if self.online_requests is None or not self.take_up_total:
            return None
        return Decimal(self.online_requests) / Decimal(self.take_up_total)

    @property
    def online_not_applicable(self):
        return CHANNEL_LABELS[ONLINE] in self.not_offered

    @property
    def online_percent(self):
        share = self.online_share
        return None if share is None else round(share * 100, 1)


def _any_channel_known():
    condition = Q()
    for name in CHANNEL_COUNT_FIELDS:
        condition |= Q(**{f"{name}__isnull": False})
    return condition


def channel_mix(counts):
    """The ChannelMix of a WidgetCount queryset, or None when no channel is counted."""
    counts = counts.filter(_any_channel_known())
    latest = counts.aggregate(latest=Max("period_start"))["latest"]
    if latest is None:
        return None
    year = fiscal_year(latest)
    start = fiscal_year_start(year)
    end = fiscal_year_start(year + 1) - dt.timedelta(days=1)
    offered_online = ~declares_not_applicable(ONLINE, "widget__")
    sums = counts.filter(period_start__range=(start, end)).aggregate(
        **{f"all_{name}": Sum(name) for name in CHANNEL_COUNT_FIELDS},
        **{f"online_{name}": Sum(name, filter=offered_online) for name in CHANNEL_COUNT_FIELDS},
        **{
            f"offered_{name}": Count(
                "widget", distinct=True, filter=~declares_not_applicable(name, "widget__")
            )
            for name in CHANNEL_COUNT_FIELDS
        },
    )
    not_offered = tuple(CHANNEL_LABELS[n] for n in CHANNEL_COUNT_FIELDS if not sums[f"offered_{n}"])
    known = {n: sums[f"all_{n}"] for n in CHANNEL_COUNT_FIELDS if sums[f"all_{n}"] is not None}
    total = sum(known.values())
    if not total:
        return ChannelMix(fiscal_year=year, channels=[], total=0, not_offered=not_offered)
    take_up = [sums[f"online_{n}"] for n in CHANNEL_COUNT_FIELDS if sums[f"online_{n}"] is not None]
    return ChannelMix(
        fiscal_year=year,
        channels=[
            ChannelShare(
                field=name,
                label=CHANNEL_LABELS[name],
                requests=value,
                share=Decimal(value) / Decimal(total),
            )
            for name, value in known.items()
        ],
        total=total,
        online_requests=sums[f"online_{ONLINE}"],
        take_up_total=sum(take_up) if take_up else None,
        not_offered=not_offered,
    )
