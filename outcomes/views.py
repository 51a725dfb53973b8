"""Outcome pages: list, detail with run chart, create / edit with contributions,
measurements by form and by upload, and the public page of an agency."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies import versions
from agencies.models import Agency
from agencies.paging import paged
from agencies.permissions import MANAGER, PUBLIC, READ, SIGNED_IN, STAFF, grant
from agencies.scoping import can_change
from agencies.tabular import template_response
from agencies.uploads import UploadView
from config.forms import refuse_stale_save
from widgets.models import Widget

from . import imports, open_data, public_charts, services
from .charts import outcome_chart
from .dashboard import public_widgets
from .forms import (
    ContributionFormSet,
    MeasurementForm,
    OutcomeForm,
    OutcomeListForm,
    StepChangeForm,
)
from .models import Outcome
from .selectors import run_chart, with_latest, with_marks, with_status

# Outcomes a page of the list shows: a state has hundreds, each with its marks
# worked out from all its measurements (only the page's are).
OUTCOMES_PER_PAGE = 50


@grant(SIGNED_IN)
def outcome_list(request):
    """Every outcome the reader may read, by agency and name, 50 a page, filtered by
    agency and status. A page past the end shows the last, a page that is not a
    number the first (as the widget list)."""
    form = OutcomeListForm(request.GET or None, user=request.user)
    agency, status = form.chosen()
    outcomes = Outcome.objects.for_user(request.user).select_related("agency", "program")
    if agency is not None:
        outcomes = outcomes.filter(agency=agency)
    # Status comes from each outcome's newest measurement and its trajectory (SQL
    # annotations, then arithmetic): for all of them, to filter and count.
    found = with_status(with_latest(outcomes))
    if status is not None:
        found = [o for o in found if o.status == status]
    shown = paged(request, found, OUTCOMES_PER_PAGE)
    with_marks(shown["page"].object_list)
    return render(request, "outcomes/outcome_list.html", {"form": form, **shown})


@grant(READ, outcome=with_latest(Outcome.objects.select_related("agency", "program", "owner")))
def outcome_detail(request, outcome):
    [outcome] = with_status([outcome])
    measurements = list(outcome.measurements.order_by("date"))
    steps = list(outcome.step_changes.select_related("recorded_by"))
    may_manage = can_change(request.user, outcome.agency_id, MANAGER)
    step_form = StepChangeForm(outcome=outcome) if may_manage else None
    run = run_chart(outcome, measurements, steps=steps)
    return render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "chart": run,
            "drawing": outcome_chart(outcome, run),
            "step_changes": steps,
            "step_form": step_form if step_form and step_form.fields["starts_on"].choices else None,
            # Another agency reads only the definitions its catalogue shows it.
            "contributions": outcome.contributions.filter(
                widget__in=Widget.objects.for_user(request.user).values("pk")
            ).select_related("widget"),
            "countermeasures": outcome.countermeasures.select_related(
                "owner", "huddle_problem__board__agency"
            ),
            "may_manage": may_manage,
            "may_measure": can_change(request.user, outcome.agency_id, STAFF),
        },
    )


@require_POST
@grant(MANAGER, outcome=Outcome.objects.select_related("agency"), to="record its step changes")
def step_change_create(request, outcome):
    """Record a step change from the outcome page; back to the page, with what happened."""
    form = StepChangeForm(request.POST, outcome=outcome)
    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"The step change was not recorded. {problems}")
        return redirect(outcome)
    try:
        step = services.record_step_change(
            outcome=outcome,
            starts_on=form.cleaned_data["starts_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, "The step change was not recorded. " + " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Recorded a step change from {step.starts_on:%-d %B %Y}: the process limits "
            "restart there.",
        )
    return redirect(outcome)


@grant(MANAGER, agency=Agency, by="slug", to="set its outcomes")
def outcome_create(request, agency):
    return _edit(request, Outcome(agency=agency, owner=request.user), agency)


@grant(MANAGER, outcome=Outcome.objects.select_related("agency"), to="change its outcomes")
def outcome_edit(request, outcome):
    return _edit(request, outcome, outcome.agency)


def _edit(request, outcome, agency):
    conflict = None
    data = request.POST if request.method == "POST" else None
    form = OutcomeForm(data, instance=outcome, agency=agency)
    formset = ContributionFormSet(data, instance=outcome, agency=agency, prefix="contributions")
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_outcome(
                form=form,
                formset=formset,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.EditConflict as exc:
            conflict = refuse_stale_save(form, current=exc.current, noun="this outcome")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect(saved)
    return render(
        request,
        "outcomes/outcome_form.html",
        {
            "form": form,
            "formset": formset,
            "outcome": outcome,
            "agency": agency,
            "conflict": conflict,
        },
    )


@grant(STAFF, outcome=Outcome.objects.select_related("agency"), to="measure its outcomes")
def measurement_create(request, outcome):
    form = MeasurementForm(request.POST or None, outcome=outcome)
    if request.method == "POST" and form.is_valid():
        measurement = form.save(commit=False)
        try:
            services.save_measurement(measurement=measurement, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the measurement of {measurement.date:%-d %B %Y}.")
            return redirect(outcome)
    return render(request, "outcomes/measurement_form.html", {"form": form, "outcome": outcome})


class MeasurementUpload(UploadView):
    """Upload measurements, preview every row, then save all of them or none."""

    title = "Import measurements"
    intro = (
        "Upload a CSV or XLSX file with one measurement per row. You will see every row before "
        "anything is saved; then all rows are saved, or none."
    )
    file_help = "Columns: outcome_id, date (YYYY-MM-DD), value, note."
    stash_kind = "measurements"
    columns = list(imports.COLUMN_HELP.items())
    columns_note = (
        "The outcome's id is on its page; a row for a date already measured changes that "
        "measurement."
    )
    template_url_name = "outcomes:measurement-import-template"
    noun, noun_plural = "measurement", "measurements"
    label_heading = "Outcome and date"

    def preview(self, files, options):
        upload = files["file"]
        rows = self.read_rows(upload, upload.name, required=imports.REQUIRED_COLUMNS)
        return imports.preview(rows, user=self.request.user)

    def commit(self, preview, *, state):
        saved = imports.commit(preview, user=self.request.user)
        return f"Saved {len(saved)} measurement{'s' * (len(saved) != 1)}."

    def get_success_url(self):
        return reverse("outcomes:list")


measurement_import = grant(STAFF, to="import measurements")(MeasurementUpload.as_view())


@grant(SIGNED_IN)
def measurement_import_template(request):
    return template_response(
        columns=imports.COLUMNS,
        example={
            "outcome_id": "1",
            "date": "2026-01-01",
            "value": "35",
            "note": "From the monthly air quality report",
        },
        filename="measurements-template",
    )


@grant(PUBLIC)
def public_agency(request, slug):
    """An agency's public page: only if it publishes, and only approved data.

    No internal notes: no countermeasures, no drafts, no names of staff. Each widget
    and outcome has its chart, drawn from the rows its open data publishes
    (outcomes.open_data, outcomes.public_charts).
    """
    agency = get_object_or_404(Agency.objects.publishing(), slug=slug)
    # The same for every visitor: rendered once per agency and day, then served from
    # the cache until the agency's data changes (agencies.versions). The public are
    # its most numerous readers; built, it took ~120 ms at a state's size, and four
    # readers at once waited ~370 ms for it.
    body = versions.cached(
        "public-agency",
        (agency.pk, timezone.localdate()),
        lambda: _public_body(agency),
        agency_ids=[agency.pk],
    )
    return render(request, "outcomes/public_agency.html", {"agency": agency, "body": body})


def _public_body(agency):
    widgets, start, end = public_widgets(agency)
    outcomes = with_status(
        with_latest(Outcome.objects.published().filter(agency=agency).order_by("name"))
    )
    public_charts.charts(widgets, outcomes, open_data.published(agency))
    return render_to_string(
        "outcomes/includes/public_agency_body.html",
        {"agency": agency, "widgets": widgets, "outcomes": outcomes, "start": start, "end": end},
    )
