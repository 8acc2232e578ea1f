"""The board issue's "done when": the supervisor refers a case, one member recuses, the others vote,
the chair records a modified decision, the packet downloads, the supervisor closes the case, and
the resident's status page shows the outcome."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint
from investigations.board.models import BoardDecision, BoardMembership, Recusal
from investigations.services import findings as finding_services
from investigations.services import triage
from oversight.permissions import Role
from tests.factories import UserFactory
from tests.public_portal.intake_flow import file_complaint

pytestmark = pytest.mark.django_db
S = Complaint.Status


def test_the_board_decides_a_case_and_the_resident_sees_the_outcome(client, supervisor):
    resident = Client()
    complaint = file_complaint(resident)
    code = re.search(r'class="status-code">([A-Z0-9-]+)<', resident.get("/file/done/").content.decode()).group(1)
    number = complaint.tracking_number
    chair, second, third, conflicted = (
        UserFactory(username=name, roles=[Role.BOARD_MEMBER]) for name in ("chair", "member2", "member3", "member4")
    )
    for member in (chair, second, third, conflicted):
        BoardMembership.objects.create(member=member, is_chair=member is chair, term_start=date(2025, 1, 1))
    # The investigation, done through the services (its pages are covered elsewhere).
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    allegations = list(complaint.allegations.order_by("id"))
    for allegation in allegations:
        finding_services.finding_propose(
            allegation=allegation, actor=supervisor, disposition="not_sustained", rationale="Conflicting accounts."
        )
    finding_services.investigation_public_summary_set(
        investigation=complaint.investigation, actor=supervisor, text="A stop and a search; accounts differ."
    )
    finding_services.findings_submit(complaint=complaint, actor=supervisor)

    # The supervisor refers it to the board.
    client.force_login(supervisor)
    approve = {"expected_status": S.FINDINGS_PROPOSED, "to_status": S.BOARD_REVIEW}
    confirm = client.post(reverse("cases:move", args=[number]), approve)
    assert confirm.status_code == 200 and "What will happen" in confirm.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == S.FINDINGS_PROPOSED  # nothing moves before confirming
    response = client.post(reverse("cases:move", args=[number]), {**approve, "confirmed": "yes"})
    assert response.status_code == 302

    # One member recuses and loses the case at once.
    client.force_login(conflicted)
    assert client.get(reverse("board:case", args=[number])).status_code == 200
    client.post(reverse("board:recuse", args=[number]), {"reason": "My cousin is one of the officers."})
    assert Recusal.objects.filter(member=conflicted, complaint=complaint).exists()
    assert client.get(reverse("board:case", args=[number])).status_code == 404
    assert number not in client.get(reverse("board:queue")).content.decode()

    # The others vote.
    for member in (chair, second, third):
        client.force_login(member)
        assert number in client.get(reverse("board:queue")).content.decode()
        response = client.post(reverse("board:vote", args=[number]), {"choice": "concur", "comment": "Agree."})
        assert response.status_code == 302, response.content.decode()[:2000]

    # The chair records a modified decision: the first allegation sustained, with a reason.
    client.force_login(chair)
    data = {"kind": "modify", "instructions": ""}
    for index, allegation in enumerate(allegations):
        final = "sustained" if index == 0 else "not_sustained"
        data[f"final_{allegation.pk}"] = final
        data[f"rationale_{allegation.pk}"] = "The video shows the push." if index == 0 else ""
        data[f"discipline_{allegation.pk}"] = "suspension" if index == 0 else ""
    response = client.post(reverse("board:decision", args=[number]), data)
    assert response.status_code == 302, re.findall(r"usa-error-message[^>]*>([^<]+)<", response.content.decode())
    decision = BoardDecision.objects.get(complaint=complaint)
    assert decision.kind == "modify"

    # The packet downloads.
    packet = client.get(reverse("board:packet", args=[number]))
    assert packet.status_code == 200 and packet["Content-Type"] == "application/pdf"

    # The supervisor closes the case.
    client.force_login(supervisor)
    close = {"expected_status": S.DECIDED, "to_status": S.CLOSED}
    assert "What will happen" in client.post(reverse("cases:move", args=[number]), close).content.decode()
    response = client.post(reverse("cases:move", args=[number]), {**close, "confirmed": "yes"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == S.CLOSED

    # The resident sees the outcome.
    body = Client().post("/status/", {"tracking_number": number, "code": code}).content.decode()
    assert "<strong>Closed</strong>" in body
    assert "The outcome" in body and "Sustained" in body and "Not sustained" in body
    for stage in ("With the board", "Decided", "Closed"):
        assert re.search(rf"<th scope=\"row\">{stage}</th><td>[^<]+</td>", body), stage
