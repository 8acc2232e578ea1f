"""Staff accounts: a supervisor grants and revokes roles and resets a lost second factor, on the
staff pages; nobody changes their own; nobody else sees the pages; the first supervisor is made
on the server with ``createsupervisor``."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight import audit
from oversight.context import acting_as
from oversight.models import AuditEvent
from oversight.permissions import Role
from oversight.staff_accounts import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
FACTORY_PASSWORD = "correct horse battery staple"


def _names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _devices(user) -> int:
    return TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()


def _signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(reverse("staff:home")).status_code == 200
    return client


def _signed_out(client: Client) -> bool:
    response = client.get(reverse("staff:home"))
    return response.status_code == 302 and reverse("staff:login") in response["Location"]


@pytest.fixture
def newcomer(db):
    """An account the sysadmin made: no role yet, a password the sysadmin chose, and a device they
    enrolled while it was theirs."""
    user = UserFactory(username="nia_newcomer", first_name="Nia", last_name="Park", email="nia.park@oversight.example")
    TOTPDevice.objects.create(user=user, name="Sysadmin's phone", confirmed=True)
    return user


# --- Granting and revoking ----------------------------------------------------------------------------


def test_supervisor_grants_a_role_and_the_persons_page_shows_who_granted_it(client, supervisor, newcomer):
    client.force_login(supervisor)
    response = client.post(
        reverse("staff:accounts:grant", args=[newcomer.pk]), {"role": Role.INVESTIGATOR, "confirm_email": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:accounts:detail", args=[newcomer.pk])
    assert _names(newcomer) == {Role.INVESTIGATOR}
    event = AuditEvent.objects.get(action="user.role_granted")
    assert event.actor == supervisor and event.target_id == str(newcomer.pk)
    assert event.data["role"] == Role.INVESTIGATOR and event.data["sign_in_reset"] is True

    page = client.get(reverse("staff:accounts:detail", args=[newcomer.pk])).content.decode()
    assert "Role granted" in page
    assert "Investigator" in page
    assert supervisor.get_full_name() in page
    assert "Sign-in reset" in page


def test_the_first_case_reading_role_resets_the_sign_in_whoever_held_it(client, supervisor, newcomer):
    held_by_sysadmin = _signed_in_client(newcomer)  # a session from before the grant
    client.force_login(supervisor)
    client.post(reverse("staff:accounts:grant", args=[newcomer.pk]), {"role": Role.BOARD_MEMBER, "confirm_email": "on"})
    newcomer.refresh_from_db()
    assert _names(newcomer) == {Role.BOARD_MEMBER}
    assert not newcomer.check_password(FACTORY_PASSWORD)
    # A random password nobody is told, so the emailed reset link still reaches the account.
    assert newcomer.has_usable_password()
    assert _devices(newcomer) == 0
    assert _signed_out(held_by_sysadmin)


def test_the_grant_waits_for_the_email_address_to_be_checked(client, supervisor, newcomer):
    client.force_login(supervisor)
    response = client.post(reverse("staff:accounts:grant", args=[newcomer.pk]), {"role": Role.INVESTIGATOR})
    assert response.status_code == 400
    assert "nia.park@oversight.example" in response.content.decode()
    assert _names(newcomer) == set()
    newcomer.refresh_from_db()
    assert newcomer.check_password(FACTORY_PASSWORD)


def test_a_further_role_keeps_the_persons_own_sign_in(client, supervisor, other_investigator):
    session = _signed_in_client(other_investigator)
    client.force_login(supervisor)
    response = client.post(reverse("staff:accounts:grant", args=[other_investigator.pk]), {"role": Role.BOARD_MEMBER})
    assert response.status_code == 302
    other_investigator.refresh_from_db()
    assert _names(other_investigator) == {Role.INVESTIGATOR, Role.BOARD_MEMBER}
    assert other_investigator.check_password(FACTORY_PASSWORD)
    assert not _signed_out(session)
    assert AuditEvent.objects.get(action="user.role_granted").data["sign_in_reset"] is False


def test_granting_the_sysadmin_role_alone_resets_nothing(supervisor, newcomer):
    assert services.grant_role(actor=supervisor, user=newcomer, role=Role.SYSADMIN) is False
    newcomer.refresh_from_db()
    assert newcomer.check_password(FACTORY_PASSWORD)
    assert _devices(newcomer) == 1


def test_supervisor_revokes_a_role_and_the_page_shows_it(client, supervisor, other_investigator):
    client.force_login(supervisor)
    response = client.post(reverse("staff:accounts:revoke", args=[other_investigator.pk]), {"role": Role.INVESTIGATOR})
    assert response.status_code == 302
    assert _names(other_investigator) == set()
    event = AuditEvent.objects.get(action="user.role_revoked")
    assert (event.actor, event.data["role"]) == (supervisor, Role.INVESTIGATOR)
    page = client.get(reverse("staff:accounts:detail", args=[other_investigator.pk])).content.decode()
    assert "Role revoked" in page and "Investigator" in page


def test_a_deactivated_account_or_one_without_email_is_not_granted_a_reading_role(supervisor):
    gone = UserFactory(username="gone_user", is_active=False)
    nomail = UserFactory(username="no_mail", email="")
    for account in (gone, nomail):
        with pytest.raises(Exception) as refused:
            services.grant_role(actor=supervisor, user=account, role=Role.INVESTIGATOR)
        assert refused.typename == "ValidationError"
        assert _names(account) == set()


def test_a_supervisor_cannot_change_their_own_roles(client, supervisor):
    client.force_login(supervisor)
    own = client.get(reverse("staff:accounts:detail", args=[supervisor.pk])).content.decode()
    assert "Another supervisor changes your roles" in own
    assert reverse("staff:accounts:grant", args=[supervisor.pk]) not in own
    assert reverse("staff:accounts:revoke", args=[supervisor.pk]) not in own
    for name, data in (("grant", {"role": Role.BOARD_MEMBER}), ("revoke", {"role": Role.SUPERVISOR})):
        response = client.post(reverse(f"staff:accounts:{name}", args=[supervisor.pk]), data)
        assert response.status_code == 403, name
    assert _names(supervisor) == {Role.SUPERVISOR}
    refusals = AuditEvent.objects.filter(action="user.change_refused", actor=supervisor)
    assert sorted(e.data["attempt"] for e in refusals) == ["grant_role", "revoke_role"]
    assert all(e.outcome == "denied" for e in refusals)


def test_another_supervisor_changes_a_supervisors_roles(supervisor):
    second = UserFactory(username="sam_second_supervisor", roles=[Role.SUPERVISOR])
    services.grant_role(actor=second, user=supervisor, role=Role.BOARD_MEMBER)
    assert _names(supervisor) == {Role.SUPERVISOR, Role.BOARD_MEMBER}


@pytest.mark.parametrize(
    "persona", ["intake_coordinator", "assigned_investigator", "board_member", "publisher", "sysadmin"]
)
def test_anyone_but_a_supervisor_gets_404_on_the_account_pages(request, client, persona, other_investigator):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for name in ("list", "detail"):
        args = [] if name == "list" else [other_investigator.pk]
        assert client.get(reverse(f"staff:accounts:{name}", args=args)).status_code == 404, name
    for name, data in (
        ("grant", {"role": Role.SUPERVISOR, "confirm_email": "on"}),
        ("revoke", {"role": Role.INVESTIGATOR}),
        ("reset_second_factor", {"confirm": "on"}),
    ):
        assert client.post(reverse(f"staff:accounts:{name}", args=[other_investigator.pk]), data).status_code == 404
    assert _names(other_investigator) == {Role.INVESTIGATOR}
    assert f'href="{reverse("staff:accounts:list")}"' not in client.get(reverse("staff:home")).content.decode()


def test_only_supervisors_see_the_menu_link(client, supervisor):
    client.force_login(supervisor)
    assert reverse("staff:accounts:list") in client.get(reverse("staff:home")).content.decode()


def test_the_list_shows_roles_active_flag_and_last_sign_in_and_is_searchable(client, supervisor, other_investigator):
    UserFactory(username="zed_gone", first_name="Zed", last_name="Quarrington", is_active=False)
    client.force_login(supervisor)
    page = client.get(reverse("staff:accounts:list")).content.decode()
    assert "bob_investigator" in page and "Investigator" in page
    assert "zed_gone" in page and "Deactivated" in page and "Never" in page
    found = client.get(reverse("staff:accounts:list"), {"q": "quarring"}).content.decode()
    assert "zed_gone" in found and "bob_investigator" not in found


def test_the_list_is_paginated(client, supervisor):
    for n in range(55):
        UserFactory(username=f"staff{n:02d}")
    client.force_login(supervisor)
    first = client.get(reverse("staff:accounts:list")).content.decode()
    assert "Page 1 of 2" in first and "staff00" in first and "staff54" not in first
    second = client.get(reverse("staff:accounts:list"), {"page": "2"}).content.decode()
    assert "staff54" in second and "staff00" not in second


# --- A lost second factor ----------------------------------------------------------------------------


def _enrolled(user) -> None:
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd1234")


def test_supervisor_resets_a_lost_second_factor_and_ends_the_persons_sessions(client, supervisor, other_investigator):
    _enrolled(other_investigator)
    session = _signed_in_client(other_investigator)
    client.force_login(supervisor)
    page = client.get(reverse("staff:accounts:detail", args=[other_investigator.pk])).content.decode()
    assert "Authenticator app" in page and "Backup codes: 1 left" in page

    refused = client.post(reverse("staff:accounts:reset_second_factor", args=[other_investigator.pk]), {})
    assert refused.status_code == 400  # the confirmation is required
    assert _devices(other_investigator) > 0

    response = client.post(
        reverse("staff:accounts:reset_second_factor", args=[other_investigator.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    assert _devices(other_investigator) == 0
    assert _signed_out(session)
    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert event.actor == supervisor and event.target_id == str(other_investigator.pk)
    assert event.data["devices_removed"] >= 2 and event.data["sessions_ended"] >= 1
    page = client.get(reverse("staff:accounts:detail", args=[other_investigator.pk])).content.decode()
    assert "Second factor reset" in page and "None enrolled" in page


def test_nobody_resets_their_own_second_factor(client, supervisor, other_investigator):
    client.force_login(supervisor)
    own = client.get(reverse("staff:accounts:detail", args=[supervisor.pk])).content.decode()
    assert reverse("staff:accounts:reset_second_factor", args=[supervisor.pk]) not in own
    before = _devices(supervisor)
    assert (
        client.post(reverse("staff:accounts:reset_second_factor", args=[supervisor.pk]), {"confirm": "on"}).status_code
        == 403
    )
    assert _devices(supervisor) == before
    _enrolled(other_investigator)
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(actor=other_investigator, user=other_investigator)
    assert _devices(other_investigator) == 2


def test_the_sysadmin_cannot_reset_a_second_factor_by_any_path(client, sysadmin, other_investigator):
    _enrolled(other_investigator)
    client.force_login(sysadmin)
    url = reverse("staff:accounts:reset_second_factor", args=[other_investigator.pk])
    assert client.post(url, {"confirm": "on"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(actor=sysadmin, user=other_investigator)
    # Underneath the pages: deleting the devices as the sysadmin is refused too (in a service
    # transaction, as the admin's pages run, so that the refusal outlives the rollback).
    devices = [
        *TOTPDevice.objects.filter(user=other_investigator),
        *StaticDevice.objects.filter(user=other_investigator),
    ]
    with acting_as(sysadmin):
        for device in devices:
            with pytest.raises(PermissionDenied), audit.service_atomic():
                device.delete()
    assert _devices(other_investigator) == 2
    assert AuditEvent.objects.filter(action="user.change_refused", actor=sysadmin).count() == 3


# --- The first supervisor ----------------------------------------------------------------------------


def test_createsupervisor_makes_a_supervisor_on_the_server_and_audits_it():
    out = io.StringIO()
    call_command(
        "createsupervisor",
        "--noinput",
        "--no-password",
        username="first_supervisor",
        email="chief@oversight.example",
        first_name="Ada",
        last_name="Chief",
        stdout=out,
    )
    user = User.objects.get(username="first_supervisor")
    assert _names(user) == {Role.SUPERVISOR}
    assert user.is_staff and user.is_active and user.email == "chief@oversight.example"
    assert user.get_full_name() == "Ada Chief"
    assert reverse("staff:password_reset") in out.getvalue()
    event = AuditEvent.objects.get(action="user.supervisor_created")
    assert event.actor is None and event.actor_username == ""
    assert event.target_id == str(user.pk) and event.data["password_set"] is False


def test_createsupervisor_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("SUPERVISOR_PASSWORD", "a long passphrase nobody guesses")
    call_command("createsupervisor", "--noinput", username="chief2", email="c2@oversight.example", stdout=io.StringIO())
    assert User.objects.get(username="chief2").check_password("a long passphrase nobody guesses")


def test_createsupervisor_prompts_for_what_is_missing(monkeypatch):
    answers = iter(["chief3", "c3@oversight.example", "Grace", "Hopper"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    passwords = iter(["short", "short", "another long passphrase", "another long passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(passwords))
    err = io.StringIO()
    call_command("createsupervisor", stdout=io.StringIO(), stderr=err)
    user = User.objects.get(username="chief3")
    assert user.check_password("another long passphrase") and user.get_full_name() == "Grace Hopper"
    assert "too short" in err.getvalue()


def test_createsupervisor_refuses_a_username_that_exists(supervisor):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createsupervisor",
            "--noinput",
            "--no-password",
            username=supervisor.username.upper(),
            email="x@oversight.example",
            stdout=io.StringIO(),
        )
    assert User.objects.filter(username__iexact=supervisor.username).count() == 1
    assert not AuditEvent.objects.filter(action="user.supervisor_created").exists()


def test_createsupervisor_without_input_needs_a_password_source():
    with pytest.raises(CommandError, match="--no-password"):
        call_command("createsupervisor", "--noinput", username="chief4", email="c4@oversight.example")
    assert not User.objects.filter(username="chief4").exists()


def test_the_role_groups_and_demo_seeding_still_pass_the_guard():
    call_command("setup_roles", stdout=io.StringIO())
    call_command("seed_demo", complaints=5, quiet_logins=True, stdout=io.StringIO())
    assert _names(User.objects.get(username="supervisor")) == {Role.SUPERVISOR}
    assert Group.objects.filter(name=Role.SUPERVISOR).exists()
    assert not AuditEvent.objects.filter(action="user.change_refused").exists()
