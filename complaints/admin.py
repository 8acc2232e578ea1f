from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight import personal_data

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


class AuditsPersonalDataReads:
    """Marks the personal data this admin's pages show, for the response's one
    ``personal_data.viewed`` event (``oversight.personal_data``), with the complaint as the target.

    ``personal_data_pages`` maps a page (``change``, ``changelist``, ``history`` and ``version``, a
    past version's form) to the kinds of personal data it shows; ``personal_data_inlines`` maps an
    inline's model to the kind its rows show, marked when the change page lists any. A kind the
    user may not see is never marked. Marking reads objects the page has already loaded: no query.
    """

    personal_data_pages: dict[str, tuple[str, ...]] = {}
    personal_data_inlines: dict[type, str] = {}

    def _complaint_of(self, obj: Any) -> Any:
        return obj if self.complaint_path == "self" else getattr(obj, self.complaint_path)

    def _mark_read(self, request, page: str, objects: list[Any], extra: tuple[str, ...] = ()) -> None:
        kinds = [
            kind
            for kind in (*self.personal_data_pages.get(page, ()), *extra)
            if personal_data.may_view(request.user, kind)
        ]
        if not kinds:
            return
        for obj in objects:
            personal_data.shown(request, self._complaint_of(obj), kinds)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if response.status_code == 200 and obj is not None:
            listed = tuple(
                self.personal_data_inlines[inline.formset.model]
                for inline in context.get("inline_admin_formsets", [])
                if inline.formset.model in self.personal_data_inlines and inline.formset.initial_form_count()
            )
            self._mark_read(request, "change", [obj], listed)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None and "changelist" in self.personal_data_pages:
            # The page's own rows (the template iterates the same, already loaded, list).
            self._mark_read(request, "changelist", list(changelist.result_list))
        return response

    def render_history_view(self, request, template, context, **kwargs):
        response = super().render_history_view(request, template, context, **kwargs)
        if response.status_code == 200:
            if template == self.object_history_form_template:
                self._mark_read(request, "version", [context["original"]])
            elif context.get("page_obj") is not None and len(context["page_obj"].object_list):
                self._mark_read(request, "history", [context["object"]])
        return response


class PersonalDataInline(admin.StackedInline):
    """Rows of people's details: neither shown nor editable without ``view_personal_data`` (editing
    a form shows what it holds)."""

    def has_view_permission(self, request, obj=None):
        return personal_data.may_view(request.user, "parties") and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return personal_data.may_view(request.user, "parties") and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return personal_data.may_view(request.user, "parties") and super().has_add_permission(request, obj)


def _hides_employee(request) -> bool:
    """Whether the user may not see the police employee who reported a case (docs/whistleblower.md)."""
    return not personal_data.may_view(request.user, personal_data.EMPLOYEE_KIND)


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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.exclude(role=Party.Role.EMPLOYEE) if _hides_employee(request) else queryset


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
class ComplaintAdmin(AuditsPersonalDataReads, ScopedToVisibleComplaints, SimpleHistoryAdmin):
    complaint_path = "self"
    # The list shows no personal data (tracking numbers, dates, channel, status, district); the
    # change page shows the narrative and, through the inlines, the people and the files sent.
    personal_data_pages = {"change": ("narrative",), "history": ("history",), "version": ("narrative",)}
    personal_data_inlines = {Party: "parties", Attachment: "evidence"}
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

    # A police employee's report opens here only for a user who may see who reported: its form
    # shows the narrative as the employee wrote it, which the workspace masks for anyone else.
    def _withheld(self, request, obj) -> bool:
        return obj is not None and obj.is_employee_report and _hides_employee(request)

    def has_view_permission(self, request, obj=None):
        return not self._withheld(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._withheld(request, obj) and super().has_change_permission(request, obj)

    def has_view_history_permission(self, request, obj=None):
        return not self._withheld(request, obj) and super().has_view_history_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return not self._withheld(request, obj) and super().has_change_history_permission(request, obj)


@admin.register(Allegation)
class AllegationAdmin(ScopedToVisibleComplaints, SimpleHistoryAdmin):
    list_display = ("complaint", "category", "subject_officer")
    list_filter = ("category__parent",)
    search_fields = ("=complaint__tracking_number",)
    list_select_related = ("complaint", "category", "category__parent", "subject_officer__officer")
    raw_id_fields = ("complaint", "subject_officer")


@admin.register(Party)
class PartyAdmin(AuditsPersonalDataReads, ScopedToVisibleComplaints, SimpleHistoryAdmin):
    personal_data_pages = {
        "change": ("parties",),
        "changelist": ("parties",),
        "history": ("parties",),
        "version": ("parties",),
    }
    list_display = ("complaint", "role", "preferred_language")
    list_filter = ("role",)
    search_fields = ("=complaint__tracking_number",)
    list_select_related = ("complaint",)
    raw_id_fields = ("complaint",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.exclude(role=Party.Role.EMPLOYEE) if _hides_employee(request) else queryset

    def _withheld(self, request, obj) -> bool:
        """The police employee who reported, for a user who may not see them: no page of theirs."""
        return obj is not None and obj.role == Party.Role.EMPLOYEE and _hides_employee(request)

    # People's details, so neither shown nor editable without view_personal_data.
    def has_view_permission(self, request, obj=None):
        return (
            not self._withheld(request, obj)
            and personal_data.may_view(request.user, "parties")
            and super().has_view_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return (
            not self._withheld(request, obj)
            and personal_data.may_view(request.user, "parties")
            and super().has_change_permission(request, obj)
        )

    def has_add_permission(self, request):
        return personal_data.may_view(request.user, "parties") and super().has_add_permission(request)

    def has_module_permission(self, request):
        return personal_data.may_view(request.user, "parties") and super().has_module_permission(request)

    def has_view_history_permission(self, request, obj=None):
        return (
            not self._withheld(request, obj)
            and personal_data.may_view(request.user, "parties")
            and super().has_view_history_permission(request, obj)
        )

    def has_change_history_permission(self, request, obj=None):
        return (
            not self._withheld(request, obj)
            and personal_data.may_view(request.user, "parties")
            and super().has_change_history_permission(request, obj)
        )


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
