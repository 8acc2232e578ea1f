"""Roles and object access. The only module that imports django-guardian.

Two layers, kept apart on purpose:

* **Roles** are Django groups holding *model* permissions: what a kind of user may do at all
  (an investigator may add notes; a sysadmin may edit the roster).
* **Object access** is per-object permissions held by a user or group: which cases they may do it
  to (the investigator assigned to CPC-2026-00042 may view and change that complaint).

A model-level permission never widens an object scope here: ``visible_for`` and ``user_can`` look
at object permissions only (``accept_global_perms=False``). Where a role really does see every
object (a supervisor sees every case) the selector says so explicitly with its own permission,
such as ``complaints.view_all_complaints``, instead of it happening by accident.

Object permissions on complaints are stored in guardian's *direct* foreign-key tables
(``complaints.ComplaintUserObjectPermission`` and ``ComplaintGroupObjectPermission``): a grant row
points at the complaint's integer id, so scoping a list is a semi-join of indexed integer ids to
the primary key rather than a comparison of guardian's varchar ``object_pk`` with every complaint
id cast to text. Complaints are the only objects ever granted; a model without direct tables would still
work through guardian's generic tables, only slower.
"""

import functools
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

# Re-exported for the direct permission models in ``complaints.models``: guardian stays imported here only.
from guardian.models import GroupObjectPermissionBase as GroupObjectPermissionBase
from guardian.models import UserObjectPermissionBase as UserObjectPermissionBase
from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm

from . import audit, context


class Role:
    INTAKE_COORDINATOR = "intake_coordinator"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    BOARD_MEMBER = "board_member"
    PUBLISHER = "publisher"
    SYSADMIN = "sysadmin"


def _crud(app_model: str, *actions: str) -> list[str]:
    app, model = app_model.split(".")
    return [f"{app}.{action}_{model}" for action in actions]


_ROSTER_READ = [
    *_crud("oversight.agency", "view"),
    *_crud("oversight.district", "view"),
    *_crud("oversight.officer", "view"),
    *_crud("complaints.allegationcategory", "view"),
]
_CASE_MODELS = ["complaint", "party", "subjectofficer", "allegation", "attachment"]

# Each role's model permissions. Object access to particular cases is granted separately.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INTAKE_COORDINATOR: [
        *_ROSTER_READ,
        *[p for m in _CASE_MODELS for p in _crud(f"complaints.{m}", "view", "add", "change")],
        "complaints.triage_complaint",
        "complaints.view_personal_data",
    ],
    Role.INVESTIGATOR: [
        *_ROSTER_READ,
        "complaints.view_personal_data",
    ],
    Role.SUPERVISOR: [
        *_ROSTER_READ,
        *[p for m in _CASE_MODELS for p in _crud(f"complaints.{m}", "view", "add", "change")],
        *[p for m in _CASE_MODELS for p in _crud(f"complaints.historical{m}", "view")],
        "complaints.view_all_complaints",
        "complaints.triage_complaint",
        "complaints.assign_complaint",
        "investigations.approve_findings",
        "investigations.reopen_case",
        "investigations.authorize_subpoena",
        *_crud("board.boardmembership", "view", "add", "change"),
        *_crud("board.boardmeeting", "view", "add", "change"),
        "complaints.view_personal_data",
        # Who a police employee reporting through the whistleblower channel is (docs/whistleblower.md).
        "complaints.view_whistleblower_identity",
        "oversight.view_auditevent",
        "retention.review_retention",
        "retention.manage_legal_holds",
        "retention.destroy_case_records",
        "importing.import_cases",
        "measures.view_measures",
        *_crud("retention.legalhold", "view"),
        *_crud("retention.retentionrecord", "view"),
        *_crud("public_portal.policyrecommendation", "view", "add", "change"),
        *_crud("public_portal.recommendationstatusupdate", "view", "add", "change"),
        # Early intervention: the flag queue, review and closing, and the rules (investigations.early_intervention).
        *_crud("early_intervention.flag", "view"),
        "early_intervention.review_flag",
        *_crud("early_intervention.threshold", "view", "add", "change"),
        *_crud("early_intervention.historicalthreshold", "view"),
    ],
    Role.BOARD_MEMBER: [*_ROSTER_READ, "investigations.vote_on_case"],
    Role.PUBLISHER: [
        *_ROSTER_READ,
        # Publication: drafting, review, approval, publication, correction and retraction of decided
        # cases (docs/publication.md). The review page shows the case's public summary, nothing else
        # of the case: no narrative, no parties, so no view_personal_data.
        *_crud("publication.publication", "view"),
        "publication.draft_publication",
        "publication.approve_publication",
        "publication.publish_publication",
        "publication.retract_publication",
        *_crud("publication.disclosurerule", "view"),
        # Periodic public reports (docs/reports.md): generate, write the narrative, approve, publish.
        *_crud("public_reports.publicreport", "view"),
        "public_reports.generate_publicreport",
        "public_reports.approve_publicreport",
        "public_reports.publish_publicreport",
    ],
    Role.SYSADMIN: [
        *_crud("auth.user", "view", "add", "change"),
        *_crud("auth.group", "view"),
        *_crud("oversight.agency", "view", "add", "change"),
        *_crud("oversight.district", "view", "add", "change"),
        *_crud("oversight.officer", "view", "add", "change"),
        *_crud("oversight.historicalagency", "view"),
        *_crud("oversight.historicaldistrict", "view"),
        *_crud("oversight.historicalofficer", "view"),
        *_crud("complaints.allegationcategory", "view", "add", "change"),
        *_crud("complaints.historicalallegationcategory", "view"),
        *_crud("complaints.consenttext", "view", "add", "change"),
        *_crud("complaints.historicalconsenttext", "view"),
        "oversight.view_auditevent",
        *_crud("publication.disclosurerule", "view", "add", "change", "delete"),
        *_crud("publication.historicaldisclosurerule", "view"),
    ],
}

