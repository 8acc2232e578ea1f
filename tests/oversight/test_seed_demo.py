import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from complaints.models import Allegation, Complaint, Party, SubjectOfficer, TrackingSequence
from oversight.audit import verify_chain
from oversight.demo import DEMO_USERS
from oversight.models import Officer

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


def test_demo_users_can_sign_in_with_their_roles(client):
    call_command("seed_demo", complaints=5, seed=1, as_of="2026-11-01", quiet_logins=True)
    from oversight.demo import DEMO_PASSWORD

    assert client.login(username="supervisor", password=DEMO_PASSWORD)
    assert client.get("/staff/complaints/").status_code == 200


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
