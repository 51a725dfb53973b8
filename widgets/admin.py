from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from .api_tokens import issue_token, revoke_token
from .models import ApiToken, CountUpload, SurveyResult, Widget, WidgetCount


class WidgetCountInline(admin.TabularInline):
    model = WidgetCount
    extra = 0
    fields = [
        "period_start",
        "demand",
        "delivered",
        "within_standard",
        "withdrawn",
        "backlog",
        "rework",
        "cost",
        "source",
    ]
    ordering = ["-period_start"]
    show_change_link = True


@admin.register(Widget)
class WidgetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agency", "program", "kind", "status", "owner", "updated_at"]
    list_filter = ["status", "kind", "reporting_frequency", "agency"]
    search_fields = ["name", "description", "agency__name", "program__name"]
    list_select_related = ["agency", "program", "owner"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["customer_segments"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [WidgetCountInline]


@admin.register(WidgetCount)
class WidgetCountAdmin(SimpleHistoryAdmin):
    list_display = ["widget", "period_start", "demand", "delivered", "backlog", "source"]
    list_filter = ["source", "widget__agency"]
    search_fields = ["widget__name"]
    date_hierarchy = "period_start"
    list_select_related = ["widget"]
    raw_id_fields = ["widget", "entered_by", "upload", "api_token"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin):
    list_display = ["widget", "period_start", "segment", "respondents"]
    list_filter = ["widget__agency"]
    search_fields = ["widget__name", "segment__name"]
    list_select_related = ["widget", "segment"]
    raw_id_fields = ["widget", "segment"]


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
    """Tokens are made by widgets.api_tokens: the add form asks only the agency and
    a name, and the token is shown once, in a message, after saving. Only its
    hash is stored, and the admin never shows that either."""

    list_display = [
        "name",
        "agency",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
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
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token belongs to one agency for good; revoke it with the action.
        return ["agency", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

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
        messages.warning(
            request,
            f"Copy the token for “{token.name}” now; it will not be shown again: {plaintext}",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token=token, by=request.user)
        self.message_user(request, f"Revoked {len(tokens)} token{'s' if len(tokens) != 1 else ''}.")
