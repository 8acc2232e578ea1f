"""Object grants on complaints live in guardian's direct foreign-key tables.

Scoping a list is then an integer join on the complaint id that an index serves, never a cast of
every complaint id to text. The behaviour people rely on stays: a grant on one case shows that
case only, a model-level permission widens nothing, a group grant reaches its members, and a
database holding grants in guardian's generic tables keeps every user's cases after migrating.
"""

from datetime import UTC, date, datetime

import pytest
from django.apps import apps as installed_apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint, ComplaintGroupObjectPermission, ComplaintUserObjectPermission
from complaints.selectors import complaint_list_for_user
from investigations.board.membership import is_recused
from investigations.board.models import Recusal
from investigations.board.selectors import board_member_visible_cases
from investigations.models import Investigation, InvestigatorAssignment
from oversight import context, permissions
from oversight.permissions import Role
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status
VIEW = "complaints.view_complaint"
CHANGE = "complaints.change_complaint"


def _generic(name):
    """Guardian's generic tables, looked up through the app registry."""
    return installed_apps.get_model("guardian", name)


def _visible(user, queryset=None):
    queryset = Complaint.objects.all() if queryset is None else queryset
    return set(permissions.visible_for(user, VIEW, queryset).values_list("pk", flat=True))


# --- Where grants are stored -------------------------------------------------------------------------


def test_guardian_uses_the_direct_tables_for_complaints():
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    assert get_user_obj_perms_model(Complaint) is ComplaintUserObjectPermission
    assert get_group_obj_perms_model(Complaint) is ComplaintGroupObjectPermission


def test_a_grant_writes_a_direct_row_and_no_generic_one(assigned_investigator, complaint):
    rows = ComplaintUserObjectPermission.objects.filter(user=assigned_investigator, content_object=complaint)
    assert sorted(rows.values_list("permission__codename", flat=True)) == ["change_complaint", "view_complaint"]
    assert not _generic("UserObjectPermission").objects.exists()


def test_grant_bulk_writes_direct_rows_once(other_investigator):
    cases = ComplaintFactory.create_batch(3)
    assert permissions.grant_bulk(other_investigator, [VIEW, CHANGE], cases) == 6
    permissions.grant_bulk(other_investigator, [VIEW], cases)  # already held: nothing added
    assert ComplaintUserObjectPermission.objects.filter(user=other_investigator).count() == 6
    assert not _generic("UserObjectPermission").objects.exists()
    assert _visible(other_investigator) == {c.pk for c in cases}


def test_grant_bulk_to_a_group_reaches_its_members(complaint, other_complaint):
    panel = Group.objects.create(name="panel-3")
    member = UserFactory(username="panel_member")
    member.groups.add(panel)
    assert permissions.grant_bulk(panel, [VIEW], [complaint]) == 1
    assert ComplaintGroupObjectPermission.objects.filter(group=panel, content_object=complaint).exists()
    assert _visible(member) == {complaint.pk}


def test_grant_bulk_refuses_a_permission_of_another_model(other_investigator, complaint):
    with pytest.raises(ValueError, match="complaints.Complaint"):
        permissions.grant_bulk(other_investigator, ["complaints.view_party"], [complaint])
    assert not ComplaintUserObjectPermission.objects.exists()


def test_deleting_a_complaint_deletes_its_grants(other_investigator, other_complaint):
    permissions.grant(other_investigator, VIEW, other_complaint)
    other_complaint.delete()
    assert not ComplaintUserObjectPermission.objects.filter(user=other_investigator).exists()


# --- Behaviour -----------------------------------------------------------------------------------------


def test_a_view_grant_shows_that_case_only_and_does_not_allow_changing_others(other_investigator, complaint):
    second, third = ComplaintFactory(), ComplaintFactory()
    permissions.grant(other_investigator, VIEW, complaint)
    permissions.grant(other_investigator, CHANGE, second)
    assert _visible(other_investigator) == {complaint.pk}
    assert permissions.user_can(other_investigator, VIEW, complaint)
    assert not permissions.user_can(other_investigator, CHANGE, complaint)
    assert permissions.user_can(other_investigator, CHANGE, second)
    assert not permissions.user_can(other_investigator, VIEW, third)


