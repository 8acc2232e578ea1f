"""Fixtures of the staff notification tests: a board of three beside the shared personas, a case
ready for the supervisor to refer to it, and a way to set someone's preferred language."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import BoardMembership
from investigations.models import Disposition, Finding, Investigation
from oversight.permissions import Role
from oversight.staff_accounts.models import StaffPreference
from tests.factories import AllegationFactory, PartyFactory, UserFactory

# What the complainant and a witness wrote and who they are: none of it may reach a board email.
COMPLAINANT_FIRST = "Zenaida"
COMPLAINANT_LAST = "Quillfeather"
COMPLAINANT_EMAIL = "zenaida.quillfeather@example.org"
COMPLAINANT_PHONE = "555-314-1592"
WITNESS_NAME = "Bartholomew Inkwright"
WITNESS_PHONE = "555-271-8281"
NARRATIVE = "The officer shoved me beside the marmalade kiosk on Persimmon Lane."
OFFICER_LAST = "Thistlewood"
OFFICER_BADGE = "8675309"


def set_language(user, language: str) -> None:
    StaffPreference.objects.update_or_create(user=user, defaults={"language": language})


def seat(username: str, first_name: str, *, chair: bool = False):
    user = UserFactory(username=username, first_name=first_name, last_name="Member", roles=[Role.BOARD_MEMBER])
    BoardMembership.objects.create(member=user, is_chair=chair, term_start=timezone.localdate() - timedelta(days=400))
    return user


@pytest.fixture
def spanish_member(db):
    user = seat("lucia_board", "Lucía", chair=True)
    set_language(user, "es")
    return user


@pytest.fixture
def english_member(db):
    user = seat("owen_board", "Owen")
    set_language(user, "en")
    return user


@pytest.fixture
def unset_member(db):
    """A member who never chose a language."""
    return seat("hana_board", "Hana")


@pytest.fixture
def ready_case(db):
    """A case whose findings are proposed, with one allegation of physical force, a named complainant
    and a witness, and a clock that started on 14 March 2026 (due 14 March 2027)."""
    from tests.factories import ComplaintFactory

    complaint = ComplaintFactory(narrative=NARRATIVE, location_text="Persimmon Lane and 3rd")
    PartyFactory(
        complaint=complaint,
        first_name=COMPLAINANT_FIRST,
        last_name=COMPLAINANT_LAST,
        email=COMPLAINANT_EMAIL,
        phone=COMPLAINANT_PHONE,
    )
    first, last = WITNESS_NAME.split()
    PartyFactory(complaint=complaint, role="witness", first_name=first, last_name=last, phone=WITNESS_PHONE)
    allegation = AllegationFactory(
        complaint=complaint,
        subject_officer__complaint=complaint,
        subject_officer__officer__last_name=OFFICER_LAST,
        subject_officer__officer__badge_number=OFFICER_BADGE,
    )
    Finding.objects.create(
        allegation=allegation, proposed_disposition=Disposition.SUSTAINED, rationale="The video shows the shove."
    )
    Investigation.objects.create(
        complaint=complaint, discovery_date=date(2026, 3, 14), public_summary="A shove during a stop."
    )
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.FINDINGS_PROPOSED)
    complaint.refresh_from_db()
    return complaint
