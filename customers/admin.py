from django.contrib import admin

from .models import CustomerSegment


@admin.register(CustomerSegment)
class CustomerSegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "kind", "estimated_size", "archived"]
    list_filter = ["kind", "archived", "agency"]
    search_fields = ["name", "description", "needs", "agency__name"]
    list_select_related = ["agency"]
