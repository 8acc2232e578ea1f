import re
import secrets
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import audit, permissions
from .models import Agency, AuditEvent, District, Officer
from .permissions import Role


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
admin.site.unregister(Group)

# --- Accounts and roles ---------------------------------------------------------------------------
#
# The sysadmin manages accounts here but never makes one able to read a case (docs/accounts.md):
# they create accounts, edit those that hold no case access (names, email, password, active flag,
# staff flag, the sysadmin role itself), and may only deactivate or reactivate an account that
# holds case access. Roles that read cases are granted by a supervisor in the staff workspace.
# What they may not do is hidden here, and refused (403, recorded as ``user.change_refused``)
# when a request asks for it anyway; the guard in ``oversight.staff_accounts.guard`` refuses the
# same writes again underneath, whatever path makes them.

# Everything a request could post to set something on an account.
_ACCOUNT_INPUTS = {field.name for field in User._meta.concrete_fields} | {
    "groups",
    "user_permissions",
    "password1",
    "password2",
    "usable_password",
}
# A date and time field arrives as ``<name>_0`` and ``<name>_1``.
_SPLIT_SUFFIX = re.compile(r"_[01]$")


class RefusalsAuditedMixin:
    """Every refusal of the pages of the admin class is recorded as ``user.change_refused``, and
    kept though the refused work rolls back (each page runs in ``audit.service_atomic``)."""

    def _refusal_target(self, object_id: Any) -> Any:
        if object_id in (None, ""):
            return None
        try:
            return self.model._default_manager.filter(pk=unquote(str(object_id))).first()
        except (ValueError, TypeError, OverflowError):
            return None

    def _audited(self, request, view_name: str, object_id: Any, view, *args, **kwargs):
        with audit.service_atomic():
            try:
                return view(*args, **kwargs)
            except PermissionDenied as error:
                if not getattr(error, "audited", False):
                    audit.record_refusal(
                        "user.change_refused",
                        target=self._refusal_target(object_id),
                        data={
                            "via": "admin",
                            "model": self.model._meta.label_lower,
                            "view": view_name,
                            "method": request.method,
                        },
                    )
                    error.audited = True
                raise

    def _refuse(self, request, *, target: Any, view_name: str, reason: str, **data: Any) -> None:
        audit.record_refusal(
            "user.change_refused",
            target=target,
            data={"via": "admin", "model": self.model._meta.label_lower, "view": view_name, **data},
        )
        error = PermissionDenied(reason)
        error.audited = True
        raise error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        name = "change" if object_id else "add"
        return self._audited(
            request, name, object_id, super().changeform_view, request, object_id, form_url, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        return self._audited(request, "changelist", None, self._changelist_view, request, extra_context)

    def _changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action is not None and action not in self.get_actions(request):
            self._refuse(
                request,
                target=None,
                view_name="changelist",
                reason=gettext("That action is not yours to take."),
                action=action[:64],
            )
        return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._audited(request, "delete", object_id, super().delete_view, request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self._audited(request, "history", object_id, super().history_view, request, object_id, extra_context)


def _unknown_password() -> str:
    return secrets.token_urlsafe(48)


class StaffUserCreationForm(AdminUserCreationForm):
    """A new account's username, name and email; a password only if the sysadmin sets one now.

    Without one, the account gets a long random password nobody is told (not Django's "unusable"
    marker: the reset form sends its link only to accounts with a usable password), and the person
    sets their own with the emailed reset link."""

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usable = self.fields["usable_password"]
        usable.label = _("Password")
        usable.initial = "false"
        usable.choices = [
            ("false", _("No password now: the person sets their own with the emailed reset link")),
            ("true", _("Set a password now")),
        ]
        usable.help_text = ""

    def set_password_and_save(self, user, commit=True, **kwargs):
        if self.cleaned_data.get("set_usable_password"):
            return super().set_password_and_save(user, commit=commit, **kwargs)
        user.set_password(_unknown_password())
        if commit:
            user.save()
        return user


@admin.register(User)
class StaffUserAdmin(RefusalsAuditedMixin, UserAdmin):
    """User management for the sysadmin role, without a way to make anyone able to read a case.

    Only superusers grant superuser status or direct permissions; nobody changes their own roles or
    superuser flag here; an account that holds case access is read-only here for anyone but a
    superuser, except its active flag; the password page refuses such accounts. Every account
    change and role change is audited, and so is every refusal.
    """

    add_form = StaffUserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email")}),
        (_("Password"), {"classes": ("wide",), "fields": ("usable_password", "password1", "password2")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "roles", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "groups")

    @admin.display(description=_("roles"))
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    @admin.display(description=_("case access"))
    def access_note(self, obj) -> str:
        if obj is None or obj.pk is None or not permissions.holds_case_access(obj):
            return gettext("None: this account reads no case.")
        return gettext(
            "This account can read case records. Its roles are granted and revoked by a supervisor under "
            "“Staff accounts” in the staff workspace, and the person sets their own password with the emailed "
            "reset link. Here it can only be deactivated or reactivated."
        )

    def _locked(self, request, obj) -> bool:
        """Whether ``obj`` is read-only here for ``request.user`` but for its active flag. Asked several
        times per page (fields, fieldsets, form): read once per request and account."""
        if obj is None or obj.pk is None or request.user.is_superuser:
            return False
        cache = request.__dict__.setdefault("_case_access", {})
        if obj.pk not in cache:
            cache[obj.pk] = permissions.holds_case_access(obj)
        return cache[obj.pk]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        for _name, options in fieldsets:
            fields = list(options["fields"])
            if self._locked(request, obj) and "password" in fields:
                fields.remove("password")  # no "Set password" button for an account it may not set
            if not request.user.is_superuser:
                fields = [f for f in fields if f != "user_permissions"]
            options["fields"] = tuple(fields)
        fieldsets[0][1]["fields"] = (*fieldsets[0][1]["fields"], "access_note")
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + ["access_note"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        if self._locked(request, obj):
            readonly += ["username", "first_name", "last_name", "email", "is_staff", "groups"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_superuser", "groups", "user_permissions", "is_staff"]
        return list(dict.fromkeys(readonly))

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups" and request is not None and not request.user.is_superuser:
            # The sysadmin role is the one role a sysadmin grants: it reads no case.
            kwargs["queryset"] = Group.objects.filter(name=Role.SYSADMIN)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not request.user.is_superuser:
            obj = self._refusal_target(object_id)
            if object_id and obj is not None:
                self._audited(request, "change", object_id, self._refuse_forced_inputs, request, obj)
            elif not object_id:
                self._audited(request, "add", None, self._refuse_forced_inputs, request, None)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _refuse_forced_inputs(self, request, obj) -> None:
        """Refuse a post that sets what the page does not offer (a role that reads cases, superuser
        status, a permission, the password or email of an account with case access): a browser
        using the page never sends it, so whoever did forged it."""
        form_class = self.get_form(request, obj, change=obj is not None)
        editable = {name for name, field in form_class.base_fields.items() if not field.disabled}
        sent = {_SPLIT_SUFFIX.sub("", key) for key in request.POST}
        forced = sorted((sent & _ACCOUNT_INPUTS) - editable)
        if "groups" in editable:
            allowed = {str(pk) for pk in form_class.base_fields["groups"].queryset.values_list("pk", flat=True)}
            if set(request.POST.getlist("groups")) - allowed:
                forced.append("groups")
        if forced:
            self._refuse(
                request,
                target=obj,
                view_name="change" if obj is not None else "add",
                reason=gettext(
                    "Only a supervisor grants the roles that read cases, and an account that can read them "
                    "is changed only by a supervisor."
                ),
                fields=sorted(set(forced)),
            )

    def add_view(self, request, form_url="", extra_context=None):
        return self._audited(request, "add", None, super().add_view, request, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        return self._audited(request, "password", id, self._user_change_password, request, id, form_url)

    def _user_change_password(self, request, id, form_url=""):
        user = self._refusal_target(id)
        if user is not None and user.pk != request.user.pk and self._locked(request, user):
            self._refuse(
                request,
                target=user,
                view_name="password",
                reason=gettext(
                    "This account can read case records: its password is set only by the person, with the "
                    "emailed reset link."
                ),
            )
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if obj.is_superuser and not request.user.is_superuser:
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
        audit.record(
            "user.changed" if change else "user.created",
            target=obj,
            data={
                "fields": sorted(
                    name for name in form.changed_data if name not in ("password", "password1", "password2")
                )
            },
        )

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        before = set(obj.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(obj.groups.values_list("name", flat=True))
        for role, action in [(r, "user.role_granted") for r in sorted(after - before)] + [
            (r, "user.role_revoked") for r in sorted(before - after)
        ]:
            audit.record(
                action,
                target=obj,
                data={"role": role, "user": obj.get_username(), "user_id": obj.pk, "via": "admin"},
            )


@admin.register(Group)
class RoleGroupAdmin(RefusalsAuditedMixin, GroupAdmin):
    """The role groups, read-only for the sysadmin (``auth.view_group``): what each role may do is
    defined in code (``oversight.permissions.ROLE_PERMISSIONS``) and kept by ``setup_roles``."""
