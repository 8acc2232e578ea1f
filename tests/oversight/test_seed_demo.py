import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, models
from django.db.models import Count

from complaints.models import (
    Allegation,
    Complaint,
    ComplaintStatusCount,
    ComplaintUserObjectPermission,
    Party,
    SubjectOfficer,
    TrackingSequence,
)
from investigations.board.models import BoardDecision, DecisionFinding
from investigations.models import EvidenceItem, Finding, Investigation, StatusChange
from oversight.audit import verify_chain
from oversight.bulk import TableWriter
from oversight.demo import DEMO_USERS
from oversight.models import Officer
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        Complaint.objects.order_by("tracking_number").values_list(
            "tracking_number", "narrative", "status", "channel", "language", "anonymity", "received_at"
        )
    )


def test_seed_demo_creates_varied_data_for_every_model(capsys):
    call_command("seed_demo", complaints=300, seed=7, as_of="2026-11-01")
    out = capsys.readouterr().out
    assert "300 complaints" in out
    for _username, role, *_ in DEMO_USERS:
        assert role in out
    assert Complaint.objects.count() == 300
    assert Officer.objects.exists() and Party.objects.exists()
    assert SubjectOfficer.objects.exists() and Allegation.objects.exists()
    assert Complaint.objects.values("status").distinct().count() >= 8
    assert Complaint.objects.filter(language="es").exists()
    assert set(Complaint.objects.values_list("channel", flat=True)) >= {"web", "phone", "email"}
    # Anonymous complaints carry no complainant identity.
    assert not Party.objects.filter(complaint__anonymity="anonymous", role__in=["complainant", "third_party"]).exists()
    # Tracking numbers are unique, and the sequences continue after them.
    numbers = list(Complaint.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == 300
    assert sum(TrackingSequence.objects.values_list("last_number", flat=True)) == 300
    assert verify_chain()[1] is None


def test_seed_demo_twice_does_not_duplicate(capsys):
    call_command("seed_demo", complaints=50, seed=1, as_of="2026-11-01")
    call_command("seed_demo", complaints=50, seed=1, as_of="2026-11-01")
    assert "already loaded" in capsys.readouterr().out
    assert Complaint.objects.count() == 50
    assert get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS]).count() == len(DEMO_USERS)


def test_demo_users_can_sign_in_with_their_roles(client, capsys):
    call_command("seed_demo", complaints=5, seed=1, as_of="2026-11-01", quiet_logins=True)
    from oversight.demo import DEMO_PASSWORD

    # The password, then the code `demo_code` prints (docs/sign-in.md).
    assert client.post("/staff/login/", {"username": "supervisor", "password": DEMO_PASSWORD}).status_code == 302
    capsys.readouterr()
    call_command("demo_code", "supervisor")
    code = capsys.readouterr().out.strip()
    assert client.post("/staff/second-factor/verify/", {"code": code})["Location"] == "/staff/"
    assert client.get("/staff/complaints/").status_code == 200


def test_every_demo_login_has_the_demo_second_factor(client):
    call_command("seed_demo", complaints=5, seed=1, as_of="2026-11-01", quiet_logins=True)
    from oversight.demo import DEMO_PASSWORD

    for username in ["intake", "sysadmin", "publisher2", "board2"]:
        visitor = type(client)()
        assert visitor.post("/staff/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        assert visitor.post("/staff/second-factor/verify/", {"code": "demo-code-01"})["Location"] == "/staff/"
        assert visitor.get("/staff/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_data():
    call_command("seed_demo", complaints=40, seed=99, as_of="2026-11-01", quiet_logins=True)
    first = _snapshot()
    # Start again from an empty database (flush restores roles, taxonomy and consent texts).
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", complaints=40, seed=99, as_of="2026-11-01", quiet_logins=True)
    assert _snapshot() == first


def test_any_demo_complaint_can_be_looked_up_with_the_demo_code(client):
    from complaints.demo import DEMO_STATUS_CODE

    call_command("seed_demo", complaints=20, seed=3, as_of="2026-11-01", quiet_logins=True)
    complaint = Complaint.objects.exclude(status="received").first()
    response = client.post("/status/", {"tracking_number": complaint.tracking_number, "code": DEMO_STATUS_CODE})
    assert response.status_code == 200
    assert "Current stage" in response.content.decode()


def _counts_printed(out: str) -> dict[str, int]:
    """The counts in seed_demo's closing line ("... loaded in 1.2s: 300 complaints, 357 parties, ...")."""
    summary = out.split("Demo data loaded in", 1)[1].split(":", 1)[1]
    return {name.strip(" ."): int(n) for n, name in re.findall(r"(\d+) ([a-z ]+)", summary)}


def _dangling_foreign_keys() -> list[str]:
    """Every foreign key of the demo's tables whose value names no row: the bulk load skips the
    database's own checks on PostgreSQL, so the test makes them."""
    quote = connection.ops.quote_name
    dangling = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label not in {"complaints", "investigations", "board", "oversight"}:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey) or not field.db_constraint:
                    continue
                child, parent = quote(model._meta.db_table), quote(field.related_model._meta.db_table)
                column, target = quote(field.column), quote(field.target_field.column)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {child} c LEFT JOIN {parent} p ON c.{column} = p.{target} "  # noqa: S608
                    f"WHERE c.{column} IS NOT NULL AND p.{target} IS NULL"
                )
                if cursor.fetchone()[0]:
                    dangling.append(f"{model._meta.label}.{field.name}")
    return dangling


