"""Count reminders: e-mail each widget owner the counts they are late with.

The background worker sends them daily at settings.REMINDERS_AT (the scheduled
task `send_reminders`, agencies.schedule: once a day however many workers run);
`manage.py send_reminders` sends them by hand, or from cron where no worker runs.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from .. import flow
from ..models import Widget
from ..periods import describe_period


def reminders(*, today=None, base_url=""):
    """[(owner, [late widgets], e-mail message)]: one per owner with counts past due."""
    late = (
        flow.late_widgets(Widget.objects.filter(owner__isnull=False, owner__is_active=True), today)
        .exclude(owner__email="")
        .select_related("owner", "agency")
        .order_by("owner_id", "agency__name", "name")
    )
    by_owner = {}
    for widget in late:
        by_owner.setdefault(widget.owner, []).append(widget)
    found = []
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
        message = (subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
        found.append((owner, widgets, message))
    return found


@task()
def send_reminders():
    """The scheduled run (settings.WORKER_SCHEDULE): today's reminders, e-mailed."""
    found = reminders(base_url=settings.SITE_URL)
    if found:
        send_mass_mail([message for _, _, message in found], fail_silently=False)
    return {"reminders sent": len(found)}
