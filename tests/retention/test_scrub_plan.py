"""What destruction changes, model by model, written out by hand: a new text field on a case model
makes this fail until someone decides whether it is personal data."""

import pytest

from complaints.models import Complaint
from investigations.retention.destruction import MARKER, case_models, scrubbed_fields

M = MARKER

EXPECTED = {
    "complaints.complaint": {"narrative": M, "location_text": "", "employee_unit": "", "retaliation_detail": ""},
    "complaints.party": {
        "first_name": "",
        "last_name": "",
        "description": "",
        "email": "",
        "phone": "",
        "address": "",
        "race_ethnicity": "",
        "gender": "",
        "age_range": "",
    },
    "complaints.subjectofficer": {
        "name_as_given": "",
        "badge_as_given": "",
        "appearance": "",
        "vehicle": "",
        "unit_as_given": "",
    },
    "complaints.allegation": {"description": ""},
    "complaints.attachment": {"file": "", "original_name": M},
    "complaints.publictimelineentry": {},
    "complaints.complaintuserobjectpermission": {},
    "complaints.complaintgroupobjectpermission": {},
    "investigations.investigation": {"report": M, "public_summary": M},
    "investigations.investigatorassignment": {},
    "investigations.statuschange": {"reason": ""},
    "investigations.casenote": {"body": M},
    "investigations.tollingperiod": {"note": ""},
    "investigations.deadlinereminder": {},
    "investigations.generateddocument": {},  # deleted with its file
    "investigations.evidenceitem": {"source": M, "description": M, "file": "", "original_name": ""},
    "investigations.custodyevent": {"counterparty": "", "note": ""},
    "investigations.finding": {"rationale": M, "final_rationale": ""},
    "investigations.interview": {"person_name": M, "location": M, "summary": M},
    # The recipient's name and address only where the recipient is a person.
    "investigations.subpoena": {"recipient_name": M, "recipient_address": "", "description": M},
    "investigations.subpoenaevent": {"note": ""},
    "board.recusal": {"reason": M},
    "board.vote": {"comment": ""},
    "board.voteproposal": {"rationale": M},
    "board.boarddecision": {"instructions": ""},
    "board.decisionfinding": {"rationale": ""},
    "board.departmentresponse": {},
    "board.subpoenavote": {"motion": ""},
    "board.subpoenaauthorization": {},
    "retention.legalhold": {"reason": M, "release_reason": ""},
    "retention.retentionrecord": {},  # the tombstone
    "public_portal.intakedraft": {"data": {}, "status_code": ""},
    "public_portal.draftfile": {},  # deleted with its file
    # The text only where the version is not the published one (KEPT_WHERE).
    "publication.publication": {
        "summary": "",
        "discipline_outcome": "",
        "department_response": "",
        "redaction_log": [],
        "manual_redactions": [],
        "edited_by_ids": [],
        "end_reason": "",
        "approval_reason": "",
    },
    "publication.publishedallegation": {},
    "search.caseentry": {},
    "search.dispositionentry": {},
    "importing.importedcase": {"fingerprint": M},
    "importing.sourcerecord": {},
    "case_messages.message": {"body": M},
    "case_messages.messageattachment": {"file": "", "original_name": M},
    "early_intervention.flagcase": {},
    "meetings.meetingdecision": {},  # which meeting took a decision: no text
}


def test_every_case_model_is_found_from_the_app_registry():
    assert {cm.label for cm in case_models()} == set(EXPECTED) - {"complaints.complaint"}


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_what_destruction_changes_on_each_case_model(label):
    model = (
        Complaint if label == "complaints.complaint" else next(cm.model for cm in case_models() if cm.label == label)
    )
    assert scrubbed_fields(model) == EXPECTED[label]


def test_every_case_model_with_history_has_its_history_table_scrubbed_too():
    with_history = {cm.label for cm in case_models() if cm.history is not None}
    assert with_history == {
        "complaints.party",
        "complaints.subjectofficer",
        "complaints.allegation",
        "complaints.attachment",
        "investigations.investigation",
        "investigations.investigatorassignment",
        "investigations.casenote",
        "investigations.tollingperiod",
        "investigations.evidenceitem",
        "investigations.finding",
        "investigations.interview",
        "investigations.subpoena",
        "board.departmentresponse",
        "retention.legalhold",
        "retention.retentionrecord",
        "publication.publication",
    }
