"""Roll up every hosted survey's answers into its widget's collected survey results.

Each answer already does this as it is saved (widgets.surveys.rollup); run this
after removing entered results of a quarter whose answers were held, or to check
that the stored roll-ups equal their answers (it rewrites only what differs).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from widgets.models import Widget
from widgets.surveys import rollup


class Command(BaseCommand):
    help = "Roll up hosted surveys' answers into the widgets' collected survey results."

    def handle(self, *args, **options):
        widgets = Widget.objects.filter(surveys__isnull=False).distinct().order_by("pk")
        for widget in widgets:
            with transaction.atomic():
                rollup.lock_widget(widget)
                periods = rollup.roll_up_all(widget=widget)
            held = rollup.held_periods(widget)
            note = f"; held for entered results: {', '.join(map(str, held))}" if held else ""
            self.stdout.write(f"{widget.name}: {periods} period(s) rolled up{note}")