def test_revoking_ends_access_to_that_case_only(assigned_investigator, complaint):
    second = ComplaintFactory()
    permissions.grant(assigned_investigator, VIEW, second)
    permissions.revoke(assigned_investigator, VIEW, complaint)
    assert _visible(assigned_investigator) == {second.pk}
    assert not permissions.user_can(assigned_investigator, VIEW, complaint)
    assert permissions.user_can(assigned_investigator, CHANGE, complaint)  # only view was revoked


def test_a_model_level_permission_held_through_a_group_widens_nothing(complaint, other_complaint):
    readers = Group.objects.create(name="readers")
    readers.permissions.add(Permission.objects.get(codename="view_complaint"))
    user = UserFactory(username="reader")
    user.groups.add(readers)
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm(VIEW)
    assert _visible(user) == set()
    assert not permissions.user_can(user, VIEW, complaint)


def test_a_group_grant_reaches_every_member_and_only_them(complaint, other_complaint):
    panel = Group.objects.create(name="panel-9")
    first, second = UserFactory(username="first_member"), UserFactory(username="second_member")
    first.groups.add(panel)
    second.groups.add(panel)
    outsider = UserFactory(username="outsider")
    permissions.grant(panel, VIEW, complaint)
    assert _visible(first) == _visible(second) == {complaint.pk}
    assert permissions.user_can(second, VIEW, complaint)
    assert not permissions.user_can(second, VIEW, other_complaint)
    assert _visible(outsider) == set()


def test_direct_and_group_grants_of_the_same_case_show_it_once(other_investigator, complaint):
    panel = Group.objects.create(name="panel-2")
    other_investigator.groups.add(panel)
    permissions.grant(panel, VIEW, complaint)
    permissions.grant(other_investigator, VIEW, complaint)
    assert list(permissions.visible_for(other_investigator, VIEW, Complaint.objects.all())) == [complaint]


def test_guardians_permission_backend_reads_the_direct_tables(assigned_investigator, complaint, other_complaint):
    assert assigned_investigator.has_perm(VIEW, complaint)
    assert not assigned_investigator.has_perm(VIEW, other_complaint)


def test_users_with_access_lists_direct_and_group_holders_who_are_active(complaint):
    panel = Group.objects.create(name="panel-4")
    direct = UserFactory(username="direct_holder")
    via_group = UserFactory(username="group_holder")
    via_group.groups.add(panel)
    change_only = UserFactory(username="change_only")
    gone = UserFactory(username="left_the_office", is_active=False)
    permissions.grant(direct, VIEW, complaint)
    permissions.grant(panel, VIEW, complaint)
    permissions.grant(change_only, CHANGE, complaint)
    permissions.grant(gone, VIEW, complaint)
    assert [u.username for u in permissions.users_with_access(complaint, VIEW)] == ["direct_holder", "group_holder"]
    assert [u.username for u in permissions.users_with_access(complaint, CHANGE)] == ["change_only"]


def test_superusers_see_everything_and_inactive_users_nothing(assigned_investigator, complaint, other_complaint):
    boss = UserFactory(username="root", is_superuser=True)
    assert _visible(boss) == {complaint.pk, other_complaint.pk}
    assert permissions.user_can(boss, CHANGE, other_complaint)
    assigned_investigator.is_active = False
    assigned_investigator.save()
    assert _visible(assigned_investigator) == set()


# --- The SQL on PostgreSQL ---------------------------------------------------------------------------


def _scoping_sql(run) -> str:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return "\n".join(q["sql"] for q in ctx.captured_queries if "complaints_complaint" in q["sql"])


