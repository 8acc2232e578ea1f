"""Every read of the staff account pages: the list of accounts, one person's roles, their grant
history (read from the audit trail) and their second factor; and each staff member's preferred
language, which every email to staff and the board packet are written in.

The pages are a supervisor's; to anyone else they do not exist (404, as for any page that is not
theirs), which ``account_get_for_manager`` and ``check_manager`` enforce. A person's own
preferences page is theirs alone."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from oversight import audit, permissions
from oversight.models import AuditEvent
from oversight.permissions import CASE_READING_ROLES, ROLE_LABELS, ROLE_PERMISSIONS

User = get_user_model()

# What the person's page shows of the audit trail: every change of their roles and second factor,
# how the account was made, and every change of it that was refused.
HISTORY_ACTIONS = (
    "user.role_granted",
    "user.role_revoked",
    "user.roles_changed",
    "user.mfa_reset",
    "user.supervisor_created",
    "user.created",
    "user.change_refused",
    "user.language_changed",
)
HISTORY_LIMIT = 200


# --- Preferred language -----------------------------------------------------------------------------


def language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def language_label(code: str) -> str:
    """The language's name in the reader's language ("Spanish", "Español")."""
    return str(dict(settings.LANGUAGES).get(code, code))


def stored_language(user: Any) -> str | None:
    """The language ``user`` chose (or a supervisor chose for them), if it is still one of
    ``settings.LANGUAGES``; None when nobody chose one. Reads the preference loaded with the user
    (``select_related("staff_preference")``) when it was, else one query."""
    from .models import StaffPreference

    if user is None or getattr(user, "pk", None) is None:
        return None
    try:
        preference = user.staff_preference
    except StaffPreference.DoesNotExist:
        return None
    return preference.language if preference.language in language_codes() else None


def preferred_language(user: Any, default: str | None = None) -> str:
    """The language to write to ``user`` in: their stored choice; else ``default`` when it is one
    of ``settings.LANGUAGES`` (the language of the page a password reset was asked from); else
    ``settings.LANGUAGE_CODE``."""
    stored = stored_language(user)
    if stored:
        return stored
    if default and default in language_codes():
        return default
    return settings.LANGUAGE_CODE


# --- Account management ------------------------------------------------------------------------------


def check_manager(user: Any) -> None:
    """Raise 404 unless ``user`` may manage staff accounts (a supervisor)."""
    if not permissions.may_manage_accounts(user):
        raise Http404


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def staff_accounts(*, query: str = "") -> QuerySet:
    """Every account, by username, with its roles prefetched; ``query`` matches any part of the
    username, name or email address."""
    accounts = User._default_manager.order_by("username", "pk").prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=ROLE_PERMISSIONS).order_by("name"))
    )
    query = query.strip()
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return accounts


def account_get_for_manager(*, user: Any, pk: int) -> Any:
    """The account ``pk``, for a supervisor; 404 for anyone else and for an account that is not there."""
    check_manager(user)
    account = User._default_manager.filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


@dataclass(frozen=True)
class RoleRow:
    code: str
    label: str
    reads_cases: bool


def roles_held(account: Any) -> list[RoleRow]:
    names = set(account.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True))
    return [RoleRow(role, role_label(role), role in CASE_READING_ROLES) for role in ROLE_PERMISSIONS if role in names]


def roles_grantable(held_rows: list[RoleRow]) -> list[RoleRow]:
    """The roles not in ``held_rows`` (``roles_held`` of the account, read once by the caller)."""
    held = {row.code for row in held_rows}
    return [
        RoleRow(role, role_label(role), role in CASE_READING_ROLES) for role in ROLE_PERMISSIONS if role not in held
    ]


@dataclass(frozen=True)
class HistoryRow:
    event: AuditEvent
    action_label: str
    role: str
    refused: bool
    details: dict[str, Any]
    # For a change of preferred language: the new language's name, and the one before it ("" if none).
    language: str = ""
    previous_language: str = ""


def role_history(account: Any) -> list[HistoryRow]:
    """Who granted or revoked which role when, the second-factor resets and the refused changes of
    ``account``, newest first (one indexed range of the audit trail)."""
    events = (
        AuditEvent.objects.filter(
            target_type=User._meta.label_lower, target_id=str(account.pk), action__in=HISTORY_ACTIONS
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:HISTORY_LIMIT]
    )
    rows = []
    for event in events:
        data = event.data or {}
        role = data.get("role", "")
        rows.append(
            HistoryRow(
                event=event,
                action_label=audit.label_for(event.action),
                role=role_label(role) if role else "",
                refused=event.outcome != AuditEvent.Outcome.SUCCESS,
                details=data,
                language=language_label(data["language"]) if data.get("language") else "",
                previous_language=language_label(data["previous"]) if data.get("previous") else "",
            )
        )
    return rows


@dataclass(frozen=True)
class Device:
    kind: str  # "app" or "backup_codes" (or another device's model name)
    name: str
    confirmed: bool
    last_used_at: datetime | None
    codes_left: int | None


def second_factor_devices(account: Any) -> list[Device]:
    """The person's second-factor devices, confirmed or being enrolled."""
    from django_otp import devices_for_user

    devices = []
    for device in devices_for_user(account, confirmed=None):
        model = device._meta.label_lower
        if model == "otp_totp.totpdevice":
            kind, codes = "app", None
        elif model == "otp_static.staticdevice":
            kind, codes = "backup_codes", device.token_set.count()
        else:
            kind, codes = model, None
        devices.append(
            Device(
                kind=kind,
                name=device.name,
                confirmed=bool(device.confirmed),
                last_used_at=getattr(device, "last_used_at", None),
                codes_left=codes,
            )
        )
    return devices


def resets_sign_in(account: Any, role: str) -> bool:
    """Whether granting ``role`` would reset the account's sign-in (its first case-reading role)."""
    return role in CASE_READING_ROLES and not permissions.holds_case_reading_role(account)
