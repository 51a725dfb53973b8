"""Who is reminded of late counts, in what order (docs/domain.md, "Periods and due
dates"; `manage.py send_reminders` sends them, on the schedule that runs it).

Owners first, then their manager:

1. A late widget's **owner** is reminded from the first day after its counts were
   due, at every run, until they are entered.
2. Once its counts are `REMINDER_MANAGER_AFTER_DAYS` (7) days late, the owner's
   **manager** is reminded as well: the manager of the widget's program, else the
   agency's managers. Never the owner twice: an owner who is also the manager is
   reminded once, as the owner.
3. A widget with no owner who can be reminded (none, inactive, or no e-mail) goes
   to the manager from the first day: nobody else would hear of it.

`reminder_order` returns the reminders in the order they are sent: every owner's
first (by name), then every manager's (by name), each with the widgets it names.
"""

from dataclasses import dataclass, field

from django.conf import settings

from agencies.models import Membership, Role
from agencies.people import display_name

from ..flow import due_date

OWNER = "owner"
MANAGER = "manager"


@dataclass
class Reminder:
    to: object  # the user
    role: str  # OWNER or MANAGER
    widgets: list = field(default_factory=list)  # each with .due_period and .days_late


def _reachable(user):
    return user is not None and user.is_active and bool(user.email)


def managers_of(widget, agency_managers):
    """Who answers for the widget's owner: the program's manager, else the agency's
    managers (`agency_managers`: {agency id: [users]})."""
    program_manager = widget.program.manager if widget.program_id else None
    if _reachable(program_manager):
        return [program_manager]
    return [u for u in agency_managers.get(widget.agency_id, []) if _reachable(u)]


def reminder_order(late, *, today, agency_managers, manager_after_days=None):
    """The reminders for `late` widgets (widgets.flow.late_widgets, with `program`,
    `program.manager` and `owner` loaded), owners first then managers.

    `agency_managers`: {agency id: [managers]} (see `agency_managers`)."""
    after = manager_after_days
    if after is None:
        after = settings.REMINDER_MANAGER_AFTER_DAYS
    owners, managers = {}, {}
    for widget in late:
        widget.days_late = (today - due_date(widget.due_period, widget.reporting_frequency)).days
        owner = widget.owner if _reachable(widget.owner) else None
        if owner is not None:
            owners.setdefault(owner.pk, Reminder(owner, OWNER)).widgets.append(widget)
        if owner is None or widget.days_late >= after:
            for manager in managers_of(widget, agency_managers):
                if owner is not None and manager.pk == owner.pk:
                    continue
                managers.setdefault(manager.pk, Reminder(manager, MANAGER)).widgets.append(widget)

    def by_name(reminder):
        return (display_name(reminder.to), reminder.to.pk)

    return sorted(owners.values(), key=by_name) + sorted(managers.values(), key=by_name)


def agency_managers(agency_ids):
    """{agency id: [its managers]} in one query."""
    found = {}
    for membership in Membership.objects.filter(
        agency_id__in=agency_ids, role=Role.MANAGER
    ).select_related("user"):
        found.setdefault(membership.agency_id, []).append(membership.user)
    return found
