"""E-mail each widget owner the counts they are late with. Run it from cron, e.g.
daily at 7:00: `python manage.py send_reminders`."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from widgets import flow
from widgets.models import Widget
from widgets.periods import describe_period


class Command(BaseCommand):
    help = "E-mail widget owners whose latest due counts are missing."

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
        late = (
            flow.late_widgets(
                Widget.objects.filter(owner__isnull=False, owner__is_active=True), today
            )
            .exclude(owner__email="")
            .select_related("owner", "agency")
            .order_by("owner_id", "agency__name", "name")
        )
        by_owner = {}
        for widget in late:
            by_owner.setdefault(widget.owner, []).append(widget)
        messages = []
        for owner, widgets in by_owner.items():
            lines = [
                f"- {w.name} ({w.agency.abbreviation}): "
                f"{describe_period(w.due_period, w.reporting_frequency)} counts, "
                f"{base_url}{reverse('widgets:count-entry', args=[w.agency.slug])}"
                f"?frequency={w.reporting_frequency}&period={w.due_period:%Y-%m-%d}"
                for w in widgets
            ]
            body = (
                f"Hello {owner.get_full_name() or owner.get_username()},\n\n"
                f"These counts are past due (counts are due {flow.describe_lags()}). "
                "Please enter them, or leave a cell blank where a number is not known:\n\n"
                + "\n".join(lines)
                + "\n\nThank you. This reminder comes from Widgets.\n"
            )
            subject = f"Widgets: {len(widgets)} count{'s' if len(widgets) > 1 else ''} past due"
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email]))
            self.stdout.write(f"{owner.email}: {len(widgets)} late")
        if not dry_run and messages:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(
            f"{'Would send' if dry_run else 'Sent'} {len(messages)} reminder"
            f"{'s' if len(messages) != 1 else ''}."
        )
