"""The redactor: what it removes, what it leaves, what it logs. Expected texts are written by hand."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from investigations.models import Interview, Subpoena
from public_portal.publication.redaction import (
    Category,
    RedactionEntry,
    Term,
    known_terms_for_case,
    redact,
    segments,
)
from tests.factories import ComplaintFactory, OfficerFactory, PartyFactory, SubjectOfficerFactory, UserFactory

N, OFF = Category.NAME, Category.OFFICER_NAME

ANA = [
    Term(N, "Ana", "party:1", "first"),
    Term(N, "Quintero", "party:1", "last"),
    Term(N, "Ana Quintero", "party:1", "full"),
]
MAY = [Term(N, "May", "party:2", "first"), Term(N, "Hall", "party:2", "last"), Term(N, "May Hall", "party:2", "full")]
SMITH = [Term(OFF, "John", "officer:7", "first"), Term(OFF, "Smith", "officer:7", "last")]
BRENNAN = [Term(OFF, "Carla", "officer:8", "first"), Term(OFF, "Brennan", "officer:8", "last")]
TERMS = ANA + MAY + SMITH + BRENNAN


def removed(text, **kwargs):
    return redact(text, **{"terms": TERMS, **kwargs}).text


def assert_gone(output, *canaries):
    for canary in canaries:
        assert canary.casefold() not in output.casefold(), canary


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ANA QUINTERO called.",
        "ana quintero called.",
        "Ana M. Quintero called.",
        "Ana María Quintero called.",
        "A. Quintero called.",
        "A Quintero called.",
        "A.M. Quintero called.",
        "We spoke to Quintero's sister.",
        "We spoke to Quintero’s sister.",
        "We spoke to Ana\nQuintero at home.",
        "We spoke to Ana  -  Quintero at home.",
        "Quintero, Ana, signed.",
        "AnaQuintero signed.",
        "Write to ana.quintero@example.com today.",
        "Write to aquintero77@mail.example today.",
    ],
)
def test_it_removes_a_party_name_however_written(text):
    output = removed(text)
    assert_gone(output, "quintero", "ana")
    assert "[" in output


def test_it_replaces_a_full_name_with_one_placeholder():
    assert removed("Ana M. Quintero called.") == "[name removed] called."
    assert removed("We spoke to Ana\nQuintero at home.") == "We spoke to [name removed] at home."
    assert removed("We spoke to Quintero’s sister.") == "We spoke to [name removed]’s sister."


def test_an_email_goes_whole():
    assert removed("Write to ana.quintero@example.com today.") == "Write to [email removed] today."


def test_it_removes_accented_and_plain_spellings_alike():
    terms = [Term(N, "José", "party:3", "first"), Term(N, "Núñez", "party:3", "last")]
    output = redact("Jose Nunez and JOSÉ NÚÑEZ and Núñez left.", terms=terms).text
    assert output == "[name removed] and [name removed] and [name removed] left."


def test_it_removes_a_name_hyphenated_across_a_line_break():
    assert removed("Ms. Quin-\ntero arrived.") == "Ms. [name removed] arrived."


# --- the short-or-common-name rule -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The meeting was at city hall.",
        "Officers said they may leave.",
        "May I come in? she asked.",
        "The city hall may close early.",
        "THEY MAY LEAVE NOW.",
    ],
)
def test_ordinary_words_that_match_a_short_or_common_name_stay(text):
    assert removed(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May Hall filed it.", "[name removed] filed it."),
        ("may hall filed it.", "[name removed] filed it."),
        ("MAY HALL filed it.", "[name removed] filed it."),
        ("M. Hall filed it.", "[name removed] filed it."),
        ("Hall, May filed it.", "[name removed] filed it."),
        ("The complainant, Hall, filed it.", "The complainant, [name removed], filed it."),
        ("Then Ms. Hall filed it.", "Then Ms. [name removed] filed it."),
        ("Ms. HALL filed it.", "Ms. [name removed] filed it."),
    ],
)
def test_a_short_or_common_name_goes_beside_its_other_part_or_capitalised_mid_sentence(text, expected):
    assert removed(text) == expected


# --- pattern rules for values no record holds ------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["(215) 555-0142", "215-555-0142", "215.555.0142", "2155550142", "+1 215 555 0142", "555-0142"]
)
def test_phone_numbers_in_common_formats_go(phone):
    assert redact(f"Call {phone} after six.", terms=()).text == "Call [phone number removed] after six."


@pytest.mark.parametrize(
    "address",
    [
        "1234 N Broad St",
        "12 Market Street Apt 4B",
        "880 West Lehigh Avenue",
        "45 Oak Ln",
        "7 Cherry Blvd.",
        "301 S 52nd St, Philadelphia, PA 19139",
        "99 Elm Ct",
        "5 Harbor Way",
        "410 Pine St Suite 200",
        "PO Box 1187",
    ],
)
def test_street_addresses_go(address):
    assert redact(f"She lives at {address} with family.", terms=()).text == (
        "She lives at [address removed] with family."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Car with plate ABC-1234 stopped.", "Car with plate [license plate removed] stopped."),
        ("A PA tag JXK 4821 was seen.", "A PA tag [license plate removed] was seen."),
        ("License plate number: 7XYZ123, blue.", "License plate number: [license plate removed], blue."),
        ("Registration KLM4410 expired.", "Registration [license plate removed] expired."),
    ],
)
def test_plates_near_a_plate_word_go(text, expected):
    assert redact(text, terms=()).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB: 04/12/1988.", "DOB: [date of birth removed]."),
        ("She was born on May 5, 1990 in Camden.", "She was born on [date of birth removed] in Camden."),
        ("Date of birth 1979-11-02, per the form.", "Date of birth [date of birth removed], per the form."),
        ("Fecha de nacimiento: 3 de marzo de 1985.", "Fecha de nacimiento: [date of birth removed]."),
        ("Nacida el 12/01/1975 en Ponce.", "Nacida el [date of birth removed] en Ponce."),
    ],
)
def test_dates_of_birth_go(text, expected):
    assert redact(text, terms=()).text == expected


def test_ssn_and_drivers_license_numbers_go():
    text = "SSN 123-45-6789; social security number 987654321. Driver's license number 12 345 678, DL D1234567."
    assert redact(text, terms=()).text == (
        "SSN [Social Security number removed]; social security number [Social Security number removed]. "
        "Driver's license number [driver's license number removed], DL [driver's license number removed]."
    )


@pytest.mark.parametrize(
    "text",
    [
        "The incident happened on March 3, 2024 at 10 pm.",
        "On 03/03/2024 the officer arrived.",
        "Officer wore badge 4471 and drove car 12.",
        "It was 5 blocks from the station.",
        "Three officers came down the street.",
        "The driver's license was suspended.",
        "She kept the tag on her coat.",
        "About 20 people saw it from Market Street.",
    ],
)
def test_control_phrases_stay(text):
    assert redact(text, terms=TERMS).text == text


# --- officers --------------------------------------------------------------------------------


def test_hidden_officers_become_lettered_and_stay_consistent():
    text = "Officer John Smith pushed her. Sgt. Carla Brennan watched. Smith left; later BRENNAN wrote a report."
    assert removed(text) == "Officer A pushed her. Officer B watched. Officer A left; later Officer B wrote a report."


def test_a_public_officer_stays_and_the_others_are_still_lettered():
    text = "Officer Smith was present. Sgt. Carla Brennan watched. Brennan left."
    assert removed(text, officer_names_public={"John Smith"}) == (
        "Officer Smith was present. Officer A watched. Officer A left."
    )
    assert removed(text, officer_names_public={"officer:7"}) == (
        "Officer Smith was present. Officer A watched. Officer A left."
    )


def test_an_officer_the_records_do_not_hold_can_be_hidden_by_name():
    text = "Det. Ray Ostrowski and Officer John Smith arrived."
    assert removed(text, officer_names_hidden=["Ray Ostrowski"]) == "Officer A and Officer B arrived."


# --- the log ---------------------------------------------------------------------------------


def test_the_log_holds_category_and_positions_and_no_removed_text():
    source = "Call Ana Quintero at 215-555-0142."
    result = redact(source, terms=TERMS)
    assert result.text == "Call [name removed] at [phone number removed]."
    assert result.log == (
        RedactionEntry(Category.NAME, start=5, length=12, output_start=5, output_length=14),
        RedactionEntry(Category.PHONE, start=21, length=12, output_start=23, output_length=22),
    )
    assert_gone(repr(result.log), "Ana", "Quintero", "215", "0142")
    assert result.counts() == {"name": 1, "phone": 1}


def test_segments_mark_the_removed_source_spans():
    source = "Call Ana Quintero at 215-555-0142."
    result = redact(source, terms=TERMS)
    assert list(segments(source, result.log)) == [
        ("Call ", None),
        ("Ana Quintero", Category.NAME),
        (" at ", None),
        ("215-555-0142", Category.PHONE),
        (".", None),
    ]


CANARY_TEXT = """ANA QUINTERO and ana quintero came in. Ana M. Quintero, also A. Quintero and A Quintero.
Quintero's car and Quintero’s dog. We met Ana
Quintero later; she wrote from ana.quintero@example.com. May Hall went to city hall; they may leave.
Phones: (215) 555-0142, 215-555-0142, 215.555.0142, 2155550142, +1 215 555 0142, 555-0142.
Lives at 1234 N Broad St; works at 12 Market Street Apt 4B. PA tag JXK 4821; plate ABC-1234.
DOB: 04/12/1988. SSN 123-45-6789. Driver's license number 12 345 678.
Officer Smith was present. Sgt. Carla Brennan watched. It happened on March 3, 2024. Officer wore badge 4471."""
CANARIES = [
    "Quintero",
    "May Hall",
    "ana.quintero@example.com",
    "555-0142",
    "555.0142",
    "5550142",
    "555 0142",
    "Broad St",
    "Market Street",
    "4821",
    "ABC-1234",
    "04/12/1988",
    "123-45-6789",
    "12 345 678",
    "Brennan",
    "Carla",
]
CONTROLS = ["city hall", "they may leave", "on March 3, 2024", "Officer Smith was present", "badge 4471"]


def test_no_canary_survives_and_every_control_does():
    result = redact(CANARY_TEXT, terms=TERMS, officer_names_public={"John Smith"})
    assert_gone(result.text, *CANARIES)
    assert_gone(repr(result.log), *CANARIES)
    for control in CONTROLS:
        assert control in result.text, control
    removed_source = "".join(text for text, category in segments(CANARY_TEXT, result.log) if category)
    for canary in CANARIES:
        assert canary.split()[0].casefold() in removed_source.casefold(), canary


def test_a_long_narrative_compiles_the_case_patterns_once():
    """How fast a long narrative redacts is measured in bench/, not here; what makes it fast is that
    the patterns built from a case's terms are compiled once and reused."""
    from public_portal.publication import redaction

    narrative = ((CANARY_TEXT + "\n\n") * 30)[:20_000]
    redaction._compile.cache_clear()
    first = redact(narrative, terms=TERMS)
    for _ in range(3):
        again = redact(narrative, terms=TERMS)
    info = redaction._compile.cache_info()
    assert (info.misses, info.hits) == (1, 3)
    assert again == first
    assert "quintero" not in again.text.casefold()


