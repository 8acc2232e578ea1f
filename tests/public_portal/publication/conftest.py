"""Fixtures of the publication tests: the disclosure rules as the migration seeds them (a test that
flushes the database empties the table), a second publication officer for the two-person rule, and a
decided case with people and officers the summary names."""

import pytest

from complaints.models import AllegationCategory
from oversight.permissions import Role
from public_portal.publication.models import DisclosureRule
from public_portal.publication.policy import seed_california
from tests.factories import OfficerFactory, PartyFactory, UserFactory

from .cases import Alleged, D, decided_case


@pytest.fixture(autouse=True)
def _disclosure_rules(db, settings):
    settings.PUBLICATION_DISCLOSURE_POLICY = "rules"
    settings.PUBLICATION_TWO_PERSON = True
    seed_california(DisclosureRule, AllegationCategory)


@pytest.fixture
def second_publisher(db):
    return UserFactory(username="dana_publisher", roles=[Role.PUBLISHER])


NAMED_SUMMARY = (
    "Rosa Delgado told us that Officer Hector Quintero stopped her outside 4410 N Broad St and "
    "searched her bag. Ms. DELGADO gave her number, (215) 555-0142, and Det. Whitfield wrote the "
    "report. Quintero said she agreed to the search. See case CPC-2026-00042."
)


@pytest.fixture
def named_case(db):
    """A decided case: Officer Hector Quintero (a sustained unlawful search: named under the California
    rules) and Det. Jonas Whitfield (a sustained discourtesy: kept private), a complainant Rosa Delgado."""
    quintero = OfficerFactory(first_name="Hector", last_name="Quintero", badge_number="4471")
    whitfield = OfficerFactory(first_name="Jonas", last_name="Whitfield", badge_number="5120")
    case = decided_case(
        allegations=[
            Alleged("w", "disc-words", D.SUSTAINED, "counseling", "accepted", "counseling"),
            Alleged("q", "aoa-search", D.SUSTAINED, "suspension", "modified", "reprimand"),
        ],
        officers={"q": quintero, "w": whitfield},
        summary=NAMED_SUMMARY,
    )
    PartyFactory(complaint=case, first_name="Rosa", last_name="Delgado", email="rosa.delgado@example.com")
    return case
