"""Every write of staff account management: granting and revoking roles, resetting a lost second
factor, creating the first supervisor on the server, and setting a person's preferred language.

A supervisor does all of it, for anyone but themselves (another supervisor changes their roles or
resets their device), and each write is audited on the account it changed. The guard
(``guard.py``) holds the same line underneath for every other path. The preferred language is the
one exception to "not themselves": each person sets their own, and a supervisor sets anyone's.
"""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from oversight import audit, permissions
from oversight.permissions import ROLE_PERMISSIONS, Role

from .models import StaffPreference
from .selectors import language_codes

User = get_user_model()


def _refuse(*, actor: Any, user: Any, attempt: str, reason: str, **data: Any) -> None:
    audit.record_refusal("user.change_refused", target=user, actor=actor, data={"attempt": attempt, **data})
    raise PermissionDenied(reason)


def _check_manager(*, actor: Any, user: Any, attempt: str, **data: Any) -> None:
    """Refuse (audited) unless ``actor`` is an active supervisor acting on someone else."""
    if not permissions.may_manage_accounts(actor):
        _refuse(actor=actor, user=user, attempt=attempt, reason=_("Only a supervisor can do this."), **data)
    if actor.pk == user.pk:
        _refuse(
            actor=actor,
            user=user,
            attempt=attempt,
            reason=_("You cannot do this for your own account: another supervisor must."),
            **data,
        )


def scramble_password(user: Any) -> None:
    """Give ``user`` a long random password that nobody is told, and save it.

    Rather than Django's "unusable" marker: Django's reset form sends its link only to accounts
    with a usable password, and the emailed link is how the person sets their own."""
    user.set_password(secrets.token_urlsafe(48))
    user.save(update_fields=["password"])


def _delete_devices(user: Any) -> int:
    from django_otp import devices_for_user

    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


def _end_sessions(user: Any) -> int:
    from oversight.authn.sessions import end_sessions

    return end_sessions(user)


def grant_role(*, actor: Any, user: Any, role: str) -> bool:
    """Give ``user`` the role ``role``; return whether their sign-in was reset with it.

    Only a supervisor, for someone else, and only to an active account. When this is the account's
    first case-reading role, whoever could sign in as it until now must not keep that: its sessions
    end, its second-factor devices are removed and its password is replaced by a random one nobody
    is told, so the person sets their own through the emailed reset link and enrols again at their
    next sign-in (docs/accounts.md). Audited as ``user.role_granted``.
    """
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": _("Choose one of the roles listed.")})
    with audit.service_atomic():
        _check_manager(actor=actor, user=user, attempt="grant_role", role=role)
        user = User._default_manager.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError(
                {"role": _("This account is deactivated. A system administrator reactivates it first.")}
            )
        if user.groups.filter(name=role).exists():
            raise ValidationError({"role": _("This person already holds that role.")})
        reset = role in permissions.CASE_READING_ROLES and not permissions.holds_case_reading_role(user)
        if reset and not user.email:
            raise ValidationError(
                {
                    "role": _(
                        "This account has no email address, so the person could not set their password. "
                        "A system administrator adds it first."
                    )
                }
            )
        user.groups.add(Group.objects.get(name=role))
        devices = sessions = 0
        if reset:
            scramble_password(user)
            devices = _delete_devices(user)
            sessions = _end_sessions(user)
        audit.record(
            "user.role_granted",
            target=user,
            actor=actor,
            data={
                "role": role,
                "user": user.get_username(),
                "user_id": user.pk,
                "sign_in_reset": reset,
                "devices_removed": devices,
                "sessions_ended": sessions,
            },
        )
    return reset


def revoke_role(*, actor: Any, user: Any, role: str) -> None:
    """Take the role ``role`` from ``user``. Only a supervisor, for someone else. Audited as
    ``user.role_revoked``. The person's sessions go on, with what their remaining roles allow."""
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": _("Choose one of the roles listed.")})
    with audit.service_atomic():
        _check_manager(actor=actor, user=user, attempt="revoke_role", role=role)
        user = User._default_manager.select_for_update().get(pk=user.pk)
        group = user.groups.filter(name=role).first()
        if group is None:
            raise ValidationError({"role": _("This person does not hold that role.")})
        user.groups.remove(group)
        audit.record(
            "user.role_revoked",
            target=user,
            actor=actor,
            data={"role": role, "user": user.get_username(), "user_id": user.pk},
        )


def reset_second_factor(*, actor: Any, user: Any) -> int:
    """Remove every second-factor device of ``user`` (app and backup codes) after they lost it, and
    end their sessions; they enrol again at their next sign-in. Only a supervisor, for someone else:
    never the person themselves, nor the sysadmin. Audited as ``user.mfa_reset``. Returns how many
    devices were removed."""
    with audit.service_atomic():
        _check_manager(actor=actor, user=user, attempt="reset_second_factor")
        user = User._default_manager.select_for_update().get(pk=user.pk)
        devices = _delete_devices(user)
        sessions = _end_sessions(user)
        audit.record(
            "user.mfa_reset",
            target=user,
            actor=actor,
            data={
                "user": user.get_username(),
                "user_id": user.pk,
                "devices_removed": devices,
                "sessions_ended": sessions,
            },
        )
    return devices


def supervisor_create(
    *, username: str, email: str, first_name: str = "", last_name: str = "", password: str | None
) -> Any:
    """Create a supervisor account on the server (``manage.py createsupervisor``): the way the first
    one is made, since only a supervisor grants the role afterwards. ``password=None`` gives a random
    one nobody is told: the person sets their own with the emailed reset link. Audited as
    ``user.supervisor_created``, with no actor."""
    permissions.setup_roles()
    with audit.service_atomic():
        if User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
            raise ValidationError({"username": _("An account with this username already exists.")})
        user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_staff=True)
        user.set_password(password if password is not None else secrets.token_urlsafe(48))
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
        audit.record(
            "user.supervisor_created",
            target=user,
            actor=None,
            data={"user": user.get_username(), "user_id": user.pk, "password_set": password is not None},
        )
    return user


def language_set(*, actor: Any, user: Any, language: str) -> StaffPreference:
    """Set the language ``user``'s emails and board packets are written in (and, from their next
    sign-in, the staff workspace's). ``user`` sets their own; a supervisor sets anyone's; anyone
    else is refused (audited as ``user.change_refused``). The language must be one of
    ``settings.LANGUAGES``. A change is audited as ``user.language_changed`` (the language before
    and after); choosing the language already stored writes nothing."""
    if language not in language_codes():
        raise ValidationError({"language": _("Choose one of the languages listed.")})
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    by_self = actor.pk == user.pk
    if not by_self and not permissions.may_manage_accounts(actor):
        _refuse(
            actor=actor,
            user=user,
            attempt="set_language",
            reason=_("Only the person or a supervisor can do this."),
            language=language,
        )
    with audit.service_atomic():
        preference, created = StaffPreference.objects.select_for_update().get_or_create(
            user_id=user.pk, defaults={"language": language}
        )
        previous = "" if created else preference.language
        if previous != language:
            if not created:
                preference.language = language
                preference.save(update_fields=["language", "updated_at"])
            audit.record(
                "user.language_changed",
                target=user,
                actor=actor,
                data={
                    "language": language,
                    "previous": previous,
                    "user": user.get_username(),
                    "user_id": user.pk,
                    "by_self": by_self,
                },
            )
    # Whoever holds this user object reads the new choice, not the one loaded with it.
    user.staff_preference = preference
    return preference
