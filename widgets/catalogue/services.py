"""Writes to widget definitions: create, edit with optimistic locking, and the
review workflow (docs/domain.md, "Review workflow").

Workflow: draft -> submitted -> approved, or returned (with a comment) -> draft
(on the next edit; it may also be resubmitted as it is); approved -> retired.
Editing an approved widget sends it back to submitted; retired ones are final.
Staff of the agency write and submit; a manager of the agency approves, returns
or retires.

Four eyes, stated here once (`may_review`): the last editor of a definition
may not approve or return it, whoever they are (an admin too), and a manager
may not approve or return a definition they submitted; another manager of the
agency (or an admin) reviews it. Agencies with one manager ask their
administrator. Every path that changes what a definition says records its
editor through `Widget.record_edit`: the edit form and the definition import
(`save_widget`), the service-inventory import, the Django admin. A workflow
step is not an edit. This keeps approval meaningful, as in most public-sector
review workflows.

Every change is saved with a history record naming who and why.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import transaction
from django.utils import timezone

from agencies.errors import EditConflict, require_version
from agencies.scoping import MANAGER, STAFF, can_change, is_admin

from ..models import Widget, WidgetStatus

# action -> (from statuses, to status, role needed)
TRANSITIONS = {
    "submit": ({WidgetStatus.DRAFT, WidgetStatus.RETURNED}, WidgetStatus.SUBMITTED, STAFF),
    "approve": ({WidgetStatus.SUBMITTED}, WidgetStatus.APPROVED, MANAGER),
    "return": ({WidgetStatus.SUBMITTED}, WidgetStatus.RETURNED, MANAGER),
    "retire": ({WidgetStatus.APPROVED}, WidgetStatus.RETIRED, MANAGER),
}
PAST_TENSE = {
    "submit": "submitted",
    "approve": "approved",
    "return": "returned",
    "retire": "retired",
}
# A workflow comment is kept whole or refused, never cut (widgets.catalogue.forms.TransitionForm).
COMMENT_VALIDATORS = [
    MaxLengthValidator(
        2000, "Keep the comment to %(limit_value)d characters (it has %(show_value)d)."
    ),
    ProhibitNullCharactersValidator("The comment holds a null character, which cannot be kept."),
]

ACTION_LABELS = {
    "submit": "Submit for review",
    "approve": "Approve",
    "return": "Return for changes",
    "retire": "Retire",
}


def allowed_actions(*, widget, user):
    """The workflow actions this user may take on this widget now."""
    return [
        action
        for action, (sources, _target, role) in TRANSITIONS.items()
        if widget.status in sources
        and can_change(user, widget.agency_id, role)
        and not _is_own_review(action, widget, user)
    ]


REVIEWS = {"approve", "return"}


def may_review(*, widget, user):
    """Four eyes: may this user approve or return this definition as it stands?"""
    if widget.last_edited_by_id is not None and widget.last_edited_by_id == user.pk:
        return False
    return widget.submitted_by_id != user.pk or is_admin(user)


def _is_own_review(action, widget, user):
    return action in REVIEWS and not may_review(widget=widget, user=user)


def _save(widget, *, by, reason):
    widget.version += 1
    widget._change_reason = reason
    widget.full_clean()
    widget.save()


@transaction.atomic
def transition_widget(*, widget, action, by, comment=""):
    """Move a widget through the workflow; raises PermissionDenied or ValidationError."""
    sources, target, role = TRANSITIONS[action]
    widget = Widget.objects.select_for_update().get(pk=widget.pk)
    if not can_change(by, widget.agency_id, role):
        raise PermissionDenied(f"Only {role}s of {widget.agency} can {action} its widgets.")
    if _is_own_review(action, widget, by):
        why = "made the last change to" if widget.last_edited_by_id == by.pk else "submitted"
        raise PermissionDenied(
            f"You {why} this definition, so another manager of the agency must review it."
        )
    if widget.status not in sources:
        raise ValidationError(
            f"A widget that is {widget.get_status_display().lower()} cannot be "
            f"{PAST_TENSE[action]}."
        )
    comment = comment.strip()
    for validate in COMMENT_VALIDATORS:
        validate(comment)
    if action == "return" and not comment:
        raise ValidationError("Say what needs to change, so the author can fix it.")
    if action == "submit":
        widget.submitted_by = by
        widget.submitted_at = timezone.now()
    if action in {"approve", "return"}:
        widget.review_comment = comment
    widget.status = target
    _save(widget, by=by, reason=f"{ACTION_LABELS[action]}{': ' + comment if comment else ''}")
    return widget


@transaction.atomic
def customers_changed(widgets, *, by):
    """Definitions whose customers changed from a segment's page (customers.services
    .save_segment): an edit by `by` like any other (record_edit: four eyes, back to
    review if approved), with a new version and a history record."""
    for widget in Widget.objects.select_for_update().filter(pk__in=[w.pk for w in widgets]):
        widget.record_edit(by=by)
        _save(widget, by=by, reason="Customers changed on a segment's page")


@transaction.atomic
def save_widget(*, form, by, expected_version=None):
    """Create or edit a widget from a bound, valid WidgetForm.

    Editing checks the version the form was opened at (VersionMissing without
    one); if someone saved since, EditConflict is raised and nothing is written.
    Editing an approved widget sends it back for review (its counts go on).
    """
    widget = form.instance
    if widget.pk:
        current = Widget.objects.select_for_update().get(pk=widget.pk)
        if current.version != require_version(expected_version):
            raise EditConflict(current)
        widget.version = current.version
        widget.status = current.status
        widget.submitted_by_id, widget.submitted_at = current.submitted_by_id, current.submitted_at
        widget.record_edit(by=by)
        reason = "Edited"
    else:
        widget.status = WidgetStatus.DRAFT
        widget.version = 0
        widget.last_edited_by = by
        reason = "Created"
    _save(widget, by=by, reason=reason)
    form.save_relations()
    return widget
