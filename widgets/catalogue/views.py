from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from agencies import versions
from agencies.models import Agency
from agencies.permissions import MANAGER, READ, SIGNED_IN, STAFF, grant
from agencies.previews import NEW
from agencies.scoping import (
    agency_roles,
    can_change,
    is_admin,
    may_change_some_agency,
    may_read_any,
)
from agencies.tabular import EXPORT_FORMATS, export_response, template_response
from agencies.uploads import UploadView
from config.forms import refuse_stale_save

from .. import measures, pictures
from ..models import Widget, WidgetStatus
from ..periods import describe_period, next_period_start, period_start
from ..surveys.results import current_survey, survey_summary_for_widget
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
    template_name = "widgets/catalogue/_widget_results.html"  # what FilterView renders: the results
    page_template_name = "widgets/catalogue/widget_list.html"
    # Paginated by the table alone (django-tables2): a page past the end shows the
    # last, a page that is not a number the first. ListView's own paginate_by would
    # count the rows a second time only to answer 404 for those.
    table_pagination = {"per_page": 25}
    _ids_only = False  # _shown: the page's ids, without its sparklines

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in EXPORT_FORMATS:
            return super().get(request, *args, **kwargs)
        user = request.user
        # Which widgets a page lists depends only on definitions (the filters, the
        # order, the page), never on counts; the page shows the counts of those
        # widgets alone (their sparklines). So the page is kept under every agency's
        # base version and the counts versions of its own widgets: a count saved
        # elsewhere in the state, as happens several times a second, keeps it.
        parts = (versions.scope_key(user), sorted(request.GET.lists()), timezone.localdate())
        shown = versions.cached("widget-list-rows", parts, lambda: self._shown(request), base=True)
        results = versions.cached(
            "widget-list",
            (*parts, versions.counts_token(shown)),
            lambda: mark_safe(  # noqa: S308 - our own template's output
                super(WidgetListView, self).get(request, *args, **kwargs).rendered_content
            ),
            base=True,
        )
        can_create = may_change_some_agency(user)
        return render(
            request, self.page_template_name, {"results": results, "can_create": can_create}
        )

    def _shown(self, request):
        """The ids of the widgets of the page asked for: the filters, the order and
        the page applied as the page does, without reading or rendering its rows."""
        self._ids_only = True
        try:
            filterset = self.get_filterset(self.get_filterset_class())
            if not filterset.is_bound or filterset.is_valid() or not self.get_strict():
                self.object_list = filterset.qs
            else:
                self.object_list = filterset.queryset.none()
            # The page's rows as the table orders and slices them, their keys alone.
            return list(self.get_table().page.object_list.data.values_list("pk", flat=True))
        finally:
            self._ids_only = False

    def get_queryset(self):
        widgets = selectors.catalogue(self.request.user)
        if self.request.GET.get("export") in EXPORT_FORMATS:
            return widgets
        return widgets.only(*WidgetTable.READS)

    def get_filterset(self, filterset_class):
        # Built once a request: _shown, then the page (when neither is kept), read
        # the same filters.
        if getattr(self, "_filterset", None) is None:
            self._filterset = super().get_filterset(filterset_class)
        return self._filterset

    def get_table(self, **kwargs):
        # Built once a request, as the filterset: the page, ordered and sliced
        # as _shown read its keys, then given its sparklines.
        table = getattr(self, "_table", None)
        if table is None:
            table = self._table = super().get_table(**kwargs)
        if self.request.GET.get("export") not in EXPORT_FORMATS and not self._ids_only:
            # The sparklines of the rows shown. The page's rows are a sliced queryset
            # (django-tables2's BoundRows over it): read here once, and the table then
            # renders the same evaluated rows.
            selectors.attach_recent_counts(table.page.object_list.data)
        return table

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


widget_list = grant(SIGNED_IN)(WidgetListView.as_view())


@grant(SIGNED_IN)
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
        "widgets/catalogue/home.html",
        {
            "agencies": agencies.annotate(widget_count=Count("widgets", distinct=True)),
            "attention": selectors.attention(user),
            "counting_agencies": Agency.objects.changeable_by(user, STAFF),
        },
    )


