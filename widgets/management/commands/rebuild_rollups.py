"""Make every roll-up of counts again from the counts (widgets.rollups).

    manage.py rebuild_rollups           # in one transaction
    manage.py rebuild_rollups --check   # compare them with a fresh sum; exit 1 if any differ

The triggers keep them exact; rebuild after changing FISCAL_YEAR_START_MONTH, or
after loading counts with the triggers switched off.
"""

from django.core.management.base import BaseCommand, CommandError

from widgets import rollups, rollups_check
from widgets.models import CountRollup, WidgetCount


class Command(BaseCommand):
    help = "Make the roll-ups of counts again from the counts (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare with a fresh sum; change nothing."
        )

    def handle(self, *args, check=False, **options):
        if not check:
            made = rollups.rebuild()
            counts = WidgetCount.objects.count()
            self.stdout.write(f"{made:,} roll-ups made from {counts:,} counts.")
            return
        found = rollups_check.differences(
            WidgetCount.objects.order_by("widget_id", "period_start").iterator(chunk_size=20000),
            CountRollup.objects.order_by().iterator(chunk_size=20000),
        )
        for key, column, have, want in found[:20]:
            self.stderr.write(f"{key}: {column} is {have}, the counts sum to {want}")
        if found:
            raise CommandError(f"{len(found)} roll-up figures differ from the counts.")
        self.stdout.write(f"{CountRollup.objects.count():,} roll-ups match the counts.")
