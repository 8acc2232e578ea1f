from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from complaints.models import Complaint
from investigations.models import Disposition, Finding, Investigation, StatusChange
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.transitions import TransitionRefused, complaint_transition
from oversight.models import AuditEvent

from ..factories import AllegationFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status


@pytest.fixture
def case(complaint):
    Complaint.objects.filter(pk=complaint.pk).update(status=S.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    Investigation.objects.update_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    return complaint


@pytest.fixture
def allegations(case):
    subject = case.subject_officers.get()
    return [AllegationFactory(subject_officer=subject), AllegationFactory(subject_officer=subject)]


def _propose(allegation, actor, disposition=Disposition.SUSTAINED):
    return finding_propose(
        allegation=allegation, actor=actor, disposition=disposition, rationale="Video shows the push."
    )


def _summarise(case, actor):
    investigation_public_summary_set(
        investigation=case.investigation, actor=actor, text="An officer used force during a stop."
    )


@pytest.fixture
def ready(case, allegations, assigned_investigator):
    for allegation in allegations:
        _propose(allegation, assigned_investigator)
    _summarise(case, assigned_investigator)
    return case


# --- Proposals ----------------------------------------------------------------------------------------


def test_proposing_creates_then_revises_one_finding(allegations, assigned_investigator):
    _propose(allegations[0], assigned_investigator)
    _propose(allegations[0], assigned_investigator, Disposition.NOT_SUSTAINED)
    finding = Finding.objects.get()
    assert finding.proposed_disposition == Disposition.NOT_SUSTAINED
    assert finding.proposed_by == assigned_investigator
    events = AuditEvent.objects.filter(action="finding.proposed").order_by("id")
    assert [e.data["revised"] for e in events] == [False, True]


def test_an_unassigned_investigator_cannot_propose(allegations, other_investigator):
    with pytest.raises(PermissionDenied):
        _propose(allegations[0], other_investigator)
    assert not Finding.objects.exists()


def test_a_proposal_needs_a_rationale_and_a_real_disposition(allegations, assigned_investigator):
    with pytest.raises(ValidationError) as refused:
        finding_propose(allegation=allegations[0], actor=assigned_investigator, disposition="guilty", rationale=" ")
    assert set(refused.value.message_dict) == {"disposition", "rationale"}
    assert not Finding.objects.exists()


def test_proposals_need_the_case_under_investigation(complaint, assigned_investigator):
    allegation = AllegationFactory(subject_officer=complaint.subject_officers.get())
    with pytest.raises(ValidationError):
        _propose(allegation, assigned_investigator)


# --- Submitting -----------------------------------------------------------------------------------------


def test_submit_is_refused_while_an_allegation_lacks_a_proposal(case, allegations, assigned_investigator):
    _propose(allegations[0], assigned_investigator)
    _summarise(case, assigned_investigator)
    with pytest.raises(ValidationError) as refused:
        findings_submit(complaint=case, actor=assigned_investigator)
    assert "1 of 2 allegations has no proposed finding" in refused.value.messages[0]
    case.refresh_from_db()
    assert case.status == S.UNDER_INVESTIGATION
    assert not StatusChange.objects.filter(complaint=case).exists()
    assert Investigation.objects.get(complaint=case).findings_submitted_at is None
    assert not AuditEvent.objects.filter(action="finding.submitted").exists()


def test_submit_is_refused_without_a_public_summary(case, allegations, assigned_investigator):
    for allegation in allegations:
        _propose(allegation, assigned_investigator)
    with pytest.raises(ValidationError) as refused:
        findings_submit(complaint=case, actor=assigned_investigator)
    assert refused.value.messages == ["Write the public summary."]
    assert Complaint.objects.get(pk=case.pk).status == S.UNDER_INVESTIGATION


def test_submit_is_refused_on_a_case_without_allegations(case, assigned_investigator):
    _summarise(case, assigned_investigator)
    with pytest.raises(ValidationError):
        findings_submit(complaint=case, actor=assigned_investigator)
    assert Complaint.objects.get(pk=case.pk).status == S.UNDER_INVESTIGATION


def test_submit_moves_the_case_to_findings_proposed(ready, assigned_investigator):
    change = findings_submit(complaint=ready, actor=assigned_investigator, expected_status=S.UNDER_INVESTIGATION)
    assert Complaint.objects.get(pk=ready.pk).status == S.FINDINGS_PROPOSED
    assert (change.action, change.from_status, change.to_status) == (
        "submit",
        S.UNDER_INVESTIGATION,
        S.FINDINGS_PROPOSED,
    )
    assert StatusChange.objects.filter(complaint=ready).count() == 1
    assert Investigation.objects.get(complaint=ready).findings_submitted_at is not None
    submitted = AuditEvent.objects.get(action="finding.submitted")
    assert submitted.data == {"allegations": 2, "dispositions": {"sustained": 2}}


def test_an_unassigned_investigator_cannot_submit(ready, other_investigator):
    with pytest.raises(PermissionDenied):
        findings_submit(complaint=ready, actor=other_investigator)
    assert Complaint.objects.get(pk=ready.pk).status == S.UNDER_INVESTIGATION


def test_submit_refuses_a_case_that_changed_meanwhile(ready, assigned_investigator):
    with pytest.raises(TransitionRefused) as refused:
        findings_submit(complaint=ready, actor=assigned_investigator, expected_status=S.IN_TRIAGE)
    assert refused.value.code == "conflict"
    assert Investigation.objects.get(complaint=ready).findings_submitted_at is None


def test_proposals_are_read_only_once_submitted_until_sent_back(ready, allegations, assigned_investigator, supervisor):
    findings_submit(complaint=ready, actor=assigned_investigator)
    with pytest.raises(ValidationError):
        _propose(allegations[0], assigned_investigator, Disposition.EXONERATED)
    with pytest.raises(ValidationError):
        _summarise(ready, assigned_investigator)
    assert Finding.objects.get(allegation=allegations[0]).proposed_disposition == Disposition.SUSTAINED

    complaint_transition(
        complaint=ready, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="Interview the second witness."
    )
    _propose(allegations[0], assigned_investigator, Disposition.EXONERATED)
    assert Finding.objects.get(allegation=allegations[0]).proposed_disposition == Disposition.EXONERATED


# --- Pages ------------------------------------------------------------------------------------------------


def test_unassigned_investigator_gets_404_on_every_findings_url(client, other_investigator, ready, allegations):
    tn = ready.tracking_number
    urls = [
        reverse("cases:findings", args=[tn]),
        reverse("cases:finding_propose", args=[tn, allegations[0].pk]),
        reverse("cases:findings_summary", args=[tn]),
        reverse("cases:findings_submit", args=[tn]),
    ]
    client.force_login(other_investigator)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert Complaint.objects.get(pk=ready.pk).status == S.UNDER_INVESTIGATION


def test_the_page_shows_each_allegation_and_what_is_missing(
    client, case, allegations, assigned_investigator, django_assert_max_num_queries
):
    _propose(allegations[0], assigned_investigator)
    client.force_login(assigned_investigator)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("cases:findings", args=[case.tracking_number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert str(allegations[0].subject_officer) in body and allegations[0].category.name in body
    assert body.count('name="a') >= 4  # a disposition and a rationale per allegation
    assert "1 allegation has no proposed finding." in body
    assert "Write the public summary." in body
    assert reverse("cases:findings_submit", args=[case.tracking_number]) in body


def test_proposing_and_submitting_through_the_page(client, case, allegations, assigned_investigator):
    client.force_login(assigned_investigator)
    tn = case.tracking_number
    bad = client.post(
        reverse("cases:finding_propose", args=[tn, allegations[0].pk]),
        {f"a{allegations[0].pk}-disposition": "sustained"},
    )
    assert bad.status_code == 400
    assert f'id="id_a{allegations[0].pk}-rationale_error"' in bad.content.decode()
    for allegation in allegations:
        response = client.post(
            reverse("cases:finding_propose", args=[tn, allegation.pk]),
            {f"a{allegation.pk}-disposition": "unfounded", f"a{allegation.pk}-rationale": "No corroboration."},
        )
        assert response.status_code == 302
    assert client.post(reverse("cases:findings_summary", args=[tn]), {"text": "Summary."}).status_code == 302
    response = client.post(reverse("cases:findings_submit", args=[tn]), {"expected_status": S.UNDER_INVESTIGATION})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=case.pk).status == S.FINDINGS_PROPOSED
    assert StatusChange.objects.filter(complaint=case, action="submit").exists()


def test_submitting_too_early_through_the_page_explains_why(client, case, allegations, assigned_investigator):
    client.force_login(assigned_investigator)
    response = client.post(
        reverse("cases:findings_submit", args=[case.tracking_number]),
        {"expected_status": S.UNDER_INVESTIGATION},
        follow=True,
    )
    assert "2 of 2 allegations have no proposed finding." in response.content.decode()
    assert Complaint.objects.get(pk=case.pk).status == S.UNDER_INVESTIGATION


def test_the_page_is_read_only_once_submitted(client, ready, allegations, assigned_investigator):
    findings_submit(complaint=ready, actor=assigned_investigator)
    client.force_login(assigned_investigator)
    body = client.get(reverse("cases:findings", args=[ready.tracking_number])).content.decode()
    assert "Video shows the push." in body
    assert reverse("cases:finding_propose", args=[ready.tracking_number, allegations[0].pk]) not in body
    assert reverse("cases:findings_submit", args=[ready.tracking_number]) not in body
    response = client.post(
        reverse("cases:finding_propose", args=[ready.tracking_number, allegations[0].pk]),
        {f"a{allegations[0].pk}-disposition": "exonerated", f"a{allegations[0].pk}-rationale": "Changed my mind."},
    )
    assert response.status_code == 400
    assert Finding.objects.get(allegation=allegations[0]).proposed_disposition == Disposition.SUSTAINED


def test_the_send_back_reason_is_shown_to_the_investigator(client, ready, assigned_investigator, supervisor):
    findings_submit(complaint=ready, actor=assigned_investigator)
    complaint_transition(
        complaint=ready, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="Interview the second witness."
    )
    client.force_login(assigned_investigator)
    body = client.get(reverse("cases:findings", args=[ready.tracking_number])).content.decode()
    assert "Interview the second witness." in body
