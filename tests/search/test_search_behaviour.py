"""What search does for the people who use it, once per backend (database and Elasticsearch).

Expected visibility is written out by hand for each persona (an independent oracle), not read from
the selectors under test; the differential test then checks random users and queries against the
database's own rule.
"""

import datetime as dt
import random
from dataclasses import replace

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Allegation, AllegationCategory, Complaint, SubjectOfficer
from complaints.selectors import complaint_visible_queryset
from oversight import permissions
from oversight.permissions import Role
from search.backends.base import PublicQuery, StaffQuery, scope_for
from search.documents import PUBLIC_FIELDS, DispositionDocument
from search.models import PendingUpdate
from tests.factories import (
    AllegationFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    PublicationFactory,
    PublishedAllegationFactory,
    SubjectOfficerFactory,
    UserFactory,
)

VIEW = "complaints.view_complaint"
PHRASE = "tattoo of a snake on his left forearm"


def keys(results):
    return {hit.key for hit in results.hits}


@pytest.fixture
def world(db):
    """Two districts; the case of the tattooed officer in district A, a look-alike in district B,
    a closed case and one still in intake, all sharing the word "tattoo"."""
    north, south = DistrictFactory(name="North"), DistrictFactory(name="South")
    officer = OfficerFactory(first_name="Dale", last_name="Pruitt", badge_number="4471")
    tattoo = ComplaintFactory(
        tracking_number="TST-2026-90001",
        district=north,
        status=Complaint.Status.UNDER_INVESTIGATION,
        narrative=f"On Main Street the officer, who had a {PHRASE}, grabbed my phone. Rosa Delgado saw it.",
    )
    PartyFactory(complaint=tattoo, first_name="Rosa", last_name="Delgado", email="rosa.delgado@example.com")
    AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=tattoo, officer=officer))
    lookalike = ComplaintFactory(
        tracking_number="TST-2026-90002",
        district=south,
        status=Complaint.Status.UNDER_INVESTIGATION,
        narrative=f"An officer with a {PHRASE} shouted at the bus stop.",
    )
    closed = ComplaintFactory(
        tracking_number="TST-2026-90003",
        district=north,
        status=Complaint.Status.CLOSED,
        narrative="A tattoo was the only thing I remember about the officer.",
    )
    intake = ComplaintFactory(
        tracking_number="TST-2026-90004",
        district=south,
        status=Complaint.Status.RECEIVED,
        narrative="The officer with the tattoo refused to give his badge number.",
    )
    return {
        "north": north,
        "south": south,
        "officer": officer,
        "tattoo": tattoo,
        "lookalike": lookalike,
        "closed": closed,
        "intake": intake,
    }


def _index_all(backend):
    from search import indexing

    assert indexing.backend() is backend
    indexing.rebuild("cases")
    indexing.rebuild("dispositions")


def test_supervisor_finds_case_by_narrative_phrase_and_district(search_backend, world, supervisor):
    _index_all(search_backend)
    found = search_backend.staff_search(
        scope=scope_for(supervisor), query=StaffQuery(text=f'"{PHRASE}"', district_id=world["north"].pk)
    )
    assert keys(found) == {"TST-2026-90001"}
    assert found.total == 1
    assert any("<mark>tattoo</mark>" in str(s) for s in found.hits[0].snippets)
    assert dict(found.facets["district"]) == {str(world["north"].pk): 1}


def test_stemming_and_accents_match_in_english_and_spanish(search_backend, world, supervisor):
    world["lookalike"].narrative = "El oficial golpeó la cámara del teléfono; tenía tatuajes."
    world["lookalike"].save()
    _index_all(search_backend)
    scope = scope_for(supervisor)
    assert "TST-2026-90002" in keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="camara")))
    assert "TST-2026-90002" in keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="tatuaje")))
    assert {"TST-2026-90001", "TST-2026-90003", "TST-2026-90004"} <= keys(
        search_backend.staff_search(scope=scope, query=StaffQuery(text="tattoos"))
    )


