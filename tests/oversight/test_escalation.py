"""Escalation: the sysadmin cannot make itself, or anyone, able to read a complaint.

Signed in as a sysadmin (the sysadmin group only, second factor verified), every page the admin
registers for users, groups and second-factor devices is tried, the URLs built from each admin
class's ``get_urls()``: add, change (posting roles, permissions, superuser and staff flags, a
password, an email and username), the password page, delete, history and the list's actions, on an
account that reads cases (an investigator assigned to a case), on one that does not, and on the
sysadmin itself. Each attempt's outcome is written out by hand below, not read from the code under
test. Every refused attempt leaves one ``user.change_refused`` event. At the end no account can
read the narrative that could not before, nobody holds a password the sysadmin chose and can read
cases, and the investigator's account is as it was.

Then the same writes are tried beneath the admin, on the models, as the sysadmin, as a supervisor,
as the person, from a request with nobody signed in and from the server: the guard's table of
outcomes is hand-written too.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import URLPattern, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.models import Complaint
from oversight import audit, context, permissions
from oversight.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
FACTORY_PASSWORD = "correct horse battery staple"
# Every password the sysadmin types in this test.
SYSADMIN_PASSWORDS = ("sysadmin-picked-this-1", "sysadmin-picked-that-2")
SYSADMIN_MAILBOX = "sam.sysadmin+takeover@oversight.example"

# The role names, written out rather than read from the code under test.
CASE_READING_GROUPS = {"intake_coordinator", "investigator", "supervisor", "board_member", "publisher"}

# The admin pages registered for accounts and roles, by URL name. A page added to these admin
# classes fails the test until its outcomes are written below.
USER_URLS = {
    "auth_user_changelist",
    "auth_user_add",
    "auth_user_change",
    "auth_user_delete",
    "auth_user_history",
    "auth_user_password_change",
}
GROUP_URLS = {
    "auth_group_changelist",
    "auth_group_add",
    "auth_group_change",
    "auth_group_delete",
    "auth_group_history",
}


def can_read_cases(user) -> bool:
    """Whether ``user`` could open a narrative or a party's details, by any of the ways there are."""
    user = User.objects.get(pk=user.pk)  # no permission cache
    return bool(
        user.is_superuser
        or user.has_perm("complaints.view_personal_data")
        or user.has_perm("complaints.view_all_complaints")
        or user.has_perm("complaints.view_complaint")
        or user.user_permissions.exists()
        or user.groups.filter(name__in=CASE_READING_GROUPS).exists()
        or permissions.visible_for(user, "complaints.view_complaint", Complaint.objects.all()).exists()
    )


@dataclass
class World:
    sysadmin: Any
    investigator: Any  # reads cases: a role and an assignment's object grant
    plain: Any  # no role
    groups: dict[str, Group]
    personal_data: Permission


@pytest.fixture
def world(sysadmin, complaint) -> World:
    investigator = UserFactory(
        username="ivan_investigator", roles=["investigator"], email="ivan@oversight.example", is_staff=True
    )
    permissions.grant(investigator, "complaints.view_complaint", complaint)
    TOTPDevice.objects.create(user=investigator, name="Ivan's phone", confirmed=True)
    backup = StaticDevice.objects.create(user=investigator, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="ivan0001")
    plain = UserFactory(username="pat_plain", email="pat@oversight.example")
    return World(
        sysadmin=sysadmin,
        investigator=investigator,
        plain=plain,
        groups={g.name: g for g in Group.objects.all()},
        personal_data=Permission.objects.get(codename="view_personal_data"),
    )


# --- The attempts, and what each must give ----------------------------------------------------------


def _account_page(user, *, editable: bool, own: bool = False) -> dict[str, Any]:
    """What the change page of ``user`` posts when saved as the sysadmin sees it."""
    user = User.objects.get(pk=user.pk)
    if not editable:
        return {"is_active": "on"} if user.is_active else {}
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
    }
    if not own:
        data["is_staff"] = "on" if user.is_staff else ""
        data["groups"] = [str(pk) for pk in user.groups.values_list("pk", flat=True)]
    return data


