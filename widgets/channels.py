"""Demand by channel and digital take-up, derived from counts, never stored.

Digital take-up = requests online / requests through every channel with a known
count, over the latest fiscal year that has any channel counts. A channel whose
count is unknown is left out of the denominator (unknown is not zero); with no
channel counts at all there is no mix.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, Sum

from .models import CHANNEL_COUNT_FIELDS
from .periods import fiscal_year, fiscal_year_start

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

    @property
    def online_share(self):
        for channel in self.channels:
            if channel.field == "channel_online":
                return channel.share
        return None

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
    sums = counts.filter(period_start__range=(start, end)).aggregate(
        **{name: Sum(name) for name in CHANNEL_COUNT_FIELDS}
    )
    known = {name: value for name, value in sums.items() if value is not None}
    total = sum(known.values())
    if not total:
        return ChannelMix(fiscal_year=year, channels=[], total=0)
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
    )
