from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Allegation, AllegationCategory, Attachment, Complaint, ConsentText, Party, SubjectOfficer
from .selectors import complaint_visible_queryset


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "parent", "sort_order", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    ordering = ("sort_order",)


class ScopedToVisibleComplaints:
    """Admin pages for case data show only what the complaint selectors let this user see.

    Roles without complaint permissions (the sysadmin) get no page at all; the others see the
    same complaints the staff workspace shows them.
    """

    complaint_path = "complaint"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = complaint_visible_queryset(request.user)
        if self.complaint_path == "self":
            return queryset.filter(pk__in=visible.values("pk"))
        return queryset.filter(**{f"{self.complaint_path}__in": visible.values("pk")})

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalDataInline(admin.StackedInline):
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("complaints.view_personal_data") and super().has_view_permission(request, obj)


class PartyInline(PersonalDataInline):
    model = Party
    extra = 0
    fields = (
        ("role", "preferred_contact", "preferred_language"),
        ("first_name", "last_name"),
        ("email", "phone"),
        "address",
        "description",
        ("race_ethnicity", "gender", "age_range"),
    )


class SubjectOfficerInline(admin.StackedInline):
    model = SubjectOfficer
    extra = 0
    autocomplete_fields = ("officer",)
    fields = (
        ("officer", "name_as_given", "badge_as_given"),
        ("unit_as_given", "vehicle"),
        "appearance",
    )


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ScopedToVisibleComplaints, SimpleHistoryAdmin):
    complaint_path = "self"
    list_display = (
        "tracking_number",
        "received_at",
        "channel",
        "status",
        "district",
        "language",
        "anonymity",
    )
    list_filter = ("status", "channel", "anonymity", "language", "district")
    search_fields = ("=tracking_number",)
    date_hierarchy = "received_at"
    list_select_related = ("district",)
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = (
        "tracking_number",
        "status",
        "status_changed_at",
        "entered_by",
        "created_at",
        "updated_at",
    )
    inlines = [PartyInline, SubjectOfficerInline, AttachmentInline]

    def has_add_permission(self, request):
        # Complaints are created through the intake services (web form or staff entry), not here.
        return False


@admin.register(Allegation)
class AllegationAdmin(ScopedToVisibleComplaints, SimpleHistoryAdmin):
    list_display = ("complaint", "category", "subject_officer")
    list_filter = ("category__parent",)
    search_fields = ("=complaint__tracking_number",)
    list_select_related = ("complaint", "category", "category__parent", "subject_officer__officer")
    raw_id_fields = ("complaint", "subject_officer")


@admin.register(Party)
class PartyAdmin(ScopedToVisibleComplaints, SimpleHistoryAdmin):
    list_display = ("complaint", "role", "preferred_language")
    list_filter = ("role",)
    search_fields = ("=complaint__tracking_number",)
    list_select_related = ("complaint",)
    raw_id_fields = ("complaint",)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("complaints.view_personal_data") and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return request.user.has_perm("complaints.view_personal_data") and super().has_module_permission(request)


@admin.register(ConsentText)
class ConsentTextAdmin(SimpleHistoryAdmin):
    """Publishing the advisory text. A version residents have agreed to can no longer be edited:
    publish a new version instead, so each complaint keeps the exact text its filer saw."""

    list_display = ("version", "language", "title", "is_active", "created_at")
    list_filter = ("language", "is_active")
    search_fields = ("version", "title")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Complaint.objects.filter(consent=obj).exists():
            return ("version", "language", "title", "body", "agreement")
        return ()

    def has_delete_permission(self, request, obj=None):
        return False