ROLE_LABELS = {
    Role.INTAKE_COORDINATOR: _("Intake coordinator"),
    Role.INVESTIGATOR: _("Investigator"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.BOARD_MEMBER: _("Board member"),
    Role.PUBLISHER: _("Publication officer"),
    Role.SYSADMIN: _("System administrator"),
}

# The roles whose holders read case content (a narrative, a party's details, evidence, a board
# packet) or publish from it. Only a supervisor grants them, in the staff workspace
# (oversight.staff_accounts); the sysadmin grants none of them (docs/accounts.md).
CASE_READING_ROLES: tuple[str, ...] = (
    Role.INTAKE_COORDINATOR,
    Role.INVESTIGATOR,
    Role.SUPERVISOR,
    Role.BOARD_MEMBER,
    Role.PUBLISHER,
)


def _permissions(names: Iterable[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _app, codename in wanted}
        )
    }
    missing = sorted(f"{app}.{code}" for app, code in wanted if (app, code) not in found)
    if missing:
        raise LookupError(f"Permissions not found (run migrate first): {', '.join(missing)}")
    return [found[key] for key in sorted(wanted)]


@transaction.atomic
def setup_roles() -> dict[str, bool]:
    """Create or correct every role group so it holds exactly its permissions.

    Idempotent: a second run changes nothing. Returns, per role, whether it changed.
    """
    changed: dict[str, bool] = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        wanted = {p.pk for p in _permissions(names)}
        current = set(group.permissions.values_list("pk", flat=True))
        if created or wanted != current:
            group.permissions.set(wanted)
            changed[role] = True
        else:
            changed[role] = False
    if any(changed.values()):
        audit.record("roles.setup", data={"changed": sorted(r for r, c in changed.items() if c)})
    return changed


