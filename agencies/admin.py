from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .history import WordedHistoryAdmin
from .models import (
    AccessRule,
    Agency,
    DataVersion,
    Membership,
    PeriodicTask,
    Program,
    SignInEvent,
    Team,
    UploadJob,
    WidgetVersion,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class UserMembershipInline(MembershipInline):
    autocomplete_fields = ["agency"]


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0


@admin.register(Agency)
class AgencyAdmin(WordedHistoryAdmin):
    list_display = ["name", "abbreviation", "slug", "publishes", "updated_at"]
    list_filter = ["publishes"]
    search_fields = ["name", "abbreviation", "mission"]
    prepopulated_fields = {"slug": ["abbreviation"]}
    inlines = [ProgramInline, MembershipInline]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "manager", "updated_at"]
    list_filter = ["agency"]
    search_fields = ["name", "description", "agency__name"]
    list_select_related = ["agency", "manager"]
    raw_id_fields = ["manager"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "updated_at"]
    list_filter = ["program__agency"]
    search_fields = ["name", "description", "program__name"]
    list_select_related = ["program"]


@admin.register(Membership)
class MembershipAdmin(WordedHistoryAdmin):
    list_display = ["user", "agency", "role", "access_rule", "created_at"]
    list_filter = ["role", "agency", ("access_rule", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email", "agency__name", "agency__abbreviation"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class WidgetsUserAdmin(UserAdmin):
    inlines = [UserMembershipInline]


@admin.register(AccessRule)
class AccessRuleAdmin(WordedHistoryAdmin):
    """Who gets which membership at single sign-on (agencies.access)."""

    list_display = [
        "__str__",
        "kind",
        "provider_id",
        "agency",
        "role",
        "grants_admin",
        "active",
        "updated_at",
    ]
    list_filter = ["kind", "role", "grants_admin", "active", "agency"]
    search_fields = ["email_domain", "claim_name", "claim_value", "agency__name"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    fieldsets = [
        (None, {"fields": ["kind", "provider_id", "agency", "role", "active"]}),
        ("E-mail domain rule", {"fields": ["email_domain"]}),
        ("Claim rule", {"fields": ["claim_name", "claim_value", "grants_admin"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """The sign-in audit trail: readable by admins, changed by no one."""

    list_display = ["at", "kind", "username", "method", "provider", "ip_address", "detail"]
    list_filter = ["kind", "method", "provider"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(DataVersion)
class DataVersionAdmin(ReadOnlyAdmin):
    """Kept by database triggers (agencies.versions); shown for diagnosing the page cache."""

    list_display = ["agency_id", "version", "base_version"]
    search_fields = ["agency_id"]


@admin.register(WidgetVersion)
class WidgetVersionAdmin(ReadOnlyAdmin):
    """Each widget's counts version, kept by database triggers (agencies.versions);
    shown for diagnosing what the dashboard keeps per widget."""

    list_display = ["widget_id", "version"]
    search_fields = ["widget_id"]


@login_not_required
def _admin_login(request, extra_context=None):
    """The admin signs in through the app's sign-in page, so MFA and LOCAL_LOGIN apply."""
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("login")
    )


admin.site.login = _admin_login
admin.site.site_header = "Widgets administration"
admin.site.site_title = "Widgets admin"


@admin.register(UploadJob)
class UploadJobAdmin(admin.ModelAdmin):
    """Uploads saved by the background worker (agencies.jobs): a record, read-only."""

    list_display = ["pk", "title", "started_by", "status", "rows_read", "rows_total", "attempts"]
    list_filter = ["status", "title"]
    list_select_related = ["started_by"]
    readonly_fields = [f.name for f in UploadJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(admin.ModelAdmin):
    """The worker's schedule (agencies.schedule), made from settings.WORKER_SCHEDULE.
    Only `next_run_at` may be changed: set it to now to run a task at the worker's
    next look (within a minute)."""

    list_display = ["name", "task_path", "at", "every", "next_run_at", "last_run_at"]
    readonly_fields = ["name", "task_path", "at", "every", "last_run_at", "last_task_id"]

    def has_add_permission(self, request):
        return False
