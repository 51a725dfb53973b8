from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Membership, Program


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
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation", "slug", "publishes", "updated_at"]
    list_filter = ["publishes"]
    search_fields = ["name", "abbreviation", "mission"]
    prepopulated_fields = {"slug": ["abbreviation"]}
    inlines = [ProgramInline, MembershipInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "updated_at"]
    list_filter = ["agency"]
    search_fields = ["name", "description", "agency__name"]
    list_select_related = ["agency"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "agency", "role", "created_at"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__email", "agency__name", "agency__abbreviation"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class WidgetsUserAdmin(UserAdmin):
    inlines = [UserMembershipInline]


admin.site.site_header = "Widgets administration"
admin.site.site_title = "Widgets admin"