def test_unassigned_investigator_finds_nothing_and_no_facet_counts_the_case(search_backend, world, other_investigator):
    _index_all(search_backend)
    found = search_backend.staff_search(
        scope=scope_for(other_investigator), query=StaffQuery(text=f'"{PHRASE}"', district_id=world["north"].pk)
    )
    assert found.total == 0 and found.hits == []
    assert all(count == 0 for buckets in found.facets.values() for _value, count in buckets)
    # Without the district filter either.
    assert search_backend.staff_search(scope=scope_for(other_investigator), query=StaffQuery(text="tattoo")).total == 0


def test_each_persona_finds_exactly_the_cases_written_out_here(search_backend, world, supervisor, board_member):
    investigator = UserFactory(roles=[Role.INVESTIGATOR])
    permissions.grant(investigator, VIEW, world["lookalike"])
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    permissions.grant(board_member, VIEW, world["closed"])
    _index_all(search_backend)
    expected = {
        supervisor: {"TST-2026-90001", "TST-2026-90002", "TST-2026-90003", "TST-2026-90004"},
        investigator: {"TST-2026-90002"},
        coordinator: {"TST-2026-90004"},  # in intake; nothing else was given to them
        board_member: {"TST-2026-90003"},
    }
    for user, wanted in expected.items():
        found = search_backend.staff_search(scope=scope_for(user), query=StaffQuery(text="tattoo"))
        assert keys(found) == wanted, user.username
        assert found.total == len(wanted)
        assert sum(count for _status, count in found.facets["status"]) == len(wanted)


def test_unassignment_removes_hits_at_once(search_backend, world, supervisor, django_capture_on_commit_callbacks):
    from investigations.models import Investigation
    from investigations.services.assignment import investigator_assign, investigator_unassign

    investigator = UserFactory(roles=[Role.INVESTIGATOR])
    _index_all(search_backend)
    investigation = Investigation.objects.create(complaint=world["tattoo"], discovery_date=dt.date(2026, 3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        assignment = investigator_assign(investigation=investigation, investigator=investigator, actor=supervisor)
    query = StaffQuery(text=f'"{PHRASE}"')
    assert keys(search_backend.staff_search(scope=scope_for(investigator), query=query)) == {"TST-2026-90001"}
    with django_capture_on_commit_callbacks(execute=True):
        investigator_unassign(assignment=assignment, actor=supervisor)
    assert search_backend.staff_search(scope=scope_for(investigator), query=query).total == 0
    assert not PendingUpdate.objects.exists()


def test_recusal_removes_hits_at_once(search_backend, world, supervisor, django_capture_on_commit_callbacks):
    from investigations.board.services.review import recusal_declare

    member = UserFactory(roles=[Role.BOARD_MEMBER])
    from tests.conftest import _seat

    _seat(member)
    with django_capture_on_commit_callbacks(execute=True):
        permissions.grant(member, VIEW, world["tattoo"])
    _index_all(search_backend)
    query = StaffQuery(text="tattoo")
    assert keys(search_backend.staff_search(scope=scope_for(member), query=query)) == {"TST-2026-90001"}
    with django_capture_on_commit_callbacks(execute=True):
        recusal_declare(complaint=world["tattoo"], member=member, actor=member, reason="I know the officer.")
    assert search_backend.staff_search(scope=scope_for(member), query=query).total == 0


def test_people_are_searchable_only_with_personal_data_permission(search_backend, world, supervisor, board_member):
    permissions.grant(board_member, VIEW, world["tattoo"])
    _index_all(search_backend)
    by_name = StaffQuery(text="delgado")
    assert keys(search_backend.staff_search(scope=scope_for(supervisor), query=by_name)) == {"TST-2026-90001"}
    assert search_backend.staff_search(scope=scope_for(board_member), query=by_name).total == 0
    by_email = StaffQuery(text='"rosa.delgado@example.com"')
    assert search_backend.staff_search(scope=scope_for(board_member), query=by_email).total == 0
    # The board member still finds the case by what it says, with the name masked in the snippet.
    found = search_backend.staff_search(scope=scope_for(board_member), query=StaffQuery(text="phone"))
    assert keys(found) == {"TST-2026-90001"}
    shown = " ".join(str(s) for s in found.hits[0].snippets) + repr(found.hits[0].source)
    assert "Delgado" not in shown and "rosa.delgado" not in shown


def test_inactive_user_finds_nothing(search_backend, world, supervisor):
    _index_all(search_backend)
    supervisor.is_active = False
    supervisor.save()
    assert search_backend.staff_search(scope=scope_for(supervisor), query=StaffQuery(text="tattoo")).total == 0


def test_filters_and_facets(search_backend, world, supervisor):
    _index_all(search_backend)
    scope = scope_for(supervisor)
    category = AllegationCategory.objects.get(code="force-physical")
    found = search_backend.staff_search(scope=scope, query=StaffQuery(text="tattoo"))
    assert dict(found.facets["status"]) == {"under_investigation": 2, "closed": 1, "received": 1}
    assert dict(found.facets["category"]) == {str(category.pk): 1}
    assert dict(found.facets["officer"]) == {str(world["officer"].pk): 1}
    assert dict(found.facets["year"]) == {"2026": 4}
    assert keys(search_backend.staff_search(scope=scope, query=StaffQuery(officer_id=world["officer"].pk))) == {
        "TST-2026-90001"
    }
    assert keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="tattoo", status="closed"))) == {
        "TST-2026-90003"
    }
    assert keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="tattoo -badge", year=2026))) == {
        "TST-2026-90001",
        "TST-2026-90002",
        "TST-2026-90003",
    }
    assert search_backend.staff_search(scope=scope, query=StaffQuery(text="tattoo", year=2019)).total == 0


