"""Board membership and meetings, managed by supervisors in the admin."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BoardMeeting, BoardMembership


@admin.register(BoardMembership)
class BoardMembershipAdmin(SimpleHistoryAdmin):
    """Board seats and terms; the chair is the current member marked chair."""

    list_display = ("member", "is_chair", "term_start", "term_end")
    list_filter = ("is_chair",)
    search_fields = ("member__username", "member__last_name")
    list_select_related = ("member",)
    autocomplete_fields = ()
    raw_id_fields = ("member",)


@admin.register(BoardMeeting)
class BoardMeetingAdmin(SimpleHistoryAdmin):
    """The staff meeting pages (``/staff/meetings/``) take every public step, each audited; here the
    lifecycle's status and timestamps are shown, never changed."""

    list_display = ("date", "title", "status", "starts_at")
    list_filter = ("status",)
    search_fields = ("title",)
    date_hierarchy = "date"
    filter_horizontal = ("attendees",)
    raw_id_fields = ("agenda",)
    readonly_fields = (
        "status",
        "sequence",
        "agenda_published_at",
        "held_recorded_at",
        "minutes_approved_at",
        "minutes_published_at",
    )
