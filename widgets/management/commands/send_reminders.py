"""E-mail the counts that are late: to each widget's owner first, then, once they are
REMINDER_MANAGER_AFTER_DAYS late, to the owner's manager (widgets.reminders says
who, in what order). Run it daily, e.g. at 7:00: `python manage.py send_reminders`
(from cron, or the background worker's schedule)."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from widgets import flow
from widgets.models import Widget
from widgets.periods import describe_period
from widgets.reminders import OWNER, agency_managers, reminder_order


class Command(BaseCommand):
    help = "E-mail late counts to their owners, then to the owners' managers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Say who would be e-mailed.")
        parser.add_argument(
            "--base-url",
            default="",
            help="Site address for links, e.g. https://widgets.example.gov",
        )

    def handle(self, *args, today=None, dry_run=False, base_url="", **options):
        today = today or timezone.localdate()
        late = list(
            flow.late_widgets(Widget.objects.all(), today)
            .select_related("owner", "agency", "program__manager")
            .order_by("agency__name", "name")
        )
        reminders = reminder_order(
            late, today=today, agency_managers=agency_managers({w.agency_id for w in late})
        )
        messages = [self.message(r, base_url) for r in reminders]
        for reminder in reminders:
            self.stdout.write(
                f"{reminder.to.email} ({reminder.role}): {len(reminder.widgets)} late"
            )
        if not dry_run and messages:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(
            f"{'Would send' if dry_run else 'Sent'} {len(messages)} reminder"
            f"{'s' if len(messages) != 1 else ''}."
        )

    def message(self, reminder, base_url):
        lines = []
        for w in reminder.widgets:
            owner = "" if reminder.role == OWNER else f", owner {_name(w.owner)}"
            lines.append(
                f"- {w.name} ({w.agency.abbreviation}): "
                f"{describe_period(w.due_period, w.reporting_frequency)} counts, "
                f"{w.days_late} day{'s' if w.days_late != 1 else ''} late{owner}, "
                f"{base_url}{reverse('widgets:count-entry', args=[w.agency.slug])}"
                f"?frequency={w.reporting_frequency}&period={w.due_period:%Y-%m-%d}"
            )
        if reminder.role == OWNER:
            intro = (
                f"These counts are past due (counts are due {flow.describe_lags()}). "
                "Please enter them, or leave a cell blank where a number is not known:"
            )
        else:
            intro = (
                "These counts of your program or agency are still missing, "
                f"{settings.REMINDER_MANAGER_AFTER_DAYS} days or more after they were due "
                "(or their widget has no owner to remind). Their owners have been reminded:"
            )
        body = (
            f"Hello {_name(reminder.to)},\n\n{intro}\n\n"
            + "\n".join(lines)
            + "\n\nThank you. This reminder comes from Widgets.\n"
        )
        n = len(reminder.widgets)
        subject = f"Widgets: {n} count{'s' if n > 1 else ''} past due"
        if reminder.role != OWNER:
            subject += ", for you to follow up"
        return (subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.to.email])


def _name(user):
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()
