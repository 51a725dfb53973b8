from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SurveyResult, Widget, WidgetCount


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
    raw_id_fields = ["widget", "entered_by"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin):
    list_display = ["widget", "period_start", "segment", "respondents"]
    list_filter = ["widget__agency"]
    search_fields = ["widget__name", "segment__name"]
    list_select_related = ["widget", "segment"]
    raw_id_fields = ["widget", "segment"]
