"""Import a Government of Canada Service Inventory from the command line.

The same preview and all-or-nothing commit as the import page. Run by whoever
runs the servers, so it may create agencies named by owner_org (as an
administrator may); --agency puts every service into one existing agency.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from agencies.tabular import UploadError
from widgets.interop.gc_commit import commit
from widgets.interop.gc_inventory import InventoryImport


class Command(BaseCommand):
    help = "Import a service inventory (services file, optional standards file) as widgets."

    def add_arguments(self, parser):
        parser.add_argument("services", help="CSV or XLSX file of services")
        parser.add_argument("standards", nargs="?", help="CSV or XLSX file of service standards")
        parser.add_argument("--agency", help="Agency code that gets every service")
        parser.add_argument("--dry-run", action="store_true", help="Preview only; save nothing")

    def handle(self, *args, **options):
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(abbreviation__iexact=options["agency"]).first()
            if agency is None:
                raise CommandError(f"There is no agency {options['agency']}.")
        paths = [Path(p) for p in (options["services"], options["standards"]) if p]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        files = [path.open("rb") for path in paths]
        try:
            pairs = [(f, path.name) for f, path in zip(files, paths, strict=True)]
            preview = InventoryImport(agency=agency).preview(
                pairs[0], pairs[1] if len(pairs) > 1 else None
            )
        except UploadError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for f in files:
                f.close()
        self._report(preview)
        if preview.error_count:
            raise CommandError(f"{preview.error_count} blocking error(s): nothing was saved.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was saved.")
            return
        summary = commit(preview, files=tuple(Path(p).name for p in paths))
        self.stdout.write(self.style.SUCCESS(f"Saved: {summary}"))

    def _report(self, preview):
        for code, name in preview.new_agencies.items():
            self.stdout.write(f"new agency {code}: {name}")
        for issue in preview.issues:
            self.stderr.write(f"error: {issue}")
        for plan in preview.plans:
            self.stdout.write(f"{plan.status:9} {plan.service_id} {plan.name}")
            for issue in plan.errors:
                self.stderr.write(f"  error: {issue}")
            for issue in plan.warnings:  # findings, graded: the rows are imported
                self.stdout.write(f"  {issue}")
        self.stdout.write(
            f"{len(preview.plans)} services: {preview.new_count} new, {preview.changed_count} "
            f"with changes, {preview.unchanged_count} unchanged, "
            f"{preview.tally('error')} with errors."
        )