def test_officer_names_and_badges_are_searchable(search_backend, world, supervisor):
    _index_all(search_backend)
    for words in ("Pruitt", "4471", "dale pruitt"):
        found = search_backend.staff_search(scope=scope_for(supervisor), query=StaffQuery(text=words))
        assert keys(found) == {"TST-2026-90001"}, words


def test_empty_query_returns_nothing(search_backend, world, supervisor):
    _index_all(search_backend)
    assert search_backend.staff_search(scope=scope_for(supervisor), query=StaffQuery()).total == 0
    assert search_backend.staff_search(scope=scope_for(supervisor), query=StaffQuery(text="-tattoo")).total == 0
    assert search_backend.public_search(query=PublicQuery()).total == 0


def test_changes_reach_the_index_after_commit(search_backend, world, supervisor, django_capture_on_commit_callbacks):
    _index_all(search_backend)
    scope = scope_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        world["closed"].narrative = "The sergeant kicked the scooter."
        world["closed"].save()
    assert keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="scooter"))) == {"TST-2026-90003"}
    with django_capture_on_commit_callbacks(execute=True):
        PartyFactory(complaint=world["closed"], first_name="Imani", last_name="Okoro")
    assert keys(search_backend.staff_search(scope=scope, query=StaffQuery(text="okoro"))) == {"TST-2026-90003"}
    assert not PendingUpdate.objects.exists()


def test_rolled_back_change_queues_nothing(search_backend, world, django_capture_on_commit_callbacks):
    from django.db import transaction

    _index_all(search_backend)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                world["closed"].narrative = "Never saved."
                world["closed"].save()
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not PendingUpdate.objects.exists()


# --- Public dispositions ------------------------------------------------------------------------------


@pytest.fixture
def published(db):
    category = AllegationCategory.objects.get(code="force-physical")
    publication = PublicationFactory(summary="The officer pushed the man to the ground during the arrest.")
    PublishedAllegationFactory(publication=publication, category=category, disposition="sustained")
    draft = PublicationFactory(status="draft", summary="The officer pushed a draft.")
    PublishedAllegationFactory(publication=draft, category=category)
    return publication