# --- collecting the terms from a case --------------------------------------------------------


@pytest.fixture
def case(db):
    complaint = ComplaintFactory(narrative="Narrative.")
    PartyFactory(
        complaint=complaint,
        first_name="Ana",
        last_name="Quintero",
        email="ana.quintero@example.com",
        phone="(215) 555-0142",
        address="1234 N Broad St\nPhiladelphia, PA 19107",
    )
    PartyFactory(complaint=complaint, first_name="May", last_name="Hall", email="", phone="", address="")
    roster = SubjectOfficerFactory(complaint=complaint, officer=OfficerFactory(first_name="John", last_name="Smith"))
    described = SubjectOfficerFactory(
        complaint=complaint, officer=None, name_as_given="Sgt. Carla Brennan", vehicle="Marked SUV, plate JXK-4821"
    )
    interviewer = UserFactory()
    conducted = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    Interview.objects.create(
        complaint=complaint,
        person_name="Luis Ortega",
        role=Interview.Role.WITNESS,
        conducted_at=conducted,
        location="Office",
        interviewer=interviewer,
        summary="Saw it.",
    )
    Interview.objects.create(
        complaint=complaint,
        person_name="Officer John Smith",
        role=Interview.Role.SUBJECT_OFFICER,
        subject_officer=roster,
        conducted_at=conducted,
        location="Office",
        interviewer=interviewer,
        summary="Denied it.",
    )
    for number, (kind, name, address) in enumerate(
        [
            (Subpoena.RecipientKind.PERSON, "Dr. Helen Marsh", "77 Spruce Lane"),
            (Subpoena.RecipientKind.AGENCY, "Police Records Unit", "1 Police Plaza"),
        ],
        start=1,
    ):
        Subpoena.objects.create(
            complaint=complaint,
            number=number,
            recipient_kind=kind,
            recipient_name=name,
            recipient_address=address,
            demand=Subpoena.Demand.DOCUMENTS,
            description="Records.",
            due_date=date(2026, 5, 1),
        )
    return complaint, described


