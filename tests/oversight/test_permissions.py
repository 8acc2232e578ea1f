import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from complaints.models import Complaint, Party
from complaints.selectors import complaint_visible_queryset
from oversight import permissions
from oversight.models import AuditEvent
from oversight.permissions import ROLE_PERMISSIONS, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _role_snapshot() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_object_permission_on_one_complaint_does_not_reveal_another(assigned_investigator, complaint, other_complaint):
    visible = permissions.visible_for(assigned_investigator, "complaints.view_complaint", Complaint.objects.all())
    assert list(visible) == [complaint]
    assert permissions.user_can(assigned_investigator, "complaints.view_complaint", complaint)
    assert not permissions.user_can(assigned_investigator, "complaints.view_complaint", other_complaint)


def test_model_level_permission_alone_does_not_widen_visible_for(complaint, other_complaint):
    user = UserFactory(username="global_only")
    user.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    user = type(user).objects.get(pk=user.pk)  # drop the permission cache
    assert user.has_perm("complaints.view_complaint")
    assert not permissions.visible_for(user, "complaints.view_complaint", Complaint.objects.all()).exists()
    assert not permissions.user_can(user, "complaints.view_complaint", complaint)
    assert not complaint_visible_queryset(user).exists()


def test_group_object_permission_is_honoured(complaint, other_complaint):
    panel = Group.objects.create(name="panel-7")
    member = UserFactory(username="panelist")
    member.groups.add(panel)
    permissions.grant(panel, "complaints.view_complaint", complaint)
    assert list(permissions.visible_for(member, "complaints.view_complaint", Complaint.objects.all())) == [complaint]


def test_revoking_removes_access_and_both_are_audited(assigned_investigator, complaint):
    permissions.revoke(assigned_investigator, "complaints.view_complaint", complaint)
    assert not permissions.user_can(assigned_investigator, "complaints.view_complaint", complaint)
    actions = list(
        AuditEvent.objects.filter(target_id=str(complaint.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions[-1] == "permission.revoked" and "permission.granted" in actions


def test_inactive_users_see_nothing(assigned_investigator, complaint):
    assigned_investigator.is_active = False
    assigned_investigator.save()
    assert not permissions.visible_for(assigned_investigator, "complaints.view_complaint", Complaint.objects.all())
    assert not permissions.user_can(assigned_investigator, "complaints.view_complaint", complaint)


def test_setting_up_roles_twice_gives_the_same_groups_and_permissions():
    permissions.setup_roles()
    first = _role_snapshot()
    changed = permissions.setup_roles()
    assert _role_snapshot() == first
    assert not any(changed.values())
    assert set(first) >= set(ROLE_PERMISSIONS)
    for role, names in ROLE_PERMISSIONS.items():
        assert first[role] == set(names)


def test_setup_roles_repairs_a_role_someone_changed():
    group = Group.objects.get(name=Role.SYSADMIN)
    group.permissions.add(Permission.objects.get(codename="view_complaint"))
    assert permissions.setup_roles()[Role.SYSADMIN] is True
    assert "complaints.view_complaint" not in _role_snapshot()[Role.SYSADMIN]


def test_sysadmin_role_manages_users_roster_and_taxonomy_but_not_case_content(sysadmin):
    for perm in ("auth.add_user", "oversight.change_officer", "complaints.change_allegationcategory"):
        assert sysadmin.has_perm(perm), perm
    for perm in (
        "complaints.view_complaint",
        "complaints.view_party",
        "complaints.view_personal_data",
        "complaints.view_historicalcomplaint",
        "complaints.view_historicalparty",
    ):
        assert not sysadmin.has_perm(perm), perm


def _case_urls(complaint: Complaint, party: Party) -> list[str]:
    urls = [
        reverse("staff:home"),
        reverse("complaints:list"),
        reverse("complaints:detail", args=[complaint.tracking_number]),
        reverse("admin:index"),
        reverse("admin:app_list", args=["complaints"]),
        reverse("admin:complaints_allegation_changelist"),
        reverse("admin:oversight_auditevent_changelist"),
    ]
    for model, obj in ((Complaint, complaint), (Party, party)):
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [
            reverse(f"{prefix}_changelist"),
            reverse(f"{prefix}_change", args=[obj.pk]),
            reverse(f"{prefix}_history", args=[obj.pk]),
        ]
    return urls


def test_sysadmin_cannot_read_a_narrative_or_party_details_through_any_page(client, sysadmin, complaint):
    party = complaint.parties.get()
    # Names no staff member could share by chance (the factories draw staff names at random too).
    party.last_name, party.email = "Quillfeather-Ozymandias", "quillfeather.ozymandias@example.org"
    party.save()
    complaint.history.all()  # history exists for the complaint and its party
    client.force_login(sysadmin)
    for url in _case_urls(complaint, party):
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert complaint.narrative not in body, url
        assert party.last_name not in body, url
        assert party.email not in body, url
        assert response.status_code in (200, 403, 404), url


def test_supervisor_reads_the_narrative_in_the_admin(client, supervisor, complaint):
    client.force_login(supervisor)
    response = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert response.status_code == 200
    assert complaint.narrative in response.content.decode()


def test_sysadmin_cannot_make_anyone_a_superuser_or_change_their_own_roles(client, sysadmin):
    client.force_login(sysadmin)
    own = client.get(reverse("admin:auth_user_change", args=[sysadmin.pk])).content.decode()
    assert 'name="is_superuser"' not in own
    assert 'name="groups"' not in own
    other = UserFactory(username="new_investigator")
    page = client.get(reverse("admin:auth_user_change", args=[other.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' in page
