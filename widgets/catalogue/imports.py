"""Bulk import of widget definitions from CSV/XLSX: previewed row by row, then
saved all-or-nothing as drafts. Each row goes through the same WidgetForm as
the browser form, so the rules are the same. The page is
widgets.catalogue.views.DefinitionUpload."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from agencies.errors import UploadRejected
from agencies.models import Agency
from agencies.previews import ERROR, NEW, Preview
from agencies.scoping import STAFF

from .. import coach
from ..models import Channel
from . import services
from .forms import WidgetForm

COLUMNS = [
    ("agency", "Agency abbreviation, e.g. DEQ (required)"),
    ("program", "Program name, as in the catalogue (required)"),
    ("name", "Widget name: a noun a customer receives (required)"),
    (
        "kind",
        "permit, license, certificate, registration, report, inspection, payment, "
        "grant, decision, record or other (required)",
    ),
    ("description", "What the customer receives"),
    ("customer_segments", "Segment names separated by semicolons"),
    ("definition_of_done", "When one widget is delivered"),
    ("unit_of_count", "What you count"),
    ("channels", "online, in_person, mail, phone; separated by semicolons"),
    ("reporting_frequency", "day, week, month or quarter (default month)"),
    ("standard_days", "Service standard: days"),
    ("standard_share", "Service standard: share meeting it, 0-100"),
    ("fee", "Fee in dollars"),
    ("legal_authority", "Statute or rule"),
    ("owner", "Username of the owner"),
]
REQUIRED = ("agency", "program", "name", "kind")
TEMPLATE_EXAMPLE = {
    "agency": "DEQ",
    "program": "Air Quality",
    "name": "Open burning permit",
    "kind": "permit",
    "description": "Permission to burn yard waste on a given day.",
    "customer_segments": "Residents",
    "definition_of_done": "The permit is emailed to the applicant.",
    "unit_of_count": "permit issued",
    "channels": "online; phone",
    "reporting_frequency": "month",
    "standard_days": "2",
    "standard_share": "95",
}


@dataclass
class RowResult:
    number: int
    name: str
    agency: str = ""
    errors: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    form: WidgetForm | None = None

    # The preview-row protocol (agencies.previews); a definition is always new.
    warnings = ()
    cells = ()

    @property
    def status(self):
        return ERROR if self.errors else NEW

    @property
    def label(self):
        return f"{self.name} ({self.agency})" if self.agency else self.name

    @property
    def messages(self):
        return self.errors

    @property
    def notes(self):
        return [] if self.errors else coach.as_notes(self.findings)


def _split(value):
    return [part.strip() for part in str(value or "").replace(",", ";").split(";") if part.strip()]


def _text(value):
    return "" if value is None else str(value).strip()


class DefinitionImport:
    def __init__(self, *, user):
        self.user = user
        self.agencies = {
            a.abbreviation.lower(): a
            for a in Agency.objects.changeable_by(user, STAFF).prefetch_related(
                "programs", "segments"
            )
        }
        self.usernames = {}

    def _row(self, number, values, seen):
        name = _text(values.get("name"))
        result = RowResult(number=number, name=name or "(no name)")
        agency = self.agencies.get(_text(values.get("agency")).lower())
        if agency is None:
            result.errors.append(
                f"agency: “{_text(values.get('agency'))}” is not an agency you can define "
                "widgets for."
            )
            return result
        result.agency = agency.abbreviation
        key = (agency.pk, name.lower())
        if name and key in seen:
            result.errors.append(f"name: “{name}” appears twice in this file (row {seen[key]}).")
        seen.setdefault(key, number)
        data = self._form_data(agency, values, result)
        form = WidgetForm(data, agency=agency)
        if form.is_valid():
            result.form = form
            result.findings = form.instance.coach_findings(
                customer_count=len(form.cleaned_data["customer_segments"])
            )
        else:
            for field_name, errors in form.errors.items():
                label = "row" if field_name == "__all__" else field_name
                result.errors.extend(f"{label}: {e}" for e in errors)
        return result

    def _form_data(self, agency, values, result):
        programs = {p.name.lower(): p.pk for p in agency.programs.all()}
        segments = {s.name.lower(): s.pk for s in agency.segments.all() if not s.archived}
        program = _text(values.get("program"))
        data = {
            "program": programs.get(program.lower(), ""),
            "name": _text(values.get("name")),
            "kind": _text(values.get("kind")).lower(),
            "description": _text(values.get("description")),
            "definition_of_done": _text(values.get("definition_of_done")),
            "unit_of_count": _text(values.get("unit_of_count")),
            "reporting_frequency": _text(values.get("reporting_frequency")).lower() or "month",
            "standard_days": _text(values.get("standard_days")),
            "standard_share": _text(values.get("standard_share")),
            "fee": _text(values.get("fee")),
            "legal_authority": _text(values.get("legal_authority")),
        }
        if program and not data["program"]:
            result.errors.append(f"program: {agency.abbreviation} has no program “{program}”.")
        chosen = []
        for segment in _split(values.get("customer_segments")):
            if segment.lower() in segments:
                chosen.append(segments[segment.lower()])
            else:
                result.errors.append(
                    f"customer_segments: {agency.abbreviation} has no segment “{segment}”."
                )
        data["customer_segments"] = chosen
        channel_by_text = {c.value: c.value for c in Channel} | {
            c.label.lower(): c.value for c in Channel
        }
        data["channels"] = [
            channel_by_text.get(c.lower(), c) for c in _split(values.get("channels"))
        ]
        owner = _text(values.get("owner"))
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            data["owner"] = user.pk if user else ""
            if user is None:
                result.errors.append(f"owner: no user “{owner}”.")
        return data

    def preview(self, rows):
        """A Preview of a RowResult per row; `rows` from tabular.read_rows (REQUIRED)."""
        seen = {}
        return Preview([self._row(number, values, seen) for number, values in rows])

    def commit(self, preview):
        """Save every row as a draft, or nothing: call only when no row has errors."""
        if not preview.rows or preview.error_count:
            raise ValueError("Only a preview without errors can be committed.")
        try:
            with transaction.atomic():
                return [services.save_widget(form=r.form, by=self.user) for r in preview.rows]
        except IntegrityError as exc:
            raise UploadRejected(
                message="Someone saved a widget with one of these names meanwhile. Nothing was "
                "saved: upload the file again to see which."
            ) from exc