@pytest.mark.postgres
def test_scoped_queries_join_on_the_integer_id_through_the_direct_table(assigned_investigator, board_member, complaint):
    Complaint.objects.filter(pk=complaint.pk).update(status=S.BOARD_REVIEW)
    permissions.grant(board_member, VIEW, complaint)
    runs = {
        "investigator list": lambda: list(complaint_list_for_user(user=assigned_investigator)),
        "board cases": lambda: list(board_member_visible_cases(board_member)),
        "user_can": lambda: permissions.user_can(board_member, VIEW, complaint),
    }
    for name, run in runs.items():
        sql = _scoping_sql(run)
        assert "complaints_complaintuserobjectpermission" in sql, name
        assert "guardian_" not in sql, name
        for cast in ("::text", "::varchar", "CAST("):
            assert cast not in sql.upper() and cast not in sql, (name, cast, sql)


@pytest.mark.postgres
def test_the_planner_finds_a_users_grants_through_the_unique_index(assigned_investigator):
    ComplaintFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask whether an index can serve it
        plan = permissions.visible_for(assigned_investigator, VIEW, Complaint.objects.all()).explain()
    assert "complaints_complaintuser_user_id_permission_id" in plan, plan


# --- Query counts do not grow with the number of cases ---------------------------------------------------


def _board_cases(member, n):
    cases = ComplaintFactory.create_batch(n, status=S.BOARD_REVIEW)
    Investigation.objects.bulk_create([Investigation(complaint=c, discovery_date=date(2026, 3, 14)) for c in cases])
    permissions.grant_bulk(member, [VIEW], cases)


def _assigned_cases(investigator, n):
    cases = ComplaintFactory.create_batch(n, status=S.UNDER_INVESTIGATION)
    investigations = Investigation.objects.bulk_create(
        [Investigation(complaint=c, discovery_date=date(2026, 3, 14)) for c in cases]
    )
    InvestigatorAssignment.objects.bulk_create(
        [InvestigatorAssignment(investigation=i, investigator=investigator, is_lead=True) for i in investigations]
    )
    permissions.grant_bulk(investigator, [VIEW, CHANGE], cases)


def _queries(client, url) -> int:
    client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_queue_costs_the_same_queries_for_10_and_100_cases(client, board_member):
    client.force_login(board_member)
    url = reverse("board:queue")
    _board_cases(board_member, 10)
    with_10 = _queries(client, url)
    _board_cases(board_member, 90)
    assert _queries(client, url) == with_10


def test_investigator_case_list_costs_the_same_queries_for_10_and_100_cases(client):
    investigator = UserFactory(username="busy_investigator", roles=[Role.INVESTIGATOR])
    client.force_login(investigator)
    url = reverse("complaints:list")
    _assigned_cases(investigator, 10)
    with_10 = _queries(client, url)
    _assigned_cases(investigator, 90)
    body = client.get(url).content.decode()
    assert _queries(client, url) == with_10
    assert "100 complaints" in body  # the total counts every granted case


# --- Migrating generic grants ---------------------------------------------------------------------------

