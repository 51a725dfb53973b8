import datetime as dt
from decimal import Decimal

import pytest

from outcomes.dashboard import add_months, reference_month
from tests import factories as f
from widgets.models import WidgetStatus


def months_back(n):
    """The first day of the month n months before the latest due month."""
    return add_months(reference_month(), -n)


@pytest.fixture
def world(agency_a, manager_a, staff_a):
    """Agency A: one program, an on-time widget, a slow widget, an off-track outcome."""
    program = f.ProgramFactory(agency=agency_a, name="Air permits")
    good = f.WidgetFactory(
        agency=agency_a, program=program, name="Air permit", status=WidgetStatus.APPROVED
    )
    slow = f.WidgetFactory(
        agency=agency_a, program=program, name="Water permit", status=WidgetStatus.APPROVED
    )
    balanced = {"demand": 100, "delivered": 100, "withdrawn": 0, "backlog": 20}
    for n in range(3):
        month = months_back(n)
        f.WidgetCountFactory(widget=good, period_start=month, within_standard=95, **balanced)
        f.WidgetCountFactory(widget=slow, period_start=month, within_standard=50, **balanced)
    # Down is better, 40 -> 20 over three years; 45 now is far above the line.
    outcome = f.OutcomeFactory(
        agency=agency_a,
        program=program,
        name="Cleaner air",
        baseline_date=add_months(reference_month(), -12),
        target_date=add_months(reference_month(), 24),
    )
    for n in range(8):
        f.MeasurementFactory(outcome=outcome, date=months_back(7 - n), value=Decimal(38 + n))
    f.ContributionFactory(outcome=outcome, widget=good)
    return {"program": program, "good": good, "slow": slow, "outcome": outcome}


@pytest.fixture
def today():
    return dt.date.today()


def off_track_widget(agency, name, within_standard):
    """An approved monthly widget with a 90% standard and 100 delivered this month,
    `within_standard` of them on time: off track below 85."""
    widget = f.WidgetFactory(
        agency=agency,
        name=name,
        status=WidgetStatus.APPROVED,
        reporting_frequency="month",
        standard_share=90,
    )
    f.WidgetCountFactory(
        widget=widget, period_start=months_back(0), delivered=100, within_standard=within_standard
    )
    return widget
