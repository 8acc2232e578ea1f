"""The issue's "done when": a supervisor takes a freshly filed complaint from intake to the board
through the staff pages, the unassigned investigator cannot find it, and the resident's status
page shows each stage with dates."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.models import CustodyEvent, Interview, Subpoena
from investigations.subpoena_workflow import move_for
from tests.factories import PNG_BYTES
from tests.public_portal.intake_flow import file_complaint

pytestmark = pytest.mark.django_db
S = Complaint.Status


def _ok(response, *, expect_redirect=True):
    assert response.status_code in ((302,) if expect_redirect else (200,)), (
        response.status_code,
        re.findall(r"usa-error-message[^>]*>([^<]+)<|<li>([^<]{0,200})</li>", response.content.decode())[:12],
    )
    return response


def test_a_supervisor_takes_a_filed_complaint_to_the_board(client, supervisor, other_investigator):
    resident = Client()
    complaint = file_complaint(resident)
    code = re.search(r'class="status-code">([A-Z0-9-]+)<', resident.get("/file/done/").content.decode()).group(1)
    number = complaint.tracking_number
    case = lambda name, *args: reverse(f"cases:{name}", args=[number, *args])  # noqa: E731

    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    client.force_login(supervisor)
    # Triage: start, accept.
    _ok(client.post(case("move"), {"expected_status": S.RECEIVED, "to_status": S.IN_TRIAGE}))
    _ok(client.post(case("accept"), {"expected_status": S.IN_TRIAGE, "priority": "high", "discovery_date": ""}))
    # Assign the supervisor's colleague? No: the demo's second investigator stays unassigned.
    from oversight.permissions import Role
    from tests.factories import UserFactory

    alice = UserFactory(username="alice_on_case", roles=[Role.INVESTIGATOR])
    _ok(client.post(case("assign"), {"investigator": alice.pk, "lead": "on"}))
    # A note.
    _ok(client.post(case("notes"), {"kind": "note", "body": "Spoke with the complainant; photos received."}))
    # Evidence with a download recorded in custody.
    _ok(
        client.post(
            case("evidence"),
            {
                "kind": "photo",
                "source": "Complainant",
                "description": "Photo of the bruise on the left arm",
                "received_date": yesterday,
                "received_time": "10:00",
                "file": SimpleUploadedFile("arm.png", PNG_BYTES),
            },
        )
    )
    item = complaint.evidence.order_by("-number").first()
    download = client.get(case("evidence_download", item.number))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert CustodyEvent.objects.filter(evidence=item, action="accessed", actor=supervisor).count() == 1
    # An interview.
    party = complaint.parties.get()
    _ok(
        client.post(
            case("interviews"),
            {
                "role": "complainant",
                "person": f"party:{party.pk}",
                "person_name": "",
                "conducted_date": yesterday,
                "conducted_time": "09:00",
                "location": "Commission office",
                "interviewer": alice.pk,
                "summary": "Described the stop and the search.",
            },
        )
    )
    assert Interview.objects.filter(complaint=complaint).count() == 1
    # A subpoena, through to complied.
    _ok(
        client.post(
            case("subpoenas"),
            {
                "recipient_kind": "agency",
                "recipient_name": "Metro Police Department, Records Unit",
                "recipient_address": "1 Police Plaza",
                "demand": "documents",
                "description": "Body-worn camera footage of the stop.",
                "due_date": (timezone.localdate() + timezone.timedelta(days=20)).isoformat(),
            },
        )
    )
    subpoena = Subpoena.objects.get(complaint=complaint)
    for status, extra in [
        ("authorized", {"note": "Executive director approved."}),
        ("issued", {}),
        ("served", {"service_method": "personal", "served_at": timezone.localdate().isoformat()}),
        ("complied", {"return_items": [item.pk]}),
    ]:
        action = move_for(subpoena.status, status).action  # each move's form fields are prefixed by it
        data = {f"{action}-{key}": value for key, value in extra.items()}
        _ok(client.post(case("subpoena_move", subpoena.number, status), data))
        subpoena.refresh_from_db()
        assert subpoena.status == status
    # Findings on every allegation, a public summary, submit; then approve for the board.
    for allegation in complaint.allegations.all():
        prefix = f"a{allegation.pk}"
        _ok(
            client.post(
                case("finding_propose", allegation.pk),
                {f"{prefix}-disposition": "sustained", f"{prefix}-rationale": "Video confirms the account."},
            )
        )
    _ok(client.post(case("findings_summary"), {"text": "An officer used force during a stop; video confirms it."}))
    _ok(client.post(case("findings_submit"), {"expected_status": S.UNDER_INVESTIGATION}))
    approve = {"expected_status": S.FINDINGS_PROPOSED, "to_status": S.BOARD_REVIEW}
    assert "What will happen" in _ok(client.post(case("move"), approve), expect_redirect=False).content.decode()
    _ok(client.post(case("move"), {**approve, "confirmed": "yes"}))
    complaint.refresh_from_db()
    assert complaint.status == S.BOARD_REVIEW

    # The unassigned investigator cannot find it, in the list or directly.
    client.force_login(other_investigator)
    assert number not in client.get(reverse("complaints:list")).content.decode()
    assert client.get(case("overview")).status_code == 404

    # The resident sees each stage with its date.
    body = Client().post("/status/", {"tracking_number": number, "code": code}).content.decode()
    assert "<strong>With the board</strong>" in body
    for stage in ("Received", "Under review", "Under investigation", "With the board"):
        assert re.search(rf"<th scope=\"row\">{stage}</th><td>[^<]+</td>", body), stage
