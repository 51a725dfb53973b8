from django.contrib import admin

from agencies.admin_versions import VersionCheckedAdmin
from agencies.history import WordedHistoryAdmin

from .models import (
    Board,
    Contribution,
    Countermeasure,
    Measurement,
    Outcome,
    Problem,
    ProblemAction,
    Review,
    StepChange,
)


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    raw_id_fields = ["widget"]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["date", "value", "note"]


@admin.register(Outcome)
class OutcomeAdmin(VersionCheckedAdmin, WordedHistoryAdmin):
    list_display = ["name", "agency", "measure", "direction", "target_value", "target_date"]
    list_filter = ["direction", "frequency", "agency"]
    search_fields = ["name", "measure", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ContributionInline, MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(WordedHistoryAdmin):
    list_display = ["outcome", "date", "value"]
    list_filter = ["outcome__agency"]
    search_fields = ["outcome__name", "note"]
    date_hierarchy = "date"
    list_select_related = ["outcome"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["widget", "outcome"]
    list_filter = ["outcome__agency"]
    search_fields = ["widget__name", "outcome__name", "rationale"]
    list_select_related = ["widget", "outcome"]
    raw_id_fields = ["widget", "outcome"]


@admin.register(Countermeasure)
class CountermeasureAdmin(VersionCheckedAdmin, WordedHistoryAdmin):
    list_display = ["problem", "agency", "outcome", "widget", "owner", "due_date", "state"]
    list_filter = ["state", "agency"]
    search_fields = ["problem", "root_cause", "action"]
    list_select_related = ["agency", "outcome", "widget", "owner"]
    raw_id_fields = ["outcome", "widget", "huddle_problem"]
    autocomplete_fields = ["owner"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["agency", "month", "status", "closed_at"]
    list_filter = ["status", "agency"]
    search_fields = ["agency__name", "decisions", "attendees"]
    filter_horizontal = ["countermeasures"]
    list_select_related = ["agency"]


@admin.register(StepChange)
class StepChangeAdmin(VersionCheckedAdmin, WordedHistoryAdmin):
    list_display = ["outcome", "starts_on", "reason", "recorded_by"]
    list_filter = ["outcome__agency"]
    search_fields = ["outcome__name", "reason"]
    list_select_related = ["outcome", "recorded_by"]
    raw_id_fields = ["outcome", "recorded_by"]
    readonly_fields = ["version", "created_at", "updated_at"]


# Huddle boards and their problems are worked on their own pages (outcomes/huddles/);
# the admin lists them for support, as it does every domain model, and its edits
# of a board or a problem are version-checked as the pages' are.
@admin.register(Board)
class BoardAdmin(VersionCheckedAdmin, admin.ModelAdmin):
    """Boards are made with their team, program and agency (outcomes.huddles.boards);
    here an admin may change what a board shows."""

    list_display = ["__str__", "tier", "agency", "program", "team"]
    list_filter = ["tier", "agency"]
    search_fields = ["agency__name", "program__name", "team__name"]
    list_select_related = ["agency", "program", "team"]
    raw_id_fields = ["agency", "program", "team"]
    filter_horizontal = ["widgets", "outcomes"]
    readonly_fields = ["version", "created_at", "updated_at"]


class ProblemActionInline(admin.TabularInline):
    model = ProblemAction
    extra = 0
    fields = ["what", "owner", "due_date", "done_on"]
    raw_id_fields = ["owner"]


@admin.register(Problem)
class ProblemAdmin(VersionCheckedAdmin, WordedHistoryAdmin):
    list_display = ["what", "board", "status", "depth", "owner", "since"]
    list_filter = ["status", "depth", "board__tier", "board__agency"]
    search_fields = ["what", "where", "root_cause", "countermeasure"]
    list_select_related = ["board__agency", "board__program", "board__team", "owner"]
    raw_id_fields = ["board", "widget", "outcome", "escalated_from", "raised_by"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["version", "created_at", "updated_at", "solved_at"]
    inlines = [ProblemActionInline]


@admin.register(ProblemAction)
class ProblemActionAdmin(WordedHistoryAdmin):
    list_display = ["what", "problem", "owner", "due_date", "done_on"]
    list_filter = ["problem__board__agency"]
    search_fields = ["what", "problem__what"]
    list_select_related = ["problem", "owner"]
    raw_id_fields = ["problem", "owner"]