def has_role(user: Any, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if role in ROLE_PERMISSIONS:
        return role in roles_of(user)
    return user.groups.filter(name=role).exists()


def may_review_audit_log(user: Any) -> bool:
    """Whether ``user`` may use the audit log page and its export (supervisors).

    The page answers questions about every case ("who looked at this complainant's details?"), so it
    takes both reading the audit trail (``oversight.view_auditevent``) and seeing every case
    (``complaints.view_all_complaints``). The sysadmin reads the admin's list of events but sees no
    case, so not this page; investigators, board members and intake coordinators hold neither."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("oversight.view_auditevent") and user.has_perm("complaints.view_all_complaints")


def may_manage_accounts(user: Any) -> bool:
    """Whether ``user`` may grant and revoke roles and reset second factors (supervisors)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return has_role(user, Role.SUPERVISOR)


def holds_case_reading_role(user: Any) -> bool:
    """Whether the account holds one of ``CASE_READING_ROLES`` (read fresh, never remembered)."""
    if user.pk is None:
        return False
    return user.groups.filter(name__in=CASE_READING_ROLES).exists()


def holds_case_access(user: Any) -> bool:
    """Whether the account can read some case content, or could once signed in as.

    True for a case-reading role and for anything else that can open a case: superuser status, a
    direct model permission, a group other than the sysadmin role (its permissions could be
    anything), or an object permission on some record (held directly or through a group). Only the
    accounts for which this is False (no role, or only the sysadmin role) may be edited by the
    sysadmin beyond being deactivated. Read fresh from the database, never remembered.
    """
    if user.is_superuser:
        return True
    if user.pk is None:
        return False
    if user.user_permissions.exists() or user.groups.exclude(name=Role.SYSADMIN).exists():
        return True
    groups = user.groups.through.objects.filter(user=user).values("group_id")
    users_rows, groups_rows = _object_grant_models()
    return any(model.objects.filter(user=user).exists() for model in users_rows) or any(
        model.objects.filter(group__in=groups).exists() for model in groups_rows
    )


@functools.cache
def _object_grant_models() -> tuple[tuple[type[Model], ...], tuple[type[Model], ...]]:
    """Every table that holds object permissions: guardian's generic ones and the direct ones."""
    from django.apps import apps

    concrete = [model for model in apps.get_models() if not model._meta.abstract]
    return (
        tuple(model for model in concrete if issubclass(model, UserObjectPermissionBase)),
        tuple(model for model in concrete if issubclass(model, GroupObjectPermissionBase)),
    )


def roles_of(user: Any) -> list[str]:
    """The user's roles, read once per request (a page's menu, panels and rules each ask)."""
    if not getattr(user, "is_authenticated", False):
        return []
    held = context.remembered(
        ("roles", user.pk),
        lambda: tuple(user.groups.filter(name__in=ROLE_PERMISSIONS).order_by("name").values_list("name", flat=True)),
    )
    return list(held)


def grant(user_or_group: Any, perm: str, obj: Model) -> None:
    """Give one user (or group) ``perm`` ("app.codename") on one object, and audit it."""
    context.forget_remembered()
    assign_perm(perm, user_or_group, obj)
    audit.record("permission.granted", target=obj, data=_grant_data(user_or_group, perm))


def revoke(user_or_group: Any, perm: str, obj: Model) -> None:
    """Take ``perm`` on one object away from one user (or group), and audit it."""
    context.forget_remembered()
    remove_perm(perm, user_or_group, obj)
    audit.record("permission.revoked", target=obj, data=_grant_data(user_or_group, perm))


def _grant_data(user_or_group: Any, perm: str) -> dict[str, Any]:
    if isinstance(user_or_group, Group):
        return {"perm": perm, "group": user_or_group.name}
    return {"perm": perm, "user": user_or_group.get_username(), "user_id": user_or_group.pk}


@functools.cache
def _direct_models(model: type[Model]) -> tuple[type[Model], type[Model]] | None:
    """The direct (foreign-key) user and group permission models for ``model``, or ``None`` when it
    has none and grants live in guardian's generic tables. Found the way guardian finds them (a
    reverse relation from a subclass of its base classes, through ``content_object``), without
    the content-type query guardian's own lookup makes."""

    def find(base: type[Model]) -> type[Model] | None:
        for relation in model._meta.related_objects:
            related = relation.related_model
            if (
                relation.field.name == "content_object"
                and issubclass(related, base)
                and not related.objects.is_generic()
                and getattr(related, "enabled", True)
            ):
                return related
        return None

    user_model, group_model = find(UserObjectPermissionBase), find(GroupObjectPermissionBase)
    if user_model is None or group_model is None:
        return None
    return user_model, group_model


def _permission_id(model: type[Model], perm: str) -> Subquery:
    """The id of ``perm`` on ``model`` as a scalar subquery: the database resolves it once per
    statement, so no extra round trip and no cached id that a flushed database could outdate."""
    app_label, _dot, codename = perm.rpartition(".")
    meta = model._meta
    if app_label and app_label != meta.app_label:
        raise ValueError(f"{perm} is not a permission of {meta.label}")
    return Subquery(
        Permission.objects.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name, codename=codename
        ).values("pk")[:1]
    )


def _granted_ids(
    user: Any, perm: str, model: type[Model], direct: tuple[type[Model], type[Model]], *, pk: Any = None
) -> QuerySet:
    """The ids of the ``model`` rows on which ``user`` holds ``perm``, directly or through a group:
    the user's rows ``UNION ALL`` their groups' rows of the direct tables, both served by the
    unique (user or group, permission, object) index. ``pk`` narrows it to one object."""
    user_rows, group_rows = direct
    permission = _permission_id(model, perm)
    mine = user_rows.objects.filter(user=user, permission=permission)
    groups = group_rows.objects.filter(
        group__in=user.groups.through.objects.filter(user=user).values("group_id"), permission=permission
    )
    if pk is not None:
        mine, groups = mine.filter(content_object_id=pk), groups.filter(content_object_id=pk)
    return mine.values("content_object_id").union(groups.values("content_object_id"), all=True)