@dataclass
class Attempt:
    what: str
    url_name: str
    target: str  # "investigator", "plain", "sysadmin", a group name, or "" for none
    method: str
    data: Callable[[World], dict[str, Any]]
    expected: int


def _change(target: str, editable: bool, own: bool = False):
    def build(extra: Callable[[World], dict[str, Any]] | None = None, drop: tuple[str, ...] = ()):
        def data(w: World) -> dict[str, Any]:
            page = _account_page(getattr(w, target), editable=editable, own=own)
            for key in drop:
                page.pop(key, None)
            return {**page, **(extra(w) if extra else {})}

        return data

    return build


inv = _change("investigator", editable=False)
pla = _change("plain", editable=True)
own = _change("sysadmin", editable=True, own=True)


def _group(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"groups": [str(w.groups[name].pk)]}


def _superuser(w: World) -> dict[str, Any]:
    return {"is_superuser": "on"}


def _staff(w: World) -> dict[str, Any]:
    return {"is_staff": "on"}


def _perm(w: World) -> dict[str, Any]:
    return {"user_permissions": [str(w.personal_data.pk)]}


def _mailbox(w: World) -> dict[str, Any]:
    return {"email": SYSADMIN_MAILBOX}


def _password_hash(w: World) -> dict[str, Any]:
    return {"password": "md5$salt$0123456789abcdef0123456789abcdef"}


def _new_password(w: World) -> dict[str, Any]:
    return {"usable_password": "true", "password1": SYSADMIN_PASSWORDS[0], "password2": SYSADMIN_PASSWORDS[0]}


def _unset_password(w: World) -> dict[str, Any]:
    return {"usable_password": "false", "unset-password": "1"}


def _new_account(username: str, **extra: Any) -> Callable[[World], dict[str, Any]]:
    def data(w: World) -> dict[str, Any]:
        base = {"username": username, "first_name": "New", "last_name": "Person", "email": f"{username}@example.org"}
        base.update({"usable_password": "false"})
        for key, value in extra.items():
            base[key] = value(w) if callable(value) else value
        return base

    return data