def test_known_terms_come_from_parties_officers_interviews_and_person_subpoenas(case, django_assert_max_num_queries):
    complaint, described = case
    with django_assert_max_num_queries(4):
        terms = known_terms_for_case(complaint)
    found = {(t.category, t.value) for t in terms}
    expected = {
        (N, "Ana"),
        (N, "Quintero"),
        (N, "Ana Quintero"),
        (N, "May"),
        (N, "Hall"),
        (N, "May Hall"),
        (N, "Luis"),
        (N, "Ortega"),
        (N, "Luis Ortega"),
        (N, "Helen"),
        (N, "Marsh"),
        (N, "Helen Marsh"),
        (OFF, "John"),
        (OFF, "Smith"),
        (OFF, "John Smith"),
        (OFF, "Carla"),
        (OFF, "Brennan"),
        (OFF, "Carla Brennan"),
        (Category.EMAIL, "ana.quintero@example.com"),
        (Category.PHONE, "(215) 555-0142"),
        (Category.ADDRESS, "1234 N Broad St"),
        (Category.ADDRESS, "PA 19107"),
        (Category.ADDRESS, "77 Spruce Lane"),
        (Category.PLATE, "JXK-4821"),
    }
    assert found == expected
    # The officer's interview is filed under the same person as the roster officer.
    smith = {t.person for t in terms if t.value in {"John", "Smith", "John Smith"}}
    assert len(smith) == 1
    assert {t.person for t in terms if t.value == "Carla Brennan"} == {f"subject:{described.pk}"}