def test_public_search_finds_a_disposition_by_category_in_english_and_spanish(search_backend, published):
    _index_all(search_backend)
    category = AllegationCategory.objects.get(code="force-physical")
    spanish = category.translations.get("es")
    assert spanish, "the taxonomy has a Spanish name for this category"
    assert keys(search_backend.public_search(query=PublicQuery(text=category.name))) == {published.public_id}
    assert keys(search_backend.public_search(query=PublicQuery(text=spanish))) == {published.public_id}
    assert keys(search_backend.public_search(query=PublicQuery(text="fundada"))) == {published.public_id}
    by_class = search_backend.public_search(query=PublicQuery(category_class_id=category.parent_id))
    assert keys(by_class) == {published.public_id}
    assert dict(by_class.facets["disposition"]) == {"sustained": 1}


def test_public_search_never_shows_unpublished_or_retracted(
    search_backend, published, django_capture_on_commit_callbacks
):
    _index_all(search_backend)
    assert keys(search_backend.public_search(query=PublicQuery(text="pushed"))) == {published.public_id}
    with django_capture_on_commit_callbacks(execute=True):
        published.status = "retracted"
        published.ended_at = published.published_at + dt.timedelta(days=3)
        published.save()
    assert search_backend.public_search(query=PublicQuery(text="pushed")).total == 0


# Written out by hand: what a publication holds and may therefore be searched publicly.
PUBLIC_ALLOWED = {
    "public_id",
    "version",
    "decision_date",
    "decision_year",
    "incident_year",
    "received_year",
    "published_at",
    "district_id",
    "district",
    "board_decision",
    "summary",
    "discipline_outcome",
    "department_response",
    "category_ids",
    "category_class_ids",
    "categories",
    "categories_es",
    "dispositions",
    "findings",
    "findings_es",
    "officers",
}


def test_public_index_holds_no_field_outside_the_publication(search_backend, published):
    from search.sources import disposition_sources

    assert set(PUBLIC_FIELDS) == PUBLIC_ALLOWED
    assert set(DispositionDocument._doc_type.mapping.properties.to_dict()["properties"]) == PUBLIC_ALLOWED
    stored = disposition_sources([published.pk])[published.pk]
    assert set(stored) <= PUBLIC_ALLOWED
    # The case behind it (narrative, parties, tracking number) appears nowhere in the stored document.
    case = published.complaint
    flat = repr(stored)
    assert case.tracking_number not in flat
    assert case.narrative[:30] not in flat
    _index_all(search_backend)
    hit = search_backend.public_search(query=PublicQuery(text="pushed")).hits[0]
    assert set(hit.source) <= PUBLIC_ALLOWED
    if search_backend.name == "elasticsearch":
        from search.documents import index_name
        from search.transport import client

        mapping = client().indices.get_mapping(index=index_name("dispositions"))
        (only,) = mapping.values()
        assert set(only["mappings"]["properties"]) <= PUBLIC_ALLOWED


# --- Commands -------------------------------------------------------------------------------------------


def test_search_index_rebuild_and_status(search_backend, world, published, capsys):
    cases = Complaint.objects.count()  # the world's four, and the two cases behind the publications
    assert cases == 6
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "cases: 6 in the database, 0 in the index, 6 waiting since" in out and "behind" in out
    call_command("search_index", "rebuild", "--no-progress")
    out = capsys.readouterr().out
    assert "cases: 6 documents indexed" in out and "dispositions: 1 documents indexed" in out
    call_command("search_index", "status")
    out = capsys.readouterr().out
    assert "cases: 6 in the database, 6 in the index, 0 waiting" in out and "in step" in out
    assert search_backend.count("cases") == 6 and search_backend.count("dispositions") == 1


# --- The differential property test ---------------------------------------------------------------------

VOCABULARY = ["tattoo", "phone", "street", "car", "shouted", "pushed", "window", "dog", "camera", "park"]


