"""Every step is audited, under its own code, and no event holds the summary's text or anyone's name."""

import json

import pytest

from oversight.lifecycle import MoveRefused
from oversight.models import AuditEvent
from public_portal.publication.models import Publication
from public_portal.publication.services import (
    publication_correct,
    publication_draft,
    publication_edit,
    publication_move,
    publication_redact_more,
)
from public_portal.publication.workflow import PUBLICATION_LIFECYCLE

from .conftest import NAMED_SUMMARY

pytestmark = pytest.mark.django_db
P = Publication.Status

NEVER_IN_AUDIT = [
    "Rosa",
    "Delgado",
    "rosa.delgado@example.com",
    "555-0142",
    "Broad St",
    "Whitfield",
    "Quintero",  # named publicly, yet no name belongs in the audit trail either
    "searched her bag",
    "Taken down while the family is consulted",
    "An edited summary",
]


def _events():
    return list(AuditEvent.objects.filter(action__startswith="publication.").order_by("id"))


def test_every_step_is_audited_under_its_own_code_without_text(named_case, publisher, second_publisher):
    draft = publication_draft(complaint=named_case, actor=publisher)
    publication_edit(publication=draft, actor=publisher, summary=draft.summary + " An edited summary.")
    publication_redact_more(publication=draft, actor=publisher, phrase="edited summary", category="other")
    with pytest.raises(MoveRefused):
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=publisher)  # two-person: refused
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=draft, actor=second_publisher, to_status=P.DRAFT)
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED)
    correction = publication_correct(publication=draft, actor=publisher)
    publication_move(publication=correction, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=correction, actor=publisher, to_status=P.PUBLISHED)
    publication_move(
        publication=correction,
        actor=publisher,
        to_status=P.RETRACTED,
        reason="Taken down while the family is consulted about Rosa Delgado.",
    )
    other = publication_draft(complaint=named_case, actor=publisher)
    publication_move(publication=other, actor=publisher, to_status=P.DISCARDED)

    events = _events()
    assert [(e.action, e.outcome) for e in events] == [
        ("publication.drafted", "success"),
        ("publication.edited", "success"),
        ("publication.redacted", "success"),
        ("publication.approved", "denied"),
        ("publication.approved", "success"),
        ("publication.sent_back", "success"),
        ("publication.approved", "success"),
        ("publication.published", "success"),
        ("publication.corrected", "success"),
        ("publication.approved", "success"),
        ("publication.superseded", "success"),
        ("publication.published", "success"),
        ("publication.retracted", "success"),
        ("publication.drafted", "success"),
        ("publication.discarded", "success"),
    ]
    dumped = json.dumps([[e.target_label, e.data] for e in events])
    for text in NEVER_IN_AUDIT:
        assert text not in dumped, text
    assert NAMED_SUMMARY[:30] not in dumped
    retracted = events[12]
    assert retracted.data["reason_length"] == len("Taken down while the family is consulted about Rosa Delgado.")
    assert events[0].data["redactions"] == {"name": 2, "address": 1, "phone": 1, "officer_name": 1, "case_number": 1}
    assert events[0].target_label == f"{named_case.tracking_number} {draft.public_id} v1"
