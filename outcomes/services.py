"""Writes to outcomes, measurements, countermeasures and reviews.

Outcomes and countermeasures carry a `version` (optimistic locking): a save made
from an older version raises EditConflict and writes nothing. A review closes
only when every off-track item on its agenda has an open countermeasure, and
keeps its pack as a PDF when it closes (outcomes.packs).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.errors import EditConflict, require_version
from agencies.scoping import MANAGER, can_change

from .models import Countermeasure, Outcome, Review, ReviewStatus, StepChange
from .packs import render_pack
from .reviews import agenda


def _check_version(model, instance, expected_version):
    current = model.objects.select_for_update().get(pk=instance.pk)
    if current.version != require_version(expected_version):
        raise EditConflict(current)
    instance.version = current.version + 1


@transaction.atomic
def save_outcome(*, form, formset, by, expected_version=None):
    """Create or edit an outcome and its contributions from a valid form and formset."""
    outcome = form.instance
    if not can_change(by, outcome.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can change its outcomes.")
    if outcome.pk:
        _check_version(Outcome, outcome, expected_version)
        outcome._change_reason = "Edited"
    else:
        outcome.version = 1
        outcome._change_reason = "Created"
    outcome.full_clean()
    outcome.save()
    formset.instance = outcome
    formset.save()
    return outcome


@transaction.atomic
def save_measurement(*, measurement, by):
    measurement.entered_by = by
    measurement.full_clean()
    measurement.save()
    return measurement


@transaction.atomic
def save_countermeasure(*, countermeasure, by, expected_version=None, review=None):
    if not can_change(by, countermeasure.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can change its countermeasures.")
    if countermeasure.pk:
        _check_version(Countermeasure, countermeasure, expected_version)
    else:
        countermeasure.version = 1
    countermeasure.full_clean()
    countermeasure.save()
    if review is not None and review.agency_id == countermeasure.agency_id:
        review.countermeasures.add(countermeasure)
    return countermeasure


@transaction.atomic
def create_review(*, agency, month, by):
    if not can_change(by, agency.pk, MANAGER):
        raise PermissionDenied("Only managers of the agency can hold its reviews.")
    review = Review(agency=agency, month=month)
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def update_review(*, review, attendees, decisions, by):
    if not can_change(by, review.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can change its reviews.")
    if review.status == ReviewStatus.CLOSED:
        raise ValidationError("This review is closed; its record can no longer change.")
    review.attendees, review.decisions = attendees, decisions
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def close_review(*, review, by):
    """Close a review and keep its pack (a PDF) as it stands at closing; refused
    while an off-track item has no open countermeasure."""
    review = Review.objects.select_for_update().select_related("agency").get(pk=review.pk)
    if not can_change(by, review.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can close its reviews.")
    if review.status == ReviewStatus.CLOSED:
        raise ValidationError("This review is already closed.")
    items = agenda(review, reader=by)
    uncovered = items.uncovered
    if uncovered:
        names = "; ".join(f"“{item.name}”" for item in uncovered)
        raise ValidationError(
            f"The review cannot be closed: {len(uncovered)} off-track item"
            f"{'s have' if len(uncovered) > 1 else ' has'} no open countermeasure ({names}). "
            "Add a countermeasure for each, then close the review."
        )
    covering = Countermeasure.objects.open().filter(
        agency_id=review.agency_id,
        outcome__in=[o.pk for o in items.off_track_outcomes],
    ) | Countermeasure.objects.open().filter(
        agency_id=review.agency_id, widget__in=[w.pk for w in items.off_track_widgets]
    )
    review.countermeasures.add(*covering)
    review.status = ReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.closed_by = by
    review.full_clean()
    _print_pack(review, by=by, made_at=review.closed_at)
    review.save()
    return review


@transaction.atomic
def keep_review_pack(*, review, by):
    """Print the review's pack now and keep it with the review: on demand while the
    review is open (a draft, replaced by the one made at closing), or for a review
    closed before packs were kept. A closed review's kept pack never changes."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("agency", "closed_by")
        .get(pk=review.pk)
    )
    if not can_change(by, review.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can make its review packs.")
    if review.status == ReviewStatus.CLOSED and review.pack:
        raise ValidationError(
            "This review is closed: its pack is kept as it was when the review closed."
        )
    _print_pack(review, by=by, made_at=timezone.now())
    review.save(update_fields=["pack", "pack_made_at", "updated_at"])
    return review


def _print_pack(review, *, by, made_at):
    """Render the pack and put it in media storage; the caller saves the review.
    A replaced draft is deleted once the new one is committed."""
    replaced = review.pack.name if review.pack else None
    pdf = render_pack(review, by=by, made_at=made_at)
    review.pack.save(f"{review.pk}.pdf", ContentFile(pdf), save=False)
    review.pack_made_at = made_at
    if replaced:
        storage = review.pack.storage
        transaction.on_commit(lambda: storage.delete(replaced))


@transaction.atomic
def record_step_change(*, outcome, starts_on, reason, by):
    """Record that the outcome's process changed: its limits restart at `starts_on`.

    `starts_on` must be the date of one of its measurements after the first (a
    new period starts at a point); one step change per date.
    """
    if not can_change(by, outcome.agency_id, MANAGER):
        raise PermissionDenied("Only managers of the agency can record step changes.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say what changed: a step change needs its reason.")
    dates = list(outcome.measurements.order_by("date").values_list("date", flat=True))
    if starts_on not in dates[1:]:
        raise ValidationError(
            "Choose the date of a measurement after the first: the new period starts there."
        )
    taken = ValidationError(f"A step change from {starts_on:%-d %B %Y} is already recorded.")
    if outcome.step_changes.filter(starts_on=starts_on).exists():
        raise taken
    step = StepChange(outcome=outcome, starts_on=starts_on, reason=reason, recorded_by=by)
    step._change_reason = "Recorded"
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError:  # someone recorded the same date a moment ago
        raise taken from None
    return step