BEFORE_DIRECT_TABLES = [
    ("complaints", "0006_intake_queue_index"),
    ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _seed_generic_grants(apps) -> dict[str, object]:
    """Users, a group and complaints, with grants the way guardian's generic tables held them."""
    User = apps.get_model("auth", "User")
    Group_ = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission_ = apps.get_model("auth", "Permission")
    Complaint_ = apps.get_model("complaints", "Complaint")
    UserPerm = apps.get_model("guardian", "UserObjectPermission")
    GroupPerm = apps.get_model("guardian", "GroupObjectPermission")

    complaint_type = ContentType.objects.get(app_label="complaints", model="complaint")
    user_type = ContentType.objects.get(app_label="auth", model="user")
    view = Permission_.objects.get(content_type=complaint_type, codename="view_complaint")
    change = Permission_.objects.get(content_type=complaint_type, codename="change_complaint")
    view_user = Permission_.objects.get(content_type=user_type, codename="view_user")
    now = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
    cases = [
        Complaint_.objects.create(
            tracking_number=f"MIG-2026-{n:05d}", received_at=now, narrative="Grant.", status_changed_at=now
        )
        for n in range(1, 6)
    ]
    alice = User.objects.create(username="mig_alice")
    bob = User.objects.create(username="mig_bob")
    carol = User.objects.create(username="mig_carol")
    panel = Group_.objects.create(name="mig_panel")
    bob.groups.add(panel)
    carol.groups.add(panel)

    def user_row(user, perm, case):
        return UserPerm(user=user, permission=perm, content_type=complaint_type, object_pk=str(case.pk))

    UserPerm.objects.bulk_create(
        [
            user_row(alice, view, cases[0]),
            user_row(alice, change, cases[0]),
            user_row(alice, view, cases[1]),
            user_row(bob, view, cases[2]),
            user_row(carol, change, cases[3]),  # change without view: carol sees it only via the group
            # Not a complaint: stays in the generic table.
            UserPerm(user=alice, permission=view_user, content_type=user_type, object_pk=str(bob.pk)),
            # A complaint that no longer exists: grants nothing, stays where it is.
            UserPerm(user=bob, permission=view, content_type=complaint_type, object_pk="999999"),
        ]
    )
    GroupPerm.objects.create(group=panel, permission=view, content_type=complaint_type, object_pk=str(cases[4].pk))
    return {
        "cases": [c.pk for c in cases],
        "users": {"alice": alice.pk, "bob": bob.pk, "carol": carol.pk},
        "complaint_type": complaint_type.pk,
        "view": view.pk,
    }


def _generic_visible(apps, seeded) -> dict[str, set[int]]:
    """What each user saw before: their generic view rows plus their groups', on existing cases."""
    UserPerm = apps.get_model("guardian", "UserObjectPermission")
    GroupPerm = apps.get_model("guardian", "GroupObjectPermission")
    User = apps.get_model("auth", "User")
    existing = {str(pk) for pk in seeded["cases"]}
    seen = {}
    for name, pk in seeded["users"].items():
        on_complaints = {"content_type_id": seeded["complaint_type"], "permission_id": seeded["view"]}
        rows = UserPerm.objects.filter(user_id=pk, **on_complaints)
        groups = GroupPerm.objects.filter(group__in=User.objects.get(pk=pk).groups.all(), **on_complaints)
        pks = set(rows.values_list("object_pk", flat=True)) | set(groups.values_list("object_pk", flat=True))
        seen[name] = {int(p) for p in pks if p in existing}
    return seen


def _generic_rows(apps):
    return sorted(
        (r.user_id, r.permission_id, r.content_type_id, r.object_pk)
        for r in apps.get_model("guardian", "UserObjectPermission").objects.all()
    ) + sorted(
        (r.group_id, r.permission_id, r.content_type_id, r.object_pk)
        for r in apps.get_model("guardian", "GroupObjectPermission").objects.all()
    )


@pytest.mark.django_db(transaction=True)
def test_generic_grants_migrate_and_every_user_sees_the_same_cases():
    from django.contrib.auth import get_user_model

    try:
        old = _migrate(BEFORE_DIRECT_TABLES)
        seeded = _seed_generic_grants(old)
        before = _generic_visible(old, seeded)
        rows_before = _generic_rows(old)
        c = seeded["cases"]
        assert before == {"alice": {c[0], c[1]}, "bob": {c[2], c[4]}, "carol": {c[4]}}

        _migrate(_latest())
        User = get_user_model()
        after = {name: _visible(User.objects.get(pk=pk)) for name, pk in seeded["users"].items()}
        assert after == before
        alice = User.objects.get(pk=seeded["users"]["alice"])
        carol = User.objects.get(pk=seeded["users"]["carol"])
        assert permissions.user_can(alice, CHANGE, Complaint.objects.get(pk=c[0]))
        assert permissions.user_can(carol, CHANGE, Complaint.objects.get(pk=c[3]))
        assert ComplaintUserObjectPermission.objects.count() == 5
        assert ComplaintGroupObjectPermission.objects.count() == 1
        # Left generic: the grant on a user and the one on a complaint that no longer exists.
        assert sorted(_generic("UserObjectPermission").objects.values_list("object_pk", flat=True)) == sorted(
            [str(seeded["users"]["bob"]), "999999"]
        )
        assert not _generic("GroupObjectPermission").objects.exists()

        # Going back restores the generic rows exactly.
        old = _migrate(BEFORE_DIRECT_TABLES)
        assert _generic_rows(old) == rows_before
    finally:
        _migrate(_latest())


# --- One case's checks within a request -------------------------------------------------------------


def test_a_single_case_check_reads_only_that_cases_grants(assigned_investigator, complaint):
    others = ComplaintFactory.create_batch(30)
    permissions.grant_bulk(assigned_investigator, [VIEW, CHANGE], others)
    sql = _scoping_sql(lambda: permissions.user_can(assigned_investigator, VIEW, complaint))
    assert f'"content_object_id" = {complaint.pk}' in sql, sql


def test_within_a_request_one_read_answers_every_question_about_a_case(
    assigned_investigator, complaint, django_assert_num_queries
):
    with context.request_memo(), django_assert_num_queries(1):
        assert permissions.user_can(assigned_investigator, VIEW, complaint)
        assert permissions.user_can(assigned_investigator, CHANGE, complaint)
        assert not permissions.user_can(assigned_investigator, "complaints.triage_complaint", complaint)
        assert permissions.user_can(assigned_investigator, VIEW, complaint)


def test_outside_a_request_nothing_is_remembered(assigned_investigator, complaint, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert permissions.user_can(assigned_investigator, VIEW, complaint)
        assert permissions.user_can(assigned_investigator, VIEW, complaint)


def test_a_grant_or_revoke_in_the_same_request_is_seen_by_the_next_check(other_investigator, complaint):
    with context.request_memo():
        assert not permissions.user_can(other_investigator, VIEW, complaint)
        permissions.grant(other_investigator, VIEW, complaint)
        assert permissions.user_can(other_investigator, VIEW, complaint)
        permissions.revoke(other_investigator, VIEW, complaint)
        assert not permissions.user_can(other_investigator, VIEW, complaint)
        permissions.grant_bulk(other_investigator, [VIEW], [complaint])
        assert permissions.user_can(other_investigator, VIEW, complaint)


def test_a_group_joined_in_the_same_request_is_seen_by_the_next_check(other_investigator, complaint):
    group = Group.objects.create(name="Special panel")
    permissions.grant(group, VIEW, complaint)
    with context.request_memo():
        assert not permissions.user_can(other_investigator, VIEW, complaint)
        other_investigator.groups.add(group)
        assert permissions.user_can(other_investigator, VIEW, complaint)


def test_a_recusal_recorded_in_the_same_request_is_seen_by_the_next_check(board_member, complaint):
    with context.request_memo():
        assert not is_recused(board_member, complaint)
        Recusal.objects.create(member=board_member, complaint=complaint, reason="Knows the officer")
        assert is_recused(board_member, complaint)


def test_a_case_page_is_found_through_that_cases_grants_alone(client, assigned_investigator, complaint):
    others = ComplaintFactory.create_batch(30)
    permissions.grant_bulk(assigned_investigator, [VIEW, CHANGE], others)
    client.force_login(assigned_investigator)
    url = reverse("cases:timeline", args=[complaint.tracking_number])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    grant_reads = [q["sql"] for q in ctx.captured_queries if "complaintuserobjectpermission" in q["sql"]]
    assert len(grant_reads) == 1, grant_reads
    assert f'"content_object_id" = {complaint.pk}' in grant_reads[0]