@grant(READ, widget=Widget.objects.select_related("agency", "program", "owner", "submitted_by"))
def widget_detail(request, widget):
    segments = list(widget.customer_segments.all())
    surveys = survey_summary_for_widget(widget)
    return render(
        request,
        "widgets/catalogue/widget_detail.html",
        {
            "widget": widget,
            "segments": segments,
            "findings": widget.coach_findings(customer_count=len(segments)),
            "counts": _recent_counts(widget),
            "count_fields": measures.typed_fields(),
            "not_applicable": [
                f for f in measures.COUNT_FIELDS if f.name in widget.not_applicable_fields
            ],
            "contributions": widget.contributions.select_related("outcome"),
            "history": selectors.history(widget),
            "actions": [
                (a, services.ACTION_LABELS[a])
                for a in services.allowed_actions(widget=widget, user=request.user)
            ],
            "can_edit": widget.status != WidgetStatus.RETIRED and _may_change(request.user, widget),
            "transition_form": TransitionForm(),
            "survey_results": surveys,
            "pictures": _pictures(widget, surveys),
            "channel_mix": widget.counts.all().channel_mix(),
            # The service inventory's data errors on the rows this widget was imported from.
            "inventory_findings": list(widget.inventory_findings.all()),
            "may_change_surveys": _may_change(request.user, widget),
            "hosted_survey": current_survey(widget),
        },
    )


def _pictures(widget, surveys):
    """The widget's charts (widgets.pictures): its flow and every measure over its
    last periods up to the current one, and the latest survey of all its customers."""
    frequency = widget.reporting_frequency
    end = next_period_start(period_start(timezone.localdate(), frequency), frequency)
    rows = pictures.series([widget], end)[widget.pk]
    overall = next((s for s in surveys if s.result.segment_id is None), None)
    return {
        "flow": pictures.flow_chart(widget, rows),
        "measures": pictures.measure_charts(widget, rows),
        "satisfaction": pictures.satisfaction_chart(widget, overall) if overall else None,
        "periods": pictures.PERIODS,
    }


def _recent_counts(widget):
    """The last 12 periods' values, n/a where a field does not apply to the widget;
    each period named at the widget's frequency (a day, a week, a quarter...)."""
    names = measures.typed_names()
    return [
        {
            "period_start": count.period_start,
            "period_label": describe_period(count.period_start, widget.reporting_frequency),
            **measures.with_not_applicable(
                {n: getattr(count, n) for n in names}, widget.not_applicable_fields
            ),
        }
        for count in widget.counts.order_by("-period_start")[:12]
    ]


def _may_change(user, widget):
    return can_change(user, widget.agency_id)


@grant(STAFF, to="define widgets")
def widget_create(request):
    """New widget for one of the user's agencies (asks which, if they have several)."""
    agencies = Agency.objects.changeable_by(request.user, STAFF)
    if len(agencies) == 1:
        return redirect("widgets:create-for", slug=agencies[0].slug)
    return render(request, "widgets/catalogue/choose_agency.html", {"agencies": agencies})


@grant(STAFF, agency=Agency, by="slug", to="define its widgets")
def widget_create_for(request, agency):
    return _edit(request, Widget(agency=agency, owner=request.user), agency)


@grant(STAFF, widget=Widget.objects.select_related("agency"), to="edit its widgets")
def widget_edit(request, widget):
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
        "widgets/catalogue/widget_form.html",
        {
            "form": form,
            "widget": widget,
            "agency": agency,
            "findings": findings,
            "conflict": conflict,
        },
    )


def _role_of(action):
    """The role a workflow action needs (services.TRANSITIONS); 404 for no such action."""
    if action not in services.TRANSITIONS:
        raise Http404("No such action.")
    return services.TRANSITIONS[action][2]


@require_POST
@grant(_role_of, widget=Widget, to="do that to its widgets")
def widget_transition(request, widget, action):
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
    return redirect(reverse("widgets:detail", kwargs={"pk": widget.pk}))


@grant(MANAGER, to="review definitions")
def review_queue(request):
    return render(
        request,
        "widgets/catalogue/review_queue.html",
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

    def preview(self, files, options):
        upload = files["file"]
        rows = self.read_rows(upload, upload.name, required=REQUIRED)
        return DefinitionImport(user=self.request.user).preview(rows)

    def commit(self, preview, *, state):
        saved = DefinitionImport(user=self.request.user).commit(preview)
        return f"Saved {len(saved)} widget definitions as drafts."

    def get_success_url(self):
        return f"{reverse('widgets:list')}?agency=&status=draft"


definition_import = grant(STAFF, to="import widget definitions")(DefinitionUpload.as_view())


@grant(SIGNED_IN)
def definition_import_template(request):
    return template_response(
        columns=COLUMNS, example=TEMPLATE_EXAMPLE, filename="widget-definitions-template"
    )
