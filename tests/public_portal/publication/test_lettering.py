"""Officers the policy keeps private are "Officer A", "Officer B"... in the order of their first
allegation, and the summary uses the same letters whatever order the text names them in."""

import pytest

from public_portal.publication.services import publication_draft
from tests.factories import OfficerFactory

from .cases import Alleged, D, decided_case

pytestmark = pytest.mark.django_db


def _officers(*names):
    pairs = zip("abc"[: len(names)], names, strict=True)
    return {key: OfficerFactory(first_name=first, last_name=last) for key, (first, last) in pairs}


def test_letters_follow_the_first_allegation_not_the_order_of_the_text(publisher):
    officers = _officers(("Hector", "Quintero"), ("Marisol", "Thibodeaux"), ("Jonas", "Whitfield"))
    case = decided_case(
        allegations=[
            Alleged("b", "disc-words", D.SUSTAINED),
            Alleged("a", "disc-words", D.NOT_SUSTAINED),
            Alleged("b", "nod-service", D.UNFOUNDED),
            Alleged("c", "disc-gesture", D.EXONERATED),
        ],
        officers=officers,
        summary=(
            "Det. Whitfield arrived last. Officer Hector Quintero spoke first, then Sgt. Thibodeaux "
            "shouted. Quintero left; Whitfield and Thibodeaux stayed."
        ),
    )
    publication = publication_draft(complaint=case, actor=publisher)
    labels = list(publication.allegations.order_by("position").values_list("officer_label", flat=True))
    # Thibodeaux's allegation comes first: A; Quintero: B; Whitfield: C.
    assert labels == ["Officer A", "Officer B", "Officer A", "Officer C"]
    assert publication.summary == (
        "Officer C arrived last. Officer B spoke first, then Officer A shouted. Officer B left; Officer C and "
        "Officer A stayed."
    )


def test_a_named_officer_keeps_their_name_and_the_others_are_lettered_from_a(publisher):
    officers = _officers(("Hector", "Quintero"), ("Marisol", "Thibodeaux"))
    case = decided_case(
        allegations=[Alleged("a", "untr-report", D.SUSTAINED, "reprimand"), Alleged("b", "disc-words", D.SUSTAINED)],
        officers=officers,
        summary="Officer Quintero wrote the report; Officer Thibodeaux signed it.",
    )
    publication = publication_draft(complaint=case, actor=publisher)
    labels = list(publication.allegations.order_by("position").values_list("officer_label", flat=True))
    assert labels == ["Hector Quintero", "Officer A"]
    assert publication.summary == "Officer Quintero wrote the report; Officer A signed it."


def test_an_officer_the_allegations_do_not_name_gets_the_next_letter(publisher):
    officers = _officers(("Hector", "Quintero"))
    case = decided_case(
        allegations=[Alleged("a", "disc-words", D.SUSTAINED)],
        officers=officers,
        summary="Officer Thibodeaux watched while Officer Quintero spoke.",
    )
    # A second subject officer with no allegation: the records hold the name, the rows do not.
    from tests.factories import SubjectOfficerFactory

    SubjectOfficerFactory(complaint=case, officer=OfficerFactory(first_name="Marisol", last_name="Thibodeaux"))
    publication = publication_draft(complaint=case, actor=publisher)
    assert publication.allegations.get().officer_label == "Officer A"
    assert publication.summary == "Officer B watched while Officer A spoke."


def test_an_officer_known_only_by_the_name_given_is_lettered_too(publisher):
    case = decided_case(
        allegations=[Alleged("a", "disc-words", D.SUSTAINED)],
        officers={"a": None},
        summary="The complainant said Officer Brannigan swore at him.",
    )
    case.subject_officers.update(name_as_given="Officer Brannigan")
    publication = publication_draft(complaint=case, actor=publisher)
    assert publication.allegations.get().officer_label == "Officer A"
    assert publication.summary == "The complainant said Officer A swore at him."
