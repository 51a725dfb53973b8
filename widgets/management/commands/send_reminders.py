"""E-mail the counts that are late, now: each owner theirs first, then the owners'
managers (widgets.counting.reminders).

The background worker already does it daily at REMINDERS_AT (docs/operations.md);
this command is for a run by hand, or from cron where no worker runs:
`python manage.py send_reminders`."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand

from widgets.counting.reminders import reminders


class Command(BaseCommand):
    help = "E-mail late counts to their owners, then to the owners' managers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Say who would be e-mailed.")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Site address for links, e.g. https://widgets.example.gov (default: SITE_URL)",
        )

    def handle(self, *args, today=None, dry_run=False, base_url="", **options):
        found = reminders(today=today, base_url=base_url)
        for to, widgets, _message in found:
            self.stdout.write(f"{to.email}: {len(widgets)} late")
        if not dry_run and found:
            send_mass_mail([message for _, _, message in found], fail_silently=False)
        self.stdout.write(
            f"{'Would send' if dry_run else 'Sent'} {len(found)} reminder"
            f"{'s' if len(found) != 1 else ''}."
        )