def test_known_terms_take_a_case_summary_apart(case):
    complaint, _described = case
    terms = known_terms_for_case(complaint)
    text = (
        "Luis Ortega saw Officer Smith and Sgt. Brennan stop the SUV (JXK4821) near 1234 North Broad Street. "
        "Dr. Marsh of 77 Spruce Ln was subpoenaed; Police Records Unit too. Reach Ana at 215 555 0142."
    )
    assert redact(text, terms=terms).text == (
        "[name removed] saw Officer A and Officer B stop the SUV ([license plate removed]) near [address removed]. "
        "Dr. [name removed] of [address removed] was subpoenaed; Police Records Unit too. "
        "Reach [name removed] at [phone number removed]."
    )


def test_a_case_with_no_people_gives_no_terms(db, django_assert_max_num_queries):
    complaint = ComplaintFactory()
    with django_assert_max_num_queries(4):
        assert known_terms_for_case(complaint) == ()


# --- property: a known name never survives ---------------------------------------------------

FILLER = st.lists(
    st.sampled_from(["the", "officer", "said", "that", "car", "stopped", "near", "corner", "and", "left", "we", "saw"]),
    max_size=8,
).map(" ".join)
SEPARATORS = st.sampled_from([" ", "  ", "\n", " \n ", ". ", ", ", "-", "_", "\t", ""])


def random_case(draw, word):
    return "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in word)


@st.composite
def name_variant(draw):
    first, last = draw(st.sampled_from([("Ana", "Quintero"), ("May", "Hall")]))
    sep = draw(SEPARATORS)
    form = draw(st.sampled_from(["full", "initial", "initial_dot", "middle", "reversed", "possessive"]))
    f, s = random_case(draw, first), random_case(draw, last)
    variant = {
        "full": f + sep + s,
        "initial": first[0] + " " + s,
        "initial_dot": first[0] + "." + draw(st.sampled_from(["", " ", "  ", "\n"])) + s,
        "middle": f + " " + draw(st.sampled_from("ABCDEFGHJKLMNOPRSTUVWXYZ")) + ". " + s,
        "reversed": s.capitalize() + ", " + f,
        "possessive": f + " " + s + draw(st.sampled_from(["'s", "’s"])),
    }[form]
    return last, variant


@given(before=FILLER, after=FILLER, name=name_variant())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_known_name_never_survives_in_any_variant(before, after, name):
    surname, variant = name
    text = f"{before} {variant} {after}".strip()
    output = redact(text, terms=TERMS).text
    assert surname.casefold() not in output.casefold()
    assert "[name removed]" in output
