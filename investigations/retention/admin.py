"""Read-only admin pages for holds and retention records, scoped like every case admin page. Holds
are placed and released, and cases destroyed, only on the staff pages, through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.admin import ScopedToVisibleComplaints

from .models import LegalHold, RetentionRecord, RetentionReview


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnly, ScopedToVisibleComplaints, SimpleHistoryAdmin):
    list_display = ("complaint", "kind", "status", "reference", "placed_at", "released_at")
    list_filter = ("status", "kind")
    search_fields = ("complaint__tracking_number", "reference")
    list_select_related = ("complaint",)
    readonly_fields = (
        "complaint",
        "kind",
        "reference",
        "reason",
        "status",
        "placed_by",
        "placed_at",
        "released_by",
        "released_at",
        "release_reason",
    )
    fields = readonly_fields


@admin.register(RetentionRecord)
class RetentionRecordAdmin(ReadOnly, ScopedToVisibleComplaints, SimpleHistoryAdmin):
    list_display = ("complaint", "status", "schedule", "closed_on", "due_on", "destroyed_at")
    list_filter = ("status", "schedule")
    search_fields = ("complaint__tracking_number",)
    list_select_related = ("complaint",)
    readonly_fields = (
        "complaint",
        "status",
        "schedule",
        "closed_on",
        "due_on",
        "destroyed_at",
        "destroyed_by",
        "reason",
    )
    fields = readonly_fields


@admin.register(RetentionReview)
class RetentionReviewAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("as_of", "ran_at", "due", "newly_due", "held", "notified", "run_by")
    readonly_fields = ("as_of", "ran_at", "due", "newly_due", "held", "notified", "run_by")