def visible_for(user: Any, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects in ``queryset`` on which ``user`` holds ``perm`` as an *object* permission.

    Held directly or through a group. A model-level (global) ``perm`` does NOT widen the result:
    a user with ``complaints.view_complaint`` on the model but no object grants sees nothing.
    Superusers see the whole queryset; inactive and anonymous users see nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    direct = _direct_models(queryset.model)
    if direct is None:
        return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=False, with_superuser=True)
    # An IN over the ids lets the planner join them to the primary key (a semi-join on integers)
    # rather than test each row of the queryset against the grants.
    return queryset.filter(pk__in=_granted_ids(user, perm, queryset.model, direct))


def user_can(user: Any, perm: str, obj: Model) -> bool:
    """Whether ``user`` holds ``perm`` on ``obj`` as an object permission (global ones don't count)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    model = type(obj)
    direct = _direct_models(model)
    if direct is None:
        codename = perm.split(".", 1)[-1]
        return ObjectPermissionChecker(user).has_perm(codename, obj)
    app_label, _dot, codename = perm.rpartition(".")
    if app_label and app_label != model._meta.app_label:
        raise ValueError(f"{perm} is not a permission of {model._meta.label}")
    # Every permission held on the object in one read, kept for the request: a case page asks
    # may-view, may-change and each move's rule of the same case.
    held = context.remembered(
        ("object-permissions", user.pk, model._meta.label, obj.pk),
        lambda: _codenames_held(user, model, direct, obj.pk),
    )
    return codename in held


def _codenames_held(user: Any, model: type[Model], direct: tuple[type[Model], type[Model]], pk: Any) -> frozenset[str]:
    """Every permission ``user`` holds on one object, directly or through a group, in one query
    served by the (object, user or group) indexes."""
    user_rows, group_rows = direct
    mine = user_rows.objects.filter(user=user, content_object_id=pk).values_list("permission__codename", flat=True)
    groups = group_rows.objects.filter(
        group__in=user.groups.through.objects.filter(user=user).values("group_id"), content_object_id=pk
    ).values_list("permission__codename", flat=True)
    return frozenset(mine.union(groups, all=True))


def users_with_access(obj: Model, perm: str) -> list[Any]:
    """Active users holding ``perm`` on ``obj`` directly or through a group (for indexing and
    notices), in id order. A superuser counts only if they hold some grant on ``obj``."""
    model = type(obj)
    direct = _direct_models(model)
    if direct is None:
        codename = perm.split(".", 1)[-1]
        holders = get_users_with_perms(obj, attach_perms=True, with_group_users=True)
        return [user for user, perms in holders.items() if codename in perms]
    user_rows, group_rows = direct
    permission = _permission_id(model, perm)
    on_obj = user_rows.objects.filter(content_object=obj)
    groups_on_obj = group_rows.objects.filter(content_object=obj)
    holds = Q(pk__in=on_obj.filter(permission=permission).values("user_id")) | Q(
        groups__in=groups_on_obj.filter(permission=permission).values("group_id")
    )
    # A superuser has every permission on an object guardian relates them to at all.
    related_superuser = Q(is_superuser=True) & (
        Q(pk__in=on_obj.values("user_id")) | Q(groups__in=groups_on_obj.values("group_id"))
    )
    users = get_user_model().objects.filter(holds | related_superuser, is_active=True)
    return list(users.distinct().order_by("pk"))


def grant_bulk(user_or_group: Any, perms: Iterable[str], objects: list[Model]) -> int:
    """Give one user ``perms`` on many objects in a few queries (demo data and imports).

    Not audited row by row: the caller records one event for the whole operation. Rows that
    already exist are left as they are.
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    if not objects:
        return 0
    context.forget_remembered()
    model_class = type(objects[0])
    content_type = ContentType.objects.get_for_model(model_class)
    wanted = _permissions(perms)
    misfits = [p for p in wanted if p.content_type_id != content_type.pk]
    if misfits:
        raise ValueError(f"Not permissions of {model_class._meta.label}: {', '.join(p.codename for p in misfits)}")
    is_group = isinstance(user_or_group, Group)
    owner = {"group": user_or_group} if is_group else {"user": user_or_group}
    direct = _direct_models(model_class)
    if direct is not None:
        model = direct[1] if is_group else direct[0]
        rows = [model(permission=perm, content_object=obj, **owner) for obj in objects for perm in wanted]
    else:
        model = GroupObjectPermission if is_group else UserObjectPermission
        rows = [
            model(permission=perm, content_type=content_type, object_pk=str(obj.pk), **owner)
            for obj in objects
            for perm in wanted
        ]
    model.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)
