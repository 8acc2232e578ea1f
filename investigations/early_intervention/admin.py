"""Read-only admin pages for the early-intervention rules and their versions. Rules are added and
changed on the staff pages (``/staff/early-intervention/rules/``), through the services, so every
change of parameters is a new version and audited."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Threshold, ThresholdVersion


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnly, admin.TabularInline):
    model = ThresholdVersion
    extra = 0
    fields = (
        "number",
        "count",
        "window_months",
        "category",
        "disposition",
        "percentile",
        "minimum_peers",
        "note",
        "created_at",
        "created_by_name",
    )
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(Threshold)
class ThresholdAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("name", "kind", "is_active", "current_version", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    list_select_related = ("current_version",)
    readonly_fields = ("name", "kind", "is_active", "current_version", "created_at", "updated_at")
    fields = readonly_fields
    inlines = [VersionInline]
