"""Late data: reminders go only to owners with missing counts; the home page says so."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from widgets.models import WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)  # October's counts were due 10 November


@pytest.fixture
def owners(agency_a, settings):
    settings.COUNTS_DUE_DAYS = 10
    late_owner = f.UserFactory(username="late", email="late@example.gov")
    done_owner = f.UserFactory(username="done", email="done@example.gov")
    late = f.WidgetFactory(
        agency=agency_a, owner=late_owner, status=WidgetStatus.APPROVED, name="Late permit"
    )
    done = f.WidgetFactory(agency=agency_a, owner=done_owner, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=done, period_start=dt.date(2026, 10, 1))
    f.WidgetFactory(agency=agency_a, owner=done_owner, status=WidgetStatus.DRAFT)
    return late_owner, done_owner, late


def test_reminders_go_only_to_owners_with_missing_counts(owners):
    call_command("send_reminders", today=TODAY, stdout=io.StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["late@example.gov"]
    assert "Late permit (DA): October 2026 counts" in message.body
    assert "/widgets/counts/da/?frequency=month&period=2026-10-01" in message.body


def test_dry_run_sends_nothing(owners):
    call_command("send_reminders", today=TODAY, dry_run=True, stdout=io.StringIO())
    assert mail.outbox == []


def test_home_page_lists_missing_counts(client, owners, staff_a, settings):
    client.force_login(owners[0])  # an owner, not a member: sees nothing of the agency
    assert "Waiting for access" in client.get(reverse("home")).content.decode()
    client.force_login(staff_a)
    body = client.get(reverse("home")).content.decode()
    assert "DA: 1 widget missing" in body
    assert "counts." in body