@pytest.mark.postgres
def test_the_copy_path_on_postgresql_gives_consistent_data(capsys):
    call_command("seed_demo", complaints=3000, seed=11, as_of="2026-11-01", quiet_logins=True)
    out = capsys.readouterr().out
    printed = _counts_printed(out)
    assert Complaint.objects.count() == printed["complaints"] == 3000
    assert Party.objects.count() == printed["parties"] > 3000
    assert SubjectOfficer.objects.count() == printed["subject officers"]
    assert Allegation.objects.count() == printed["allegations"] > printed["subject officers"]
    assert Investigation.objects.count() == printed["investigations"]
    assert Finding.objects.count() == printed["findings"]
    assert BoardDecision.objects.count() == printed["board decisions"]
    assert ComplaintUserObjectPermission.objects.count() == printed["case grants"] + printed["board grants"]
    # Rows point at rows that exist, and at the right ones.
    assert _dangling_foreign_keys() == []
    assert not Allegation.objects.exclude(complaint_id=models.F("subject_officer__complaint_id")).exists()
    assert not DecisionFinding.objects.exclude(
        decision__complaint_id=models.F("finding__allegation__complaint_id")
    ).exists()
    # The status counts the triggers keep equal a GROUP BY after the load (which skipped them).
    grouped = dict(Complaint.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    kept = dict(ComplaintStatusCount.objects.exclude(total=0).values_list("status", "total"))
    assert kept == grouped
    # Every sequence behind an explicit id is past the highest id.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Complaint, SubjectOfficer, Investigation, EvidenceItem, BoardDecision):
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id'))", [quote(model._meta.db_table)]
            )
            assert cursor.fetchone()[0] >= model.objects.order_by("-id").values_list("id", flat=True)[0]
    # Triggers are back on: a complaint created now gets the next id and is counted.
    highest = Complaint.objects.order_by("-id").values_list("id", flat=True)[0]
    complaint = ComplaintFactory()
    assert complaint.pk > highest
    received = ComplaintStatusCount.objects.get(status=Complaint.Status.RECEIVED).total
    assert received == grouped.get(Complaint.Status.RECEIVED, 0) + 1
    call_command("workflow_check")
    assert "agrees with its records" in capsys.readouterr().out


def test_table_writer_fills_defaults_and_moves_the_sequence():
    complaint = ComplaintFactory()
    with TableWriter(StatusChange, ["id", "complaint_id", "action", "from_status", "to_status"], chunk_size=2) as out:
        ids = [out.next_id() for _ in range(3)]
        for pk in ids:
            out.add((pk, complaint.pk, "accept", Complaint.Status.IN_TRIAGE, Complaint.Status.UNDER_INVESTIGATION))
    assert out.count == 3
    rows = list(StatusChange.objects.filter(pk__in=ids).order_by("id"))
    assert [row.pk for row in rows] == ids
    assert all(row.data == {} and row.reason == "" and row.created_at is not None for row in rows)
    after = StatusChange.objects.create(complaint=complaint, action="accept", from_status="a", to_status="b")
    assert after.pk > ids[-1]


def test_a_bigger_demo_is_a_longer_history_not_a_busier_year():
    from complaints.demo import COMPLAINTS_PER_DAY, history_days

    assert history_days(500) == history_days(100_000) == 3 * 365
    assert history_days(1_000_000) == pytest.approx(1_000_000 / COMPLAINTS_PER_DAY)
    assert 29 * 365 < history_days(1_000_000) < 31 * 365


def test_no_complaint_filed_more_than_two_years_ago_is_still_open():
    from complaints.demo import _status_for
    from complaints.models import Complaint
    from oversight.demo import DemoContext

    S = Complaint.Status
    still_open = {S.RECEIVED, S.IN_TRIAGE, S.UNDER_INVESTIGATION, S.IN_MEDIATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW}
    ctx = DemoContext(seed=7, complaints=0, as_of=date(2026, 12, 2))
    assert not {_status_for(ctx, age) for age in range(730, 11_000, 3)} & still_open
    assert S.UNDER_INVESTIGATION in {_status_for(ctx, age) for age in range(365, 730)}


def test_open_cases_are_shared_so_no_investigator_carries_more_than_a_caseload(db):
    from investigations.demo import CASELOAD, _staff_investigators
    from oversight.demo import DemoContext

    ctx = DemoContext(seed=7, complaints=0, as_of=date(2026, 12, 2))
    assert _staff_investigators(ctx, open_cases=2 * CASELOAD, logins=2) == []
    staff = _staff_investigators(ctx, open_cases=10 * CASELOAD + 1, logins=2)
    assert len(staff) == 9
    assert all(not user.has_usable_password() for user in staff)
    assert all(user.groups.filter(name="investigator").exists() for user in staff)
    assert _staff_investigators(ctx, open_cases=10 * CASELOAD + 1, logins=2) == staff  # found again, not doubled


def test_the_seeders_run_in_the_order_of_the_apps_whatever_was_imported_first():
    # A test module that imports one app's demo before the others are discovered (as the comments'
    # and meetings' tests do) registers its seeders first; the order they run in stays the apps'.
    import importlib

    from django.utils.module_loading import autodiscover_modules

    from oversight.demo import seeders

    importlib.import_module("public_portal.comments.demo")
    importlib.import_module("public_portal.meetings.demo")
    autodiscover_modules("demo")
    names = [name for name, _seeder in seeders()]
    assert names[:2] == ["roster", "users"]
    for before, after in [
        ("complaints", "investigations"),
        ("board", "publication"),
        ("policy recommendations", "public comments"),
        ("publication", "meetings"),
        ("board", "meetings"),
    ]:
        assert names.index(before) < names.index(after), (before, after)
