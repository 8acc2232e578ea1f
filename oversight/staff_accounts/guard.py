"""The guard: no write to an account, a role or a second-factor device can make an account able to
read a case unless a supervisor, a superuser or the server itself makes it.

The house keeps business rules out of signals; this is the one exception, on purpose. The rule has
to hold whichever path writes (the admin's forms, its password page, its device pages, a page added
later, a shell opened inside a request), and the model layer is the one place all of them pass.
The admin hides and refuses what the sysadmin may not do first (``oversight.admin``); the guard is
what still holds when a form, a URL or a future view forgets. Bulk ``QuerySet.update()`` and raw
SQL pass no signal: no path of the application writes accounts that way.

**Who is acting** is read the way the audit trail reads it (``oversight.context``): the signed-in
user of the request being served. With no request and no actor (a management command, a migration,
the demo seeding, the test factories) the server itself is acting, and is trusted: whoever runs it
already holds the database. A request with nobody signed in (a sign-in, an emailed reset link) may
change only what the person proves by it: their password and their second-factor device.

**The rules** (docs/accounts.md):

* superuser status is given or taken only by a superuser (or the server);
* direct user permissions and a group's permissions are changed only by a superuser (or the
  server: ``setup_roles`` keeps the role groups as the code defines them);
* groups are created, renamed or deleted only by a superuser (or the server);
* group membership: nobody but a superuser changes their own; a supervisor changes anyone else's;
  anyone else only adds or removes the sysadmin role, on an account with no case access;
* an account with case access (``permissions.holds_case_access``) is changed only by a supervisor
  or a superuser; anyone else may only deactivate or reactivate it, the person may change their
  own password, and a request with nobody signed in may change the password (the reset link);
* a second-factor device (and a backup code) is added, changed or removed only by its owner, a
  supervisor, a superuser, the server, or a request with nobody signed in (verifying at sign-in).

Each refusal raises ``AccountChangeRefused`` (a ``PermissionDenied``, so a page answers 403) and is
recorded as ``user.change_refused``, kept even when the refused work rolls back when the write runs
inside ``audit.service_atomic`` (the admin's account pages do).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.utils.translation import gettext as _

from oversight import audit, context, permissions
from oversight.permissions import Role

# Fields a write may change on any account whoever writes: Django stamps the sign-in time itself.
_ALWAYS_ALLOWED = frozenset({"last_login"})


class AccountChangeRefused(PermissionDenied):
    """A write the guard refused; already recorded as ``user.change_refused``."""

    audited = True


@dataclass(frozen=True)
class Actor:
    """Who is making the write being checked."""

    user: Any
    server: bool

    @property
    def nobody_signed_in(self) -> bool:
        """A request is being served and nobody in it is signed in (a sign-in, a reset link)."""
        return self.user is None and not self.server

    @cached_property
    def is_superuser(self) -> bool:
        return self.user is not None and self.user.is_active and self.user.is_superuser

    @cached_property
    def is_supervisor(self) -> bool:
        # Read fresh: a role granted or revoked earlier in the same request counts at once.
        return self.user is not None and self.user.is_active and self.user.groups.filter(name=Role.SUPERVISOR).exists()

    def is_(self, user_id: Any) -> bool:
        return self.user is not None and user_id is not None and self.user.pk == user_id


def current_actor() -> Actor:
    ctx = context.current()
    user = ctx.user
    if user is None and ctx.request is not None:
        # A sign-in in this very request: the context was set before the person was known.
        user = getattr(ctx.request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return Actor(user=user, server=user is None and ctx.request is None)


def refuse(
    actor: Actor, *, target: Any, change: str, reason: str, target_label: str | None = None, **data: Any
) -> None:
    """Record the refusal and raise it. ``data`` names what was refused, never a value sent."""
    audit.record_refusal(
        "user.change_refused",
        target=target,
        target_label=target_label,
        actor=actor.user,
        data={"change": change, **data},
    )
    raise AccountChangeRefused(reason)


# --- Accounts ------------------------------------------------------------------------------------------


def _user_pre_save(sender: Any, instance: Any, raw: bool = False, update_fields: Iterable[str] | None = None, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= _ALWAYS_ALLOWED):
        return  # the sign-in's own stamp, on every sign-in: no query for it
    actor = current_actor()
    if actor.server or actor.is_superuser:
        return
    fields = [f for f in sender._meta.concrete_fields if not f.primary_key]
    if update_fields is not None:
        wanted = set(update_fields)
        fields = [f for f in fields if f.name in wanted or f.attname in wanted]
    stored = None
    if not instance._state.adding and instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    if stored is None:  # a new account: it holds no role yet (roles come after, through the groups)
        if instance.is_superuser:
            refuse(
                actor,
                target=None,
                target_label=instance.get_username(),
                change="is_superuser",
                reason=_("Only a superuser can make an account a superuser."),
            )
        return
    changed = {f.name for f in fields if stored[f.attname] != getattr(instance, f.attname)} - _ALWAYS_ALLOWED
    if not changed:
        return
    if "is_superuser" in changed:
        refuse(
            actor,
            target=instance,
            change="is_superuser",
            reason=_("Only a superuser can give or take superuser status."),
        )
    if actor.is_supervisor or not permissions.holds_case_access(instance):
        return
    allowed = {"is_active"}
    if actor.is_(instance.pk) or actor.nobody_signed_in:
        allowed.add("password")  # the person's own change, or the emailed reset link
    forbidden = sorted(changed - allowed)
    if forbidden:
        refuse(
            actor,
            target=instance,
            change="account",
            reason=_(
                "This account can read case records: only a supervisor can change it. "
                "You may deactivate it; the person sets their own password with the emailed reset link."
            ),
            fields=forbidden,
        )


def _target_label(obj: Any) -> str:
    if hasattr(obj, "get_username"):
        return obj.get_username()
    return str(obj)


def _groups_changed(sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs):
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    actor = current_actor()
    if actor.server or actor.is_superuser:
        return
    User = get_user_model()
    if reverse:  # group.user_set.add(user): ``instance`` is the group, ``pk_set`` the users
        groups = [instance]
        users = list(User._default_manager.filter(pk__in=pk_set) if pk_set is not None else instance.user_set.all())
    else:
        users = [instance]
        groups = list(Group.objects.filter(pk__in=pk_set) if pk_set is not None else instance.groups.all())
    if not groups or not users:
        return
    names = sorted(group.name for group in groups)
    verb = "grant" if action == "pre_add" else "revoke"
    for user in users:
        if actor.is_(user.pk):
            refuse(
                actor,
                target=user,
                change=f"roles.{verb}",
                reason=_("Nobody changes their own roles: another supervisor must."),
                groups=names,
            )
        if actor.is_supervisor:
            continue
        if names != [Role.SYSADMIN] or permissions.holds_case_access(user):
            refuse(
                actor,
                target=user,
                change=f"roles.{verb}",
                reason=_("Only a supervisor can grant or revoke this role, in the staff workspace."),
                groups=names,
            )


def _permissions_changed(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs):
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if action != "pre_clear" and not pk_set:
        return
    actor = current_actor()
    if actor.server or actor.is_superuser:
        return
    names = []
    if pk_set:
        if isinstance(instance, Permission):
            names = [instance.codename]
        else:
            names = sorted(Permission.objects.filter(pk__in=pk_set).values_list("codename", flat=True))
    refuse(
        actor,
        target=instance,
        target_label=_target_label(instance),
        change="permissions",
        reason=_("Permissions are set by the roles the platform defines; only a superuser can change them."),
        permissions=names,
    )


def _group_written(sender: Any, instance: Any, raw: bool = False, **kwargs):
    if raw:
        return
    actor = current_actor()
    if actor.server or actor.is_superuser:
        return
    refuse(
        actor,
        target=instance if instance.pk is not None else None,
        target_label=instance.name,
        change="group",
        reason=_("Roles are defined by the platform; only a superuser can add, rename or delete one."),
    )


# --- Second-factor devices -------------------------------------------------------------------------------


def _device_owner_ids(instance: Any, *, stored: bool) -> set[Any]:
    """The accounts a device (or a backup code, through its device) belongs to: now and, for a saved
    row, as stored, so that moving a device to another account counts for both."""
    if hasattr(instance, "user_id"):
        owners = {instance.user_id}
        if stored and instance.pk is not None:
            owners |= set(type(instance)._default_manager.filter(pk=instance.pk).values_list("user_id", flat=True))
        return owners
    device_ids = {instance.device_id}
    if stored and instance.pk is not None:
        device_ids |= set(type(instance)._default_manager.filter(pk=instance.pk).values_list("device_id", flat=True))
    device_model = type(instance)._meta.get_field("device").related_model
    return set(device_model._default_manager.filter(pk__in=device_ids).values_list("user_id", flat=True))


def _device_written(sender: Any, instance: Any, raw: bool = False, **kwargs):
    if raw:
        return
    actor = current_actor()
    if actor.server or actor.nobody_signed_in or actor.is_superuser:
        return
    owners = _device_owner_ids(instance, stored=True)
    if all(actor.is_(owner) for owner in owners) or actor.is_supervisor:
        return
    User = get_user_model()
    owner = User._default_manager.filter(pk__in=owners).order_by("pk").first()
    refuse(
        actor,
        target=owner,
        change="second_factor",
        reason=_("A second-factor device is reset only by a supervisor, in the staff workspace."),
        model=sender._meta.label_lower,
    )


def device_models() -> list[type]:
    """The second-factor models: every django-otp device kind installed, and the backup codes."""
    if not apps.is_installed("django_otp"):
        return []
    from django_otp import device_classes

    models = list(device_classes())
    if apps.is_installed("django_otp.plugins.otp_static"):
        models.append(apps.get_model("otp_static", "StaticToken"))
    return models


def connect() -> None:
    User = get_user_model()
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="staff_accounts.guard.user")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="staff_accounts.guard.groups")
    m2m_changed.connect(
        _permissions_changed, sender=User.user_permissions.through, dispatch_uid="staff_accounts.guard.user_perms"
    )
    m2m_changed.connect(
        _permissions_changed, sender=Group.permissions.through, dispatch_uid="staff_accounts.guard.group_perms"
    )
    for signal in (pre_save, pre_delete):
        signal.connect(_group_written, sender=Group, dispatch_uid=f"staff_accounts.guard.group.{id(signal)}")
        for model in device_models():
            signal.connect(
                _device_written,
                sender=model,
                dispatch_uid=f"staff_accounts.guard.device.{model._meta.label_lower}.{id(signal)}",
            )
