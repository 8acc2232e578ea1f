from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .models import Agency, AuditEvent, District, Officer


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0
    fields = ("code", "name")


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "jurisdiction", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name", "jurisdiction")
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "agency")
    list_filter = ("agency",)
    search_fields = ("name", "code")
    list_select_related = ("agency",)


@admin.register(Officer)
class OfficerAdmin(SimpleHistoryAdmin):
    list_display = ("badge_number", "last_name", "first_name", "rank", "unit", "agency", "status")
    list_filter = ("agency", "status", "rank")
    search_fields = ("badge_number", "last_name", "first_name", "unit")
    list_select_related = ("agency",)
    list_per_page = 100
    date_hierarchy = "hire_date"


class AuditActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in sorted(audit.ACTIONS.items())]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: read-only for everyone, including superusers."""

    list_display = (
        "occurred_at",
        "actor_username",
        "action_label",
        "target_label",
        "outcome",
        "ip",
        "request_id",
    )
    list_filter = (AuditActionFilter, "outcome", "target_type")
    search_fields = ("actor_username", "target_label", "request_id", "=target_id")
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditEvent) -> str:
        return audit.label_for(obj.action)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
