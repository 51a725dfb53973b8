from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from agencies import versions
from agencies.models import Agency
from agencies.previews import NEW
from agencies.scoping import (
    MANAGER,
    STAFF,
    agency_roles,
    changeable_agency_ids,
    get_readable_or_404,
    is_admin,
    may_read_any,
    require_change,
)
from agencies.tabular import EXPORT_FORMATS, export_response, template_response
from agencies.uploads import UploadView
from config.forms import refuse_stale_save

from ..models import Widget, WidgetStatus
from ..surveys.results import survey_summary_for_widget
from . import selectors, services
from .filters import WidgetFilter
from .forms import TransitionForm, WidgetForm
from .imports import COLUMNS, REQUIRED, TEMPLATE_EXAMPLE, DefinitionImport
from .tables import WidgetTable

EXPORT_COLUMNS = [
    ("id", lambda w: w.pk),
    ("agency", lambda w: w.agency.abbreviation),
    ("program", lambda w: w.program.name),
    ("name", lambda w: w.name),
    ("kind", lambda w: w.get_kind_display()),
    ("status", lambda w: w.get_status_display()),
    ("description", lambda w: w.description),
    ("customer_segments", lambda w: w.segment_count),
    ("definition_of_done", lambda w: w.definition_of_done),
    ("unit_of_count", lambda w: w.unit_of_count),
    ("channels", lambda w: ", ".join(w.channel_labels)),
    ("reporting_frequency", lambda w: w.reporting_frequency),
    ("standard_days", lambda w: w.standard_days),
    ("standard_share", lambda w: w.standard_share),
    ("fee", lambda w: w.fee),
    ("legal_authority", lambda w: w.legal_authority),
    ("owner", lambda w: w.owner.username if w.owner else ""),
    ("quality_score", lambda w: w.quality_score),
]


