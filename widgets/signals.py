"""Keep each widget's stored coach verdict in step with its customer segments,
which change after the widget itself is saved (forms save many-to-many last,
and segments can be edited from the segment's side too)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Widget


@receiver(m2m_changed, sender=Widget.customer_segments.through)
def refresh_quality_after_segments_change(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        # Clearing from the segment's side names no widgets afterwards.
        instance._widgets_being_cleared = list(instance.widgets.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        widgets = [instance]
    else:
        pks = pk_set if pk_set is not None else getattr(instance, "_widgets_being_cleared", [])
        widgets = Widget.objects.filter(pk__in=pks)
    for widget in widgets:
        widget.refresh_quality()
        Widget.objects.filter(pk=widget.pk).update(
            quality_score=widget.quality_score, problem_count=widget.problem_count
        )
