"""Writes about customer segments: saving a segment with the widgets it receives."""

from django.db import IntegrityError, transaction


class SegmentNotSaved(Exception):
    """The database refused the change (a rule the form did not catch)."""


@transaction.atomic
def save_segment(*, segment, widgets):
    """Save the segment and set the widgets it receives, all or nothing.

    The links are changed from the widget's side (`widget.customer_segments`)
    so that each widget's history records who receives it.
    """
    segment.full_clean()
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        raise SegmentNotSaved(
            "This segment could not be saved: another segment of the agency may have the same name."
        ) from exc
    chosen = {w.pk: w for w in widgets}
    current = {w.pk: w for w in segment.widgets.all()}
    for pk in current.keys() - chosen.keys():
        current[pk].customer_segments.remove(segment)
    for pk in chosen.keys() - current.keys():
        chosen[pk].customer_segments.add(segment)
    return segment


def set_archived(*, segment, archived):
    segment.archived = archived
    segment.save(update_fields=["archived", "updated_at"])
    return segment
