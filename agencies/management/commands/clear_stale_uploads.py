"""Delete uploaded files whose preview was never committed or cancelled.

An upload waits in the default storage between its preview and its commit
(agencies.tabular.stash) for at most STASH_MAX_AGE; after that its ticket has
expired and the file is of no use. Every new stash clears the old ones too;
this command is for a quiet site, and for storage shared by several hosts.
The worker does it hourly (agencies.housekeeping); run it by hand:
`python manage.py clear_stale_uploads`.
"""

from django.core.management.base import BaseCommand

from agencies.tabular import STASH_MAX_AGE, clear_stale_stashes


class Command(BaseCommand):
    help = "Delete stashed upload files older than the preview's lifetime."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            default=STASH_MAX_AGE,
            help=f"Delete stashed files older than this, in seconds (default {STASH_MAX_AGE}).",
        )

    def handle(self, *args, max_age, **options):
        deleted = clear_stale_stashes(max_age=max_age)
        self.stdout.write(f"Deleted {deleted} stale upload{'s' if deleted != 1 else ''}.")
