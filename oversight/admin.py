from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
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


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """User management for the sysadmin role, without a way to raise one's own access.

    Only superusers may grant superuser status or direct permissions; nobody changes their own
    roles or superuser flag here; every account change and role change is audited.
    """

    list_display = ("username", "first_name", "last_name", "email", "roles", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "groups")

    @admin.display(description=_("roles"))
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_superuser", "groups", "user_permissions", "is_staff"]
        return list(dict.fromkeys(readonly))

    def save_model(self, request, obj, form, change):
        if obj.is_superuser and not request.user.is_superuser:
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
        audit.record(
            "user.changed" if change else "user.created",
            target=obj,
            data={"fields": sorted(name for name in form.changed_data if name != "password")},
        )

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        before = set(obj.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(obj.groups.values_list("name", flat=True))
        if before != after:
            audit.record(
                "user.roles_changed",
                target=obj,
                data={"added": sorted(after - before), "removed": sorted(before - after)},
            )