class WidgetListView(SingleTableMixin, FilterView):
    """The catalogue: every widget the user may read, filtered, sorted, exported.

    The filters and rows are rendered once per scope, query and data version, and
    served from the cache after that (agencies.versions): the page most people open
    first costs a handful of primary-key queries until the data changes.
    """

    table_class = WidgetTable
    filterset_class = WidgetFilter
    template_name = "widgets/_widget_results.html"  # what FilterView renders: the results
    page_template_name = "widgets/widget_list.html"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in EXPORT_FORMATS:
            return super().get(request, *args, **kwargs)
        user = request.user
        results = versions.cached(
            "widget-list",
            (versions.scope_key(user), sorted(request.GET.lists())),
            lambda: mark_safe(  # noqa: S308 - our own template's output
                super(WidgetListView, self).get(request, *args, **kwargs).rendered_content
            ),
        )
        can_create = bool(changeable_agency_ids(user)) or is_admin(user)
        return render(
            request, self.page_template_name, {"results": results, "can_create": can_create}
        )

    def get_queryset(self):
        return selectors.catalogue(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            # Open on the user's own agency; "All agencies" is one choice away.
            own = sorted(agency_roles(self.request.user))
            if own:
                kwargs["data"] = {"agency": str(own[0])}
        return kwargs

    def render_to_response(self, context, **kwargs):
        fmt = self.request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            rows = self.object_list.prefetch_related(None)
            return export_response(
                headers=[name for name, _ in EXPORT_COLUMNS],
                rows=([get(w) for _, get in EXPORT_COLUMNS] for w in rows),
                filename="widgets",
                fmt=fmt,
            )
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context["export_query"] = query.urlencode()
        return context


widget_list = WidgetListView.as_view()


def home(request):
    """Everyone's start page: their agencies, and what needs them now."""
    user = request.user
    if not may_read_any(user):
        return render(request, "agencies/waiting.html")
    agencies = Agency.objects.for_user(user)
    if not is_admin(user):
        agencies = agencies.filter(memberships__user=user)
    return render(
        request,
        "widgets/home.html",
        {
            "agencies": agencies.annotate(widget_count=Count("widgets", distinct=True)),
            "attention": selectors.attention(user),
            "counting_agencies": Agency.objects.changeable_by(user, STAFF),
        },
    )


def widget_detail(request, pk):
    widget = get_readable_or_404(
        Widget.objects.select_related("agency", "program", "owner", "submitted_by"),
        request.user,
        pk=pk,
    )
    segments = list(widget.customer_segments.all())
    return render(
        request,
        "widgets/widget_detail.html",
        {
            "widget": widget,
            "segments": segments,
            "findings": widget.coach_findings(customer_count=len(segments)),
            "counts": widget.counts.order_by("-period_start")[:12],
            "contributions": widget.contributions.select_related("outcome"),
            "history": selectors.history(widget),
            "actions": [
                (a, services.ACTION_LABELS[a])
                for a in services.allowed_actions(widget=widget, user=request.user)
            ],
            "can_edit": widget.status != WidgetStatus.RETIRED and _may_change(request.user, widget),
            "transition_form": TransitionForm(),
            "survey_results": survey_summary_for_widget(widget),
            "channel_mix": widget.counts.all().channel_mix(),
            "may_change_surveys": _may_change(request.user, widget),
        },
    )


def _may_change(user, widget):
    try:
        require_change(user, widget)
    except PermissionDenied:
        return False
    return True


def widget_create(request, slug=None):
    """New widget for one of the user's agencies (asks which, if they have several)."""
    agencies = Agency.objects.changeable_by(request.user, STAFF)
    if slug is None:
        if len(agencies) == 1:
            return redirect("widgets:create-for", slug=agencies[0].slug)
        if not agencies:
            raise PermissionDenied("Only staff of an agency can define its widgets.")
        return render(request, "widgets/choose_agency.html", {"agencies": agencies})
    agency = get_object_or_404(Agency.objects.for_user(request.user), slug=slug)
    if agency not in agencies:
        raise PermissionDenied(f"Only staff of {agency} can define its widgets.")
    return _edit(request, Widget(agency=agency, owner=request.user), agency)


def widget_edit(request, pk):
    widget = get_readable_or_404(Widget.objects.select_related("agency"), request.user, pk=pk)
    require_change(request.user, widget)
    if widget.status == WidgetStatus.RETIRED:
        raise PermissionDenied("A retired widget cannot be edited.")
    return _edit(request, widget, widget.agency)


def _edit(request, widget, agency):
    conflict = None
    if request.method == "POST":
        form = WidgetForm(request.POST, instance=widget, agency=agency)
        if form.is_valid():
            try:
                saved = services.save_widget(
                    form=form, by=request.user, expected_version=form.cleaned_data.get("version")
                )
            except services.EditConflict as exc:
                conflict = refuse_stale_save(form, current=exc.current, noun="this widget")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                findings = saved.coach_findings()
                if findings:
                    messages.info(
                        request,
                        f"Saved. The definition coach has {len(findings)} suggestion"
                        f"{'s' if len(findings) > 1 else ''}: see them beside the form.",
                    )
                    return redirect("widgets:edit", pk=saved.pk)
                messages.success(request, "Saved. The definition coach has no suggestions.")
                return redirect(saved)
    else:
        form = WidgetForm(instance=widget, agency=agency)
    findings = widget.coach_findings() if widget.pk else []
    return render(
        request,
        "widgets/widget_form.html",
        {
            "form": form,
            "widget": widget,
            "agency": agency,
            "findings": findings,
            "conflict": conflict,
        },
    )


@require_POST
def widget_transition(request, pk, action):
    if action not in services.TRANSITIONS:
        raise Http404
    widget = get_readable_or_404(Widget, request.user, pk=pk)
    form = TransitionForm(request.POST)
    comment = form.data.get("comment", "")  # checked whole by the service
    try:
        services.transition_widget(widget=widget, action=action, by=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{widget.name}: {services.PAST_TENSE[action]}.")
    next_url = request.POST.get("next")
    if next_url == "queue":
        return redirect("widgets:review-queue")
    return redirect(reverse("widgets:detail", kwargs={"pk": pk}))


def review_queue(request):
    if not (is_admin(request.user) or changeable_agency_ids(request.user, MANAGER)):
        raise PermissionDenied("The review queue is for managers.")
    return render(
        request,
        "widgets/review_queue.html",
        {"widgets": selectors.review_queue(request.user), "transition_form": TransitionForm()},
    )


class DefinitionUpload(UploadView):
    """Upload a file of definitions, preview every row, then save all as drafts or none."""

    title = "Import widget definitions"
    file_help = "One widget per row, with the columns of the template."
    stash_kind = "definitions"
    columns = COLUMNS
    template_url_name = "widgets:import-template"
    noun, noun_plural = "widget definition", "widget definitions"
    label_heading = "Widget"
    status_labels = {NEW: "+ New draft"}

    def check_access(self, request):
        if not changeable_agency_ids(request.user) and not is_admin(request.user):
            raise PermissionDenied("Only agency staff can import widget definitions.")

    def preview(self, files, options):
        upload = files["file"]
        rows = self.read_rows(upload, upload.name, required=REQUIRED)
        return DefinitionImport(user=self.request.user).preview(rows)

    def commit(self, preview, *, state):
        saved = DefinitionImport(user=self.request.user).commit(preview)
        return f"Saved {len(saved)} widget definitions as drafts."

    def get_success_url(self):
        return f"{reverse('widgets:list')}?agency=&status=draft"


definition_import = DefinitionUpload.as_view()


def definition_import_template(request):
    return template_response(
        columns=COLUMNS, example=TEMPLATE_EXAMPLE, filename="widget-definitions-template"
    )