def _delete_selected(target: str) -> Callable[[World], dict[str, Any]]:
    def data(w: World) -> dict[str, Any]:
        obj = w.groups[target] if target in w.groups else getattr(w, target)
        return {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"}

    return data


def _group_change(w: World) -> dict[str, Any]:
    return {"name": "investigator", "permissions": [str(w.personal_data.pk)]}


NOTHING: Callable[[World], dict[str, Any]] = lambda w: {}  # noqa: E731

ATTEMPTS: list[Attempt] = [
    # The list of accounts, and its actions.
    Attempt("list accounts", "auth_user_changelist", "", "GET", NOTHING, 200),
    Attempt(
        "delete the investigator from the list",
        "auth_user_changelist",
        "",
        "POST",
        _delete_selected("investigator"),
        403,
    ),
    # A new account: allowed with no role (and a password only if one is set); nothing more.
    Attempt("open the add page", "auth_user_add", "", "GET", NOTHING, 200),
    Attempt("add an account with no password", "auth_user_add", "", "POST", _new_account("newbie_one"), 302),
    Attempt(
        "add an account with a password",
        "auth_user_add",
        "",
        "POST",
        _new_account(
            "newbie_two",
            usable_password="true",
            password1=SYSADMIN_PASSWORDS[1],
            password2=SYSADMIN_PASSWORDS[1],
        ),
        302,
    ),
    Attempt(
        "add an account as a supervisor",
        "auth_user_add",
        "",
        "POST",
        _new_account("boss_one", groups=lambda w: [str(w.groups["supervisor"].pk)]),
        403,
    ),
    Attempt("add a superuser", "auth_user_add", "", "POST", _new_account("boss_two", is_superuser="on"), 403),
    Attempt(
        "add an account with a permission",
        "auth_user_add",
        "",
        "POST",
        _new_account("boss_three", user_permissions=lambda w: [str(w.personal_data.pk)]),
        403,
    ),
    Attempt("add a staff account", "auth_user_add", "", "POST", _new_account("boss_four", is_staff="on"), 403),
    # The investigator: only the active flag may change.
    Attempt("open the investigator's page", "auth_user_change", "investigator", "GET", NOTHING, 200),
    Attempt("deactivate the investigator", "auth_user_change", "investigator", "POST", inv(drop=("is_active",)), 302),
    Attempt(
        "reactivate the investigator", "auth_user_change", "investigator", "POST", lambda w: {"is_active": "on"}, 302
    ),
    Attempt(
        "make the investigator a supervisor", "auth_user_change", "investigator", "POST", inv(_group("supervisor")), 403
    ),
    Attempt(
        "take the investigator's role", "auth_user_change", "investigator", "POST", inv(lambda w: {"groups": [""]}), 403
    ),
    Attempt(
        "make the investigator a sysadmin", "auth_user_change", "investigator", "POST", inv(_group("sysadmin")), 403
    ),
    Attempt("give the investigator a permission", "auth_user_change", "investigator", "POST", inv(_perm), 403),
    Attempt("make the investigator a superuser", "auth_user_change", "investigator", "POST", inv(_superuser), 403),
    Attempt(
        "change the investigator's staff flag",
        "auth_user_change",
        "investigator",
        "POST",
        inv(lambda w: {"is_staff": ""}),
        403,
    ),
    Attempt(
        "send the investigator's email to the sysadmin", "auth_user_change", "investigator", "POST", inv(_mailbox), 403
    ),
    Attempt(
        "rename the investigator", "auth_user_change", "investigator", "POST", inv(lambda w: {"username": "ivan2"}), 403
    ),
    Attempt(
        "rename the investigator's person",
        "auth_user_change",
        "investigator",
        "POST",
        inv(lambda w: {"first_name": "Eve"}),
        403,
    ),
    Attempt(
        "post a password hash for the investigator",
        "auth_user_change",
        "investigator",
        "POST",
        inv(_password_hash),
        403,
    ),
    Attempt("open the investigator's password page", "auth_user_password_change", "investigator", "GET", NOTHING, 403),
    Attempt("set the investigator's password", "auth_user_password_change", "investigator", "POST", _new_password, 403),
    Attempt(
        "disable the investigator's password", "auth_user_password_change", "investigator", "POST", _unset_password, 403
    ),
    Attempt("open the investigator's delete page", "auth_user_delete", "investigator", "GET", NOTHING, 403),
    Attempt("delete the investigator", "auth_user_delete", "investigator", "POST", lambda w: {"post": "yes"}, 403),
    Attempt("read the investigator's history", "auth_user_history", "investigator", "GET", NOTHING, 200),
    # An account with no role: editable, but never into a case-reading role or a permission.
    Attempt("open the plain account's page", "auth_user_change", "plain", "GET", NOTHING, 200),
    Attempt("save the plain account as shown", "auth_user_change", "plain", "POST", pla(), 302),
    Attempt("deactivate the plain account", "auth_user_change", "plain", "POST", pla(drop=("is_active",)), 302),
    Attempt(
        "reactivate the plain account", "auth_user_change", "plain", "POST", pla(lambda w: {"is_active": "on"}), 302
    ),
    Attempt(
        "make the plain account an investigator", "auth_user_change", "plain", "POST", pla(_group("investigator")), 403
    ),
    Attempt("make the plain account a supervisor", "auth_user_change", "plain", "POST", pla(_group("supervisor")), 403),
    Attempt("give the plain account a permission", "auth_user_change", "plain", "POST", pla(_perm), 403),
    Attempt("make the plain account a superuser", "auth_user_change", "plain", "POST", pla(_superuser), 403),
    Attempt(
        "post a password hash for the plain account", "auth_user_change", "plain", "POST", pla(_password_hash), 403
    ),
    Attempt("make the plain account staff", "auth_user_change", "plain", "POST", pla(_staff), 302),
    Attempt(
        "change the plain account's email",
        "auth_user_change",
        "plain",
        "POST",
        pla(lambda w: {"email": "pat.new@oversight.example"}),
        302,
    ),
    Attempt("make the plain account a sysadmin", "auth_user_change", "plain", "POST", pla(_group("sysadmin")), 302),
    Attempt("then make it a supervisor", "auth_user_change", "plain", "POST", pla(_group("supervisor")), 403),
    Attempt("open the plain account's password page", "auth_user_password_change", "plain", "GET", NOTHING, 200),
    Attempt("set the plain account's password", "auth_user_password_change", "plain", "POST", _new_password, 302),
    Attempt("open the plain account's delete page", "auth_user_delete", "plain", "GET", NOTHING, 403),
    Attempt("delete the plain account", "auth_user_delete", "plain", "POST", lambda w: {"post": "yes"}, 403),
    Attempt("read the plain account's history", "auth_user_history", "plain", "GET", NOTHING, 200),
    # The sysadmin's own account: its roles, flags and permissions are not its own to change.
    Attempt("open my own page", "auth_user_change", "sysadmin", "GET", NOTHING, 200),
    Attempt("save my own page as shown", "auth_user_change", "sysadmin", "POST", own(), 302),
    Attempt("make myself a supervisor", "auth_user_change", "sysadmin", "POST", own(_group("supervisor")), 403),
    Attempt("make myself an investigator", "auth_user_change", "sysadmin", "POST", own(_group("investigator")), 403),
    Attempt("drop my own role", "auth_user_change", "sysadmin", "POST", own(lambda w: {"groups": [""]}), 403),
    Attempt("give myself a permission", "auth_user_change", "sysadmin", "POST", own(_perm), 403),
    Attempt("make myself a superuser", "auth_user_change", "sysadmin", "POST", own(_superuser), 403),
    Attempt("change my own staff flag", "auth_user_change", "sysadmin", "POST", own(_staff), 403),
    Attempt("open my own password page", "auth_user_password_change", "sysadmin", "GET", NOTHING, 200),
    Attempt("delete myself", "auth_user_delete", "sysadmin", "POST", lambda w: {"post": "yes"}, 403),
    Attempt("read my own history", "auth_user_history", "sysadmin", "GET", NOTHING, 200),
    # The role groups: read-only.
    Attempt("list the roles", "auth_group_changelist", "", "GET", NOTHING, 200),
    Attempt("delete a role from the list", "auth_group_changelist", "", "POST", _delete_selected("investigator"), 403),
    Attempt("open the add-role page", "auth_group_add", "", "GET", NOTHING, 403),
    Attempt(
        "add a role that reads personal data",
        "auth_group_add",
        "",
        "POST",
        lambda w: {"name": "readers", "permissions": [str(w.personal_data.pk)]},
        403,
    ),
    Attempt("read the investigator role", "auth_group_change", "investigator", "GET", NOTHING, 200),
    Attempt(
        "change the investigator role's permissions", "auth_group_change", "investigator", "POST", _group_change, 403
    ),
    Attempt(
        "give the sysadmin role personal data",
        "auth_group_change",
        "sysadmin",
        "POST",
        lambda w: {"name": "sysadmin", "permissions": [str(w.personal_data.pk)]},
        403,
    ),
    Attempt("open the delete page of a role", "auth_group_delete", "investigator", "GET", NOTHING, 403),
    Attempt("delete the supervisor role", "auth_group_delete", "supervisor", "POST", lambda w: {"post": "yes"}, 403),
    Attempt("read a role's history", "auth_group_history", "investigator", "GET", NOTHING, 200),
]


def _registered_urls(model) -> dict[str, URLPattern]:
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return {}
    return {p.name: p for p in model_admin.get_urls() if isinstance(p, URLPattern) and p.name}


def _device_attempts(w: World) -> list[Attempt]:
    """Every page the admin registers for second-factor devices, if it registers any: all refused."""
    attempts = []
    for model in (TOTPDevice, StaticDevice):
        device = model.objects.filter(user=w.investigator).first()
        for name, pattern in _registered_urls(model).items():
            needs_object = bool(pattern.pattern.converters)
            target = str(device.pk) if needs_object else ""
            moved = {"user": str(w.sysadmin.pk), "name": "mine", "confirmed": "on"}
            attempts.append(Attempt(f"GET {name}", name, target, "GET", NOTHING, 403))
            attempts.append(Attempt(f"POST {name}", name, target, "POST", lambda w, moved=moved: moved, 403))
    return attempts


def _url(attempt: Attempt, w: World) -> str:
    name = f"admin:{attempt.url_name}"
    if not attempt.target:
        return reverse(name)
    if attempt.target.isdigit():  # a device's id
        return reverse(name, args=[attempt.target])
    obj = w.groups[attempt.target] if attempt.url_name.startswith("auth_group") else getattr(w, attempt.target)
    return reverse(name, args=[obj.pk])


def test_the_admin_registers_exactly_the_account_pages_the_expectations_cover(sysadmin):
    assert set(_registered_urls(User)) == USER_URLS
    assert set(_registered_urls(Group)) == GROUP_URLS
    assert {a.url_name for a in ATTEMPTS} == USER_URLS | GROUP_URLS
    # Second-factor devices: whether or not the admin lists them, the sysadmin may do nothing to them.
    for app_label, model in (("otp_totp", "totpdevice"), ("otp_static", "staticdevice"), ("otp_static", "statictoken")):
        for action in ("view", "add", "change", "delete"):
            assert not sysadmin.has_perm(f"{app_label}.{action}_{model}"), (model, action)


def test_no_sequence_of_admin_actions_lets_the_sysadmin_read_a_case(client, world, complaint):
    w = world
    readers_before = {u.username for u in User.objects.all() if can_read_cases(u)}
    assert readers_before == {"ivan_investigator"}
    assert not can_read_cases(w.sysadmin)
    client.force_login(w.sysadmin)

    outcomes = []
    for attempt in ATTEMPTS + _device_attempts(w):
        url = _url(attempt, w)
        refused_before = AuditEvent.objects.filter(action="user.change_refused").count()
        response = client.get(url) if attempt.method == "GET" else client.post(url, attempt.data(w))
        refusals = AuditEvent.objects.filter(action="user.change_refused").order_by("id")[refused_before:]
        refusals = list(refusals)
        outcomes.append((attempt.what, response.status_code))
        if response.status_code == 200 and attempt.method == "POST":
            # A form shown again with errors would hide a refusal the test expected as a redirect.
            body = response.content.decode()
            assert "errornote" not in body and "errorlist" not in body, (attempt.what, body[:3000])
        assert response.status_code == attempt.expected, (attempt.what, url, response.status_code)
        if response.status_code == 403:
            assert len(refusals) == 1, (attempt.what, [e.data for e in refusals])
            assert refusals[0].actor == w.sysadmin and refusals[0].outcome == "denied"
        else:
            assert refusals == [], (attempt.what, [e.data for e in refusals])

    # Nobody can read a case who could not before, whatever the sysadmin did.
    readers_after = {u.username for u in User.objects.all() if can_read_cases(u)}
    assert readers_after == {"ivan_investigator"}
    assert not can_read_cases(w.sysadmin)
    # The investigator's account is as it was: their password, email, username, devices and role.
    ivan = User.objects.get(pk=w.investigator.pk)
    assert ivan.check_password(FACTORY_PASSWORD)
    assert (ivan.username, ivan.email, ivan.first_name, ivan.is_active, ivan.is_staff, ivan.is_superuser) == (
        "ivan_investigator",
        "ivan@oversight.example",
        w.investigator.first_name,
        True,
        True,
        False,
    )
    assert set(ivan.groups.values_list("name", flat=True)) == {"investigator"}
    assert (
        TOTPDevice.objects.filter(user=ivan).count() == 1 and StaticToken.objects.filter(device__user=ivan).count() == 1
    )
    # Nobody who reads cases holds a password the sysadmin chose.
    for user in User.objects.all():
        if can_read_cases(user):
            assert not any(user.check_password(p) for p in SYSADMIN_PASSWORDS), user.username
    # The accounts the sysadmin made or set a password for read nothing, signed in.
    made = User.objects.filter(username__in=["newbie_one", "newbie_two", "pat_plain"])
    assert made.count() == 3
    for user in made:
        other = type(client)()
        other.force_login(user)
        response = other.get(reverse("complaints:detail", args=[complaint.tracking_number]))
        assert response.status_code == 404, user.username
        assert complaint.narrative not in response.content.decode()
    assert not User.objects.filter(username__startswith="boss_").exists()
    # A new account the sysadmin gave no password has one nobody knows.
    assert User.objects.get(username="newbie_one").has_usable_password()
    assert not any(User.objects.get(username="newbie_one").check_password(p) for p in SYSADMIN_PASSWORDS)


def test_the_investigators_page_offers_the_sysadmin_only_the_active_flag(client, world):
    client.force_login(world.sysadmin)
    page = client.get(reverse("admin:auth_user_change", args=[world.investigator.pk])).content.decode()
    assert 'name="is_active"' in page
    for name in ("username", "email", "first_name", "groups", "is_staff", "is_superuser", "user_permissions"):
        assert f'name="{name}"' not in page, name
    assert reverse("admin:auth_user_password_change", args=[world.investigator.pk]) not in page
    assert "granted and revoked by a supervisor" in page
    plain = client.get(reverse("admin:auth_user_change", args=[world.plain.pk])).content.decode()
    assert 'name="email"' in plain and 'name="groups"' in plain
    # The only role offered is the sysadmin's own.
    assert f'value="{world.groups["sysadmin"].pk}"' in plain
    assert f'value="{world.groups["investigator"].pk}"' not in plain


# --- Beneath the admin: the guard on the models -----------------------------------------------------


def _anonymous_request():
    request = RequestFactory().get("/staff/password-reset/")
    request.user = AnonymousUser()
    return request


class Acting:
    """Who acts in a guard case: a user (signed in), nobody in a request, or the server."""

    def __init__(self, who: str) -> None:
        self.who = who

    def __call__(self, w: World):
        if self.who == "server":
            return context.acting_as(None)
        if self.who == "nobody":
            return _Context(context.RequestContext(request_id="r", request=_anonymous_request()))
        return context.acting_as(getattr(w, self.who) if hasattr(w, self.who) else User.objects.get(username=self.who))


class _Context:
    def __init__(self, ctx):
        self.ctx = ctx

    def __enter__(self):
        self.token = context.set_context(self.ctx)

    def __exit__(self, *exc):
        context.reset_context(self.token)


def _save(obj, **changes):
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.save()


def _set_password(user, password):
    user.set_password(password)
    user.save()


def _supervisor(w: World):
    return User.objects.get(username="sofia_supervisor")


GUARD_CASES: list[tuple[str, str, Callable[[World], Any], str]] = [
    # (what, who acts, the write, "refused" or "allowed")
    (
        "sysadmin adds the investigator to the supervisors",
        "sysadmin",
        lambda w: w.investigator.groups.add(w.groups["supervisor"]),
        "refused",
    ),
    (
        "sysadmin adds itself to the supervisors, from the group's side",
        "sysadmin",
        lambda w: w.groups["supervisor"].user_set.add(w.sysadmin),
        "refused",
    ),
    (
        "sysadmin makes itself an investigator",
        "sysadmin",
        lambda w: w.sysadmin.groups.add(w.groups["investigator"]),
        "refused",
    ),
    (
        "sysadmin makes a plain account an investigator",
        "sysadmin",
        lambda w: w.plain.groups.add(w.groups["investigator"]),
        "refused",
    ),
    (
        "sysadmin sets the groups of a plain account",
        "sysadmin",
        lambda w: w.plain.groups.set([w.groups["publisher"]]),
        "refused",
    ),
    ("sysadmin takes the investigator's role", "sysadmin", lambda w: w.investigator.groups.clear(), "refused"),
    (
        "sysadmin makes a plain account a sysadmin",
        "sysadmin",
        lambda w: w.plain.groups.add(w.groups["sysadmin"]),
        "allowed",
    ),
    (
        "sysadmin makes the investigator a sysadmin too",
        "sysadmin",
        lambda w: w.investigator.groups.add(w.groups["sysadmin"]),
        "refused",
    ),
    (
        "sysadmin gives a plain account a permission",
        "sysadmin",
        lambda w: w.plain.user_permissions.add(w.personal_data),
        "refused",
    ),
    (
        "sysadmin gives the permission to accounts from its side",
        "sysadmin",
        lambda w: w.personal_data.user_set.add(w.plain),
        "refused",
    ),
    (
        "sysadmin gives its role personal data",
        "sysadmin",
        lambda w: w.groups["sysadmin"].permissions.add(w.personal_data),
        "refused",
    ),
    ("sysadmin creates a group", "sysadmin", lambda w: Group.objects.create(name="readers"), "refused"),
    ("sysadmin renames a role", "sysadmin", lambda w: _save(w.groups["publisher"], name="sysadmin2"), "refused"),
    (
        "sysadmin sets the investigator's password",
        "sysadmin",
        lambda w: _set_password(w.investigator, "x-sysadmin-knows"),
        "refused",
    ),
    (
        "sysadmin changes the investigator's email",
        "sysadmin",
        lambda w: _save(w.investigator, email=SYSADMIN_MAILBOX),
        "refused",
    ),
    ("sysadmin deactivates the investigator", "sysadmin", lambda w: _save(w.investigator, is_active=False), "allowed"),
    ("sysadmin makes a plain account a superuser", "sysadmin", lambda w: _save(w.plain, is_superuser=True), "refused"),
    (
        "sysadmin creates a superuser",
        "sysadmin",
        lambda w: User.objects.create(username="root2", is_superuser=True),
        "refused",
    ),
    (
        "sysadmin sets a plain account's password",
        "sysadmin",
        lambda w: _set_password(w.plain, "fine-for-now-1"),
        "allowed",
    ),
    (
        "sysadmin adds a device to the investigator",
        "sysadmin",
        lambda w: TOTPDevice.objects.create(user=w.investigator, name="mine"),
        "refused",
    ),
    (
        "sysadmin adds a device to a plain account",
        "sysadmin",
        lambda w: TOTPDevice.objects.create(user=w.plain, name="mine"),
        "refused",
    ),
    (
        "sysadmin moves the investigator's device to itself",
        "sysadmin",
        lambda w: _save(TOTPDevice.objects.get(user=w.investigator), user=w.sysadmin),
        "refused",
    ),
    (
        "sysadmin deletes the investigator's device",
        "sysadmin",
        lambda w: TOTPDevice.objects.get(user=w.investigator).delete(),
        "refused",
    ),
    (
        "sysadmin adds a backup code to the investigator",
        "sysadmin",
        lambda w: StaticToken.objects.create(device=StaticDevice.objects.get(user=w.investigator), token="known123"),
        "refused",
    ),
    (
        "sysadmin enrols its own device",
        "sysadmin",
        lambda w: TOTPDevice.objects.create(user=w.sysadmin, name="mine"),
        "allowed",
    ),
    (
        "the investigator changes their own password",
        "investigator",
        lambda w: _set_password(w.investigator, "ivan-new-passphrase"),
        "allowed",
    ),
    (
        "the investigator enrols their own device",
        "investigator",
        lambda w: TOTPDevice.objects.create(user=w.investigator, name="new phone"),
        "allowed",
    ),
    (
        "the investigator makes themselves a supervisor",
        "investigator",
        lambda w: w.investigator.groups.add(w.groups["supervisor"]),
        "refused",
    ),
    (
        "the investigator changes their own email",
        "investigator",
        lambda w: _save(w.investigator, email=SYSADMIN_MAILBOX),
        "refused",
    ),
    (
        "a reset link (nobody signed in) sets the investigator's password",
        "nobody",
        lambda w: _set_password(w.investigator, "from-the-link-1"),
        "allowed",
    ),
    (
        "nobody signed in uses a backup code",
        "nobody",
        lambda w: StaticToken.objects.filter(device__user=w.investigator).first().delete(),
        "allowed",
    ),
    ("nobody signed in adds a role", "nobody", lambda w: w.investigator.groups.add(w.groups["supervisor"]), "refused"),
    (
        "nobody signed in changes the email",
        "nobody",
        lambda w: _save(w.investigator, email=SYSADMIN_MAILBOX),
        "refused",
    ),
    (
        "a supervisor grants a plain account a role",
        "sofia_supervisor",
        lambda w: w.plain.groups.add(w.groups["board_member"]),
        "allowed",
    ),
    (
        "a supervisor removes the investigator's device",
        "sofia_supervisor",
        lambda w: TOTPDevice.objects.get(user=w.investigator).delete(),
        "allowed",
    ),
    (
        "a supervisor changes their own roles",
        "sofia_supervisor",
        lambda w: _supervisor(w).groups.add(w.groups["board_member"]),
        "refused",
    ),
    (
        "a supervisor makes someone a superuser",
        "sofia_supervisor",
        lambda w: _save(w.plain, is_superuser=True),
        "refused",
    ),
    (
        "a supervisor changes a role's permissions",
        "sofia_supervisor",
        lambda w: w.groups["publisher"].permissions.add(w.personal_data),
        "refused",
    ),
    (
        "the server seeds a supervisor",
        "server",
        lambda w: UserFactory(username="seeded", roles=["supervisor"]),
        "allowed",
    ),
    ("the server repairs the roles", "server", lambda w: permissions.setup_roles(), "allowed"),
]


@pytest.mark.parametrize(("what", "who", "write", "expected"), GUARD_CASES, ids=[c[0] for c in GUARD_CASES])
def test_the_guard_refuses_what_only_a_supervisor_may_do_by_any_path(world, supervisor, what, who, write, expected):
    refused_before = AuditEvent.objects.filter(action="user.change_refused").count()
    with Acting(who)(world):
        try:
            # As the admin's pages and the services run: the refusal outlives the rollback.
            with audit.service_atomic():
                write(world)
        except PermissionDenied:
            outcome = "refused"
        else:
            outcome = "allowed"
    assert outcome == expected, what
    refusals = AuditEvent.objects.filter(action="user.change_refused").count() - refused_before
    assert refusals == (1 if expected == "refused" else 0), what
    assert {u.username for u in User.objects.all() if can_read_cases(u)} <= {
        "ivan_investigator",
        "sofia_supervisor",
        "pat_plain" if who == "sofia_supervisor" else "ivan_investigator",
        "seeded",
    }, what