@pytest.fixture
def crowd(db):
    """Forty cases of random words, statuses, districts, categories and officers, and users of
    every kind holding random grants."""
    rng = random.Random(13)
    districts = [DistrictFactory() for _ in range(3)]
    # Fixed names: a random surname can be a word of the vocabulary ("Park"), and the oracle below
    # compares narratives only.
    officers = [
        OfficerFactory(first_name=first, last_name=last)
        for first, last in [("Avery", "Quill"), ("Blair", "Rook"), ("Casey", "Sable"), ("Devon", "Tamsin")]
    ]
    categories = list(AllegationCategory.objects.filter(parent__isnull=False)[:4])
    statuses = [Complaint.Status.RECEIVED, Complaint.Status.UNDER_INVESTIGATION, Complaint.Status.CLOSED]
    cases = []
    for n in range(40):
        case = ComplaintFactory(
            district=rng.choice(districts),
            status=rng.choice(statuses),
            received_at=dt.datetime(rng.choice([2024, 2025, 2026]), 6, 1, 12, tzinfo=dt.UTC),
            narrative=" ".join(rng.choices(VOCABULARY, k=6)) + f" number {n}",
        )
        subject = SubjectOfficerFactory(complaint=case, officer=rng.choice(officers))
        Allegation.objects.create(complaint=case, subject_officer=subject, category=rng.choice(categories))
        cases.append(case)
    users = [
        UserFactory(roles=[Role.INVESTIGATOR]),
        UserFactory(roles=[Role.INVESTIGATOR]),
        UserFactory(roles=[Role.BOARD_MEMBER]),
        UserFactory(roles=[Role.INTAKE_COORDINATOR]),
        UserFactory(roles=[Role.SUPERVISOR]),
        UserFactory(roles=[]),
    ]
    group = UserFactory(roles=[Role.INVESTIGATOR]).groups.first()
    for user in users[:4]:
        for case in rng.sample(cases, 8):
            permissions.grant(user, VIEW, case)
    permissions.grant(group, VIEW, cases[0])
    return {"users": users, "districts": districts, "officers": officers, "categories": categories}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hits_are_what_the_database_lets_the_user_see_and_facets_are_its_counts(search_backend, crowd, data):
    if not getattr(search_backend, "_indexed", False):
        _index_all(search_backend)
        search_backend._indexed = True
    user = data.draw(st.sampled_from(crowd["users"]), label="user")
    words = data.draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=2), label="words")
    district = data.draw(st.sampled_from([None, *crowd["districts"]]), label="district")
    status = data.draw(st.sampled_from(["", "received", "closed"]), label="status")
    query = StaffQuery(text=" ".join(words), district_id=district.pk if district else None, status=status)
    found = search_backend.staff_search(scope=scope_for(user), query=query)
    hits = list(found.hits)
    for page in range(2, found.pages + 1):
        hits += search_backend.staff_search(scope=scope_for(user), query=replace(query, page=page)).hits
    ids = {hit.id for hit in hits}
    assert len(ids) == len(hits) == found.total
    visible = set(complaint_visible_queryset(user).values_list("pk", flat=True))
    assert ids <= visible
    # Exactly the visible cases that match, by the database's own filters and words.
    expected = complaint_visible_queryset(user)
    if district:
        expected = expected.filter(district=district)
    if status:
        expected = expected.filter(status=status)
    for word in words:
        expected = expected.filter(narrative__icontains=word)
    assert ids == set(expected.values_list("pk", flat=True))
    # Facet counts are the database's counts over those hits.
    rows = Complaint.objects.filter(pk__in=ids)
    counted = {
        "status": {s: rows.filter(status=s).count() for s in set(rows.values_list("status", flat=True))},
        "district": {
            str(d): rows.filter(district_id=d).count() for d in set(rows.values_list("district_id", flat=True))
        },
        "category": {
            str(c): Allegation.objects.filter(complaint__in=rows, category_id=c).values("complaint").distinct().count()
            for c in set(Allegation.objects.filter(complaint__in=rows).values_list("category_id", flat=True))
        },
        "officer": {
            str(o): SubjectOfficer.objects.filter(complaint__in=rows, officer_id=o)
            .values("complaint")
            .distinct()
            .count()
            for o in set(SubjectOfficer.objects.filter(complaint__in=rows).values_list("officer_id", flat=True))
        },
    }
    for facet, counts in counted.items():
        assert dict(found.facets.get(facet, [])) == counts, facet
