"""Late data: reminders go only to owners with missing counts; the home page says so."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from widgets import flow
from widgets.counting.reminder_order import agency_managers, reminder_order
from widgets.models import Widget, WidgetStatus

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


# --- who is reminded, in what order (widgets.counting.reminder_order) ---
# October's counts were due 10 November: on 13 November they are 3 days late, on the
# 20th 10 days late.


@pytest.fixture
def people(agency_a, settings):
    settings.COUNTS_DUE_DAYS = 10
    settings.REMINDER_MANAGER_AFTER_DAYS = 7
    make = f.UserFactory
    found = {
        "owner": make(username="owner", first_name="Olga", last_name="Owner"),
        "lead": make(username="lead", first_name="Lee", last_name="Lead"),
        "director": make(username="director", first_name="Dee", last_name="Director"),
    }
    f.MembershipFactory(user=found["director"], agency=agency_a, role="manager")
    return found


def _late_widget(agency, *, owner, manager=None, name="Air permit"):
    program = f.ProgramFactory(agency=agency, manager=manager, name=f"{name} program")
    return f.WidgetFactory(
        agency=agency, program=program, owner=owner, name=name, status=WidgetStatus.APPROVED
    )


def _order(today, agency_ids):
    late = list(
        flow.late_widgets(Widget.objects.all(), today).select_related("owner", "program__manager")
    )
    found = reminder_order(late, today=today, agency_managers=agency_managers(agency_ids))
    return [(r.to.username, r.role, sorted(w.name for w in r.widgets)) for r in found]


def test_the_owner_is_reminded_first_and_the_manager_only_after_a_week(people, agency_a):
    _late_widget(agency_a, owner=people["owner"], manager=people["lead"])
    assert _order(dt.date(2026, 11, 13), [agency_a.pk]) == [("owner", "owner", ["Air permit"])]
    assert _order(dt.date(2026, 11, 20), [agency_a.pk]) == [
        ("owner", "owner", ["Air permit"]),
        ("lead", "manager", ["Air permit"]),  # the program's manager, not the agency's
    ]


def test_without_a_program_manager_the_agencys_managers_hear_of_it(people, agency_a):
    _late_widget(agency_a, owner=people["owner"])
    assert _order(dt.date(2026, 11, 20), [agency_a.pk]) == [
        ("owner", "owner", ["Air permit"]),
        ("director", "manager", ["Air permit"]),
    ]


def test_an_owner_who_is_also_the_manager_is_reminded_once(people, agency_a):
    _late_widget(agency_a, owner=people["lead"], manager=people["lead"])
    assert _order(dt.date(2026, 11, 20), [agency_a.pk]) == [("lead", "owner", ["Air permit"])]


def test_a_widget_nobody_owns_goes_to_the_manager_from_the_first_day(people, agency_a):
    _late_widget(agency_a, owner=None, manager=people["lead"], name="Orphan permit")
    gone = f.UserFactory(username="gone", is_active=False)
    _late_widget(agency_a, owner=gone, manager=people["lead"], name="Left permit")
    _late_widget(agency_a, owner=people["owner"], manager=people["lead"], name="Owned permit")
    assert _order(dt.date(2026, 11, 13), [agency_a.pk]) == [
        ("owner", "owner", ["Owned permit"]),
        ("lead", "manager", ["Left permit", "Orphan permit"]),
    ]


def test_the_command_sends_owners_theirs_before_managers_theirs(people, agency_a):
    _late_widget(agency_a, owner=people["owner"], manager=people["lead"])
    call_command("send_reminders", today=dt.date(2026, 11, 20), stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["owner@example.gov"], ["lead@example.gov"]]
    assert "10 days late" in mail.outbox[0].body
    assert "owner Olga Owner" in mail.outbox[1].body
