"""Writes about customer segments: saving a segment with the widgets it receives."""

from django.db import IntegrityError, transaction


class SegmentNotSaved(Exception):
    """The database refused the change (a rule the form did not catch)."""


# Called with (widgets, by) for the definitions whose customers a segment's save
# changed, inside its transaction. `widgets` registers the one that treats it as an
# edit of each definition (four eyes, versions: widgets.apps); customers may not
# import widgets (docs/architecture.md, "Apps and layering").
RELINKED = []


@transaction.atomic
def save_segment(*, segment, widgets, by):
    """Save the segment and set the widgets it receives, all or nothing.

    The links are changed from the widget's side (`widget.customer_segments`)
    so that each widget's history records who receives it. Who receives a
    widget is part of its definition: each widget whose customers change is
    edited by `by` (the RELINKED hooks), so `by` may not then approve it, and a
    definition's edit form opened before this save is told, not obeyed.
    """
    segment.full_clean()
    try:
        with transaction.atomic():
            segment.save()
            chosen = {w.pk: w for w in widgets}
            current = {w.pk: w for w in segment.widgets.all()}
            removed, added = current.keys() - chosen.keys(), chosen.keys() - current.keys()
            for pk in removed:
                current[pk].customer_segments.remove(segment)
            for pk in added:
                chosen[pk].customer_segments.add(segment)
            changed = [current[pk] for pk in removed] + [chosen[pk] for pk in added]
            if changed:
                for hook in RELINKED:
                    hook(changed, by=by)
    except IntegrityError as exc:
        raise SegmentNotSaved(
            "This segment could not be saved: another segment of the agency may have the same name."
        ) from exc
    return segment


def set_archived(*, segment, archived):
    segment.archived = archived
    segment.save(update_fields=["archived", "updated_at"])
    return segment
