"""Count reminders: e-mail each widget owner the counts they are late with, then
their manager once a count stays missing (reminder_order: who, in what order).

The background worker sends them daily at settings.REMINDERS_AT (the scheduled
task `send_reminders`, agencies.schedule: once a day however many workers run);
`manage.py send_reminders` sends them by hand, or from cron where no worker runs.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from agencies.people import display_name

from .. import flow
from ..models import Widget
from ..periods import describe_period
from .reminder_order import OWNER, agency_managers, reminder_order


def reminders(*, today=None, base_url=""):
    """[(recipient, [late widgets], e-mail message)], owners' first: each owner the
    counts they are late with, then, once a count is REMINDER_MANAGER_AFTER_DAYS
    late (or its widget has no owner), the owner's manager (reminder_order
    says who, in what order)."""
    today = today or timezone.localdate()
    late = list(
        flow.late_widgets(Widget.objects.all(), today)
        .select_related("owner", "agency", "program__manager")
        .order_by("agency__name", "name")
    )
    order = reminder_order(
        late, today=today, agency_managers=agency_managers({w.agency_id for w in late})
    )
    return [(r.to, r.widgets, _message(r, base_url)) for r in order]


def _message(reminder, base_url):
    lines = []
    for w in reminder.widgets:
        owner = "" if reminder.role == OWNER else f", owner {display_name(w.owner)}"
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
        f"Hello {display_name(reminder.to)},\n\n{intro}\n\n"
        + "\n".join(lines)
        + "\n\nThank you. This reminder comes from Widgets.\n"
    )
    n = len(reminder.widgets)
    subject = f"Widgets: {n} count{'s' if n > 1 else ''} past due"
    if reminder.role != OWNER:
        subject += ", for you to follow up"
    return (subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.to.email])


@task()
def send_reminders():
    """The scheduled run (settings.WORKER_SCHEDULE): today's reminders, e-mailed."""
    found = reminders(base_url=settings.SITE_URL)
    if found:
        send_mass_mail([message for _, _, message in found], fail_silently=False)
    return {"reminders sent": len(found)}
