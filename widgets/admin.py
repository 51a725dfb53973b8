from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format

from agencies.admin_versions import VersionCheckedAdmin
from agencies.errors import VERSION_MISSING
from agencies.history import WordedHistoryAdmin
from agencies.templatetags import numbers

from . import counting, measures
from .api.tokens import issue_token, revoke_token
from .catalogue.selectors import history_formats as widget_history_formats
from .models import (
    ApiToken,
    CountRollup,
    CountUpload,
    InventoryFinding,
    InventoryImport,
    InvitationBatch,
    PublishedRow,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyResult,
    Widget,
    WidgetCount,
)
from .surveys.rollup import entry_refusal


class WidgetCountInline(admin.TabularInline):
    """Read-only: counts are changed on their own admin page, through the one write."""

    model = WidgetCount
    extra = 0
    max_num = 0
    can_delete = False
    fields = readonly_fields = ["period_start", *counting.VALUE_FIELDS, "source"]
    ordering = ["-period_start"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class WidgetCountAdminForm(forms.ModelForm):
    """A count as the admin saw it: the version it was read at goes back with the form."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = WidgetCount
        fields = ["widget", "period_start", *counting.MEASURE_FIELDS, "balance_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = (
            self.instance.version if self.instance.pk else counting.SAW_NONE
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and data.get("seen_version") is None:
            # A change without the version it was read at is refused, never saved unchecked.
            raise forms.ValidationError(VERSION_MISSING, code="version_missing")
        values = {n: data.get(n) for n in counting.VALUE_FIELDS}
        for name, errors in counting.check_rules(values).items():
            for error in errors:
                self.add_error(name, error)
        if self.instance.pk is None and all(data.get(n) is None for n in counting.MEASURE_FIELDS):
            raise forms.ValidationError("Enter at least one number: a blank count is not kept.")
        return data


@admin.register(Widget)
class WidgetAdmin(VersionCheckedAdmin, WordedHistoryAdmin):
    list_display = ["name", "agency", "program", "kind", "status", "owner", "updated_at"]
    list_filter = ["status", "kind", "reporting_frequency", "agency"]
    search_fields = ["name", "description", "agency__name", "program__name"]
    list_select_related = ["agency", "program", "owner"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["customer_segments"]
    # Its place in the workflow is the workflow's to change (four eyes), not a field's.
    readonly_fields = [
        "status",
        "submitted_by",
        "submitted_at",
        "review_comment",
        "last_edited_by",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [WidgetCountInline]
    history_formats = widget_history_formats()

    def save_model(self, request, obj, form, change):
        """A change here is an edit like any other (Widget.record_edit): the admin
        becomes its last editor, who may not then approve or return it. Saved only
        over the version the form was opened at (VersionCheckedAdmin)."""
        if change and not form.has_changed():
            return
        if not change:
            obj.last_edited_by = request.user
            obj._change_reason = "Created in the admin"
        super().save_model(request, obj, form, change)

    def replacing(self, request, obj, current):
        obj.status = current.status
        obj.submitted_by_id, obj.submitted_at = current.submitted_by_id, current.submitted_at
        obj.record_edit(by=request.user)
        obj._change_reason = "Edited in the admin"


@admin.register(WidgetCount)
class WidgetCountAdmin(WordedHistoryAdmin):
    list_display = [
        "widget",
        "period_start",
        *(f.name for f in measures.COUNT_FIELDS if f.headline),
        "source",
    ]
    list_filter = ["source", "widget__agency"]
    search_fields = ["widget__name"]
    date_hierarchy = "period_start"
    list_select_related = ["widget"]
    raw_id_fields = ["widget", "entered_by", "upload", "api_token"]
    form = WidgetCountAdminForm
    # Money as money, counts as whole numbers: the registry says which is which.
    history_formats = {
        f.name: numbers.money if f.is_money else numbers.whole for f in measures.COUNT_FIELDS
    }

    def get_readonly_fields(self, request, obj=None):
        # Who and where from are the one write's to set; a count keeps its widget and period.
        fixed = ["source", "entered_by", "upload", "api_token", "version"]
        fixed += ["created_at", "updated_at"]
        return fixed if obj is None else ["widget", "period_start", *fixed]

    def save_model(self, request, obj, form, change):
        """Through counting.save_counts, like every other write of counts: only the
        fields changed on the form, and only if the count is as the form showed it
        (a CountConflict otherwise, answered as a 409 page)."""
        sent = [n for n in counting.MEASURE_FIELDS if n in form.changed_data or not change]
        seen = form.cleaned_data.get("seen_version")
        written = counting.CountChange(
            widget=obj.widget,
            period_start=obj.period_start,
            values={n: getattr(obj, n) for n in sent},
            expected_version=counting.SAW_NONE if not change else seen,
            balance_note=obj.balance_note if "balance_note" in form.changed_data else "",
        )
        counting.save_counts([written], by=request.user, source="form", reason="Admin")
        # The form refuses a blank new count, so the write always leaves one.
        obj.pk, obj.version = written.count.pk, written.count.version
        obj._state.adding = False


@admin.register(CountRollup)
class CountRollupAdmin(admin.ModelAdmin):
    """Sums of counts kept by the database (widgets.rollups): read here, never typed."""

    list_display = ["widget", "grain", "period_start", "rows", "total_delivered"]
    list_filter = ["grain", "widget__agency"]
    list_select_related = ["widget"]
    raw_id_fields = ["widget"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SurveyResultAdminForm(forms.ModelForm):
    """An entered result, as the entry page checks it: not in a quarter of collected ones."""

    class Meta:
        model = SurveyResult
        fields = "__all__"  # noqa: DJ007 - the admin shows every figure of a result

    def clean(self):
        cleaned = super().clean()
        widget = cleaned.get("widget")
        why = widget and entry_refusal(widget, cleaned.get("period_start"))
        if why:
            self.add_error("period_start", why)
        return cleaned


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin):
    form = SurveyResultAdminForm
    list_display = ["widget", "period_start", "segment", "source", "respondents"]
    list_filter = ["source", "widget__agency"]
    search_fields = ["widget__name", "segment__name"]
    list_select_related = ["widget", "segment"]
    raw_id_fields = ["widget", "segment"]

    def has_change_permission(self, request, obj=None):
        # Collected results are their answers' (widgets.surveys.rollup): never typed over.
        if obj is not None and obj.collected:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(WordedHistoryAdmin):
    """Hosted surveys are made and moved on their own pages (docs/surveys.md): read here,
    with their history (who made, edited, published, paused or closed them, and when)."""

    list_display = ["widget", "code", "status", "control_number", "control_expires"]
    list_filter = ["status", "widget__agency"]
    search_fields = ["widget__name", "code", "title"]
    list_select_related = ["widget"]
    readonly_fields = [f.name for f in Survey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InvitationBatch)
class InvitationBatchAdmin(ReadOnlyAdmin):
    """Invitations are made on the survey's invitations page (each one counts as offered)."""

    list_display = ["survey", "period_start", "channel", "segment", "size", "created_at"]
    list_filter = ["channel", "survey__widget__agency"]
    search_fields = ["survey__widget__name", "survey__code"]
    list_select_related = ["survey__widget", "segment"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["batch", "created_at"]
    search_fields = ["token"]
    list_select_related = ["batch__survey__widget"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    """Customers' answers: read-only (a comment is redacted on the survey's comments page)."""

    list_display = ["survey", "period_start", "channel", "language", "created_at"]
    list_filter = ["language", "channel", "survey__widget__agency"]
    list_select_related = ["survey__widget"]
    readonly_fields = [f.name for f in SurveyResponse._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CountUpload)
class CountUploadAdmin(admin.ModelAdmin):
    """Uploads are the record of where numbers came from: read-only."""

    list_display = ["file_name", "agency", "uploaded_by", "created_at", "rows_total"]
    list_filter = ["agency"]
    search_fields = ["file_name", "uploaded_by__username"]
    list_select_related = ["agency", "uploaded_by"]
    readonly_fields = [f.name for f in CountUpload._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by widgets.api.tokens: the add form asks only the agency and
    a name, and the token is shown once, in a message, after saving. Only its
    hash is stored, and the admin never shows that either."""

    list_display = [
        "name",
        "agency",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "is_active",
        "revoked_at",
    ]
    list_filter = ["agency", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "agency__name"]
    list_select_related = ["agency", "created_by"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["agency", "name"]
        return [
            "agency",
            "name",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token belongs to one agency for good; revoke it with the action.
        return [
            "agency",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    @admin.display(boolean=True, description="active")
    def is_active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        token, plaintext = issue_token(agency=obj.agency, name=obj.name, by=request.user)
        obj.pk = token.pk
        obj.refresh_from_db()
        obj._state.adding = False
        expires = date_format(timezone.localtime(token.expires_at), "j F Y")
        messages.warning(
            request,
            f"Copy the token for “{token.name}” now; it will not be shown again. "
            f"It expires on {expires}. The token: {plaintext}",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token=token, by=request.user)
        self.message_user(request, f"Revoked {len(tokens)} token{'s' if len(tokens) != 1 else ''}.")


class _ReadOnly(admin.ModelAdmin):
    """The record of what an inventory import read, found and did: read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InventoryImport)
class InventoryImportAdmin(_ReadOnly):
    list_display = ["created_at", "imported_by", "services_file", "standards_file", "summary"]
    list_select_related = ["imported_by"]
    readonly_fields = [f.name for f in InventoryImport._meta.fields]


@admin.register(PublishedRow)
class PublishedRowAdmin(_ReadOnly):
    list_display = ["widget", "file", "fiscal_year", "standard_id", "row_number", "counted"]
    list_filter = ["file", "counted"]
    list_select_related = ["widget"]
    search_fields = ["widget__name", "widget__external_id", "standard_id"]
    readonly_fields = [f.name for f in PublishedRow._meta.fields]


@admin.register(InventoryFinding)
class InventoryFindingAdmin(_ReadOnly):
    list_display = ["widget", "grade", "file", "row_number", "column", "message"]
    list_filter = ["grade", "file"]
    list_select_related = ["widget"]
    search_fields = ["widget__name", "column", "message"]
    readonly_fields = [f.name for f in InventoryFinding._meta.fields]
