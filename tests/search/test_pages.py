"""The search pages against the database backend: the staff case search (who finds what, filters,
facets, snippets, bad input, the audit) and the public search of published decisions (English and
Spanish, never anything unpublished). Documents are indexed by calling the backend directly: the
on-commit receivers do not fire inside a test's transaction."""

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import AllegationCategory, Complaint
from oversight.models import AuditEvent
from search.backends import SearchUnavailable, backend
from search.backends.base import MAX_PAGE, Hit, Results

from ..factories import (
    AllegationFactory,
    ComplaintFactory,
    DistrictFactory,
    PublicationFactory,
    PublishedAllegationFactory,
    SubjectOfficerFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = "/staff/search/"
PUBLIC = "/decisions/search/"
PHRASE = '"against the wall"'


@pytest.fixture(autouse=True)
def _database(database_backend):
    database_backend.clear()
    return database_backend


def _index_cases(*complaints):
    backend().index("cases", [c.pk for c in complaints])


def _index_dispositions(*publications):
    backend().index("dispositions", [p.pk for p in publications])


def _tracking_numbers(response) -> list[str]:
    return re.findall(r'<h3 class="margin-y-0"><a href="/staff/cases/([^/"]+)/">', response.content.decode())


def _public_ids(response) -> list[str]:
    return re.findall(r'<h3 class="margin-y-0"><a href="/decisions/([^/"]+)/">', response.content.decode())


@pytest.fixture
def north():
    return DistrictFactory(name="Northgate")


@pytest.fixture
def south():
    return DistrictFactory(name="Southbank")


@pytest.fixture
def two_cases(complaint, north, south):
    """The persona ``complaint`` (narrative "Officer pushed me against the wall outside the
    laundromat.") in Northgate, and a second case with the same words in Southbank."""
    Complaint.objects.filter(pk=complaint.pk).update(district=north)
    other = ComplaintFactory(narrative="He held me against the wall of the bus shelter.", district=south)
    complaint.refresh_from_db()
    _index_cases(complaint, other)
    return complaint, other


# --- Staff: who finds what ----------------------------------------------------------------------------


def test_supervisor_finds_a_case_by_a_narrative_phrase_and_a_district(client, supervisor, two_cases, north):
    complaint, other = two_cases
    client.force_login(supervisor)

    both = client.get(SEARCH, {"q": PHRASE})
    assert both.status_code == 200
    assert sorted(_tracking_numbers(both)) == sorted([complaint.tracking_number, other.tracking_number])
    assert "2 cases" in both.content.decode()

    response = client.get(SEARCH, {"q": PHRASE, "district": north.pk})

    assert response.status_code == 200
    assert _tracking_numbers(response) == [complaint.tracking_number]
    text = unescape(response.content.decode())
    assert "1 case" in text and "1 cases" not in text
    assert "Northgate" in text and "Received" in text
    assert "<mark>against</mark> <mark>the</mark> <mark>wall</mark>" in response.content.decode()
    # The district filter is shown with a link that removes it, keeping the words.
    removal = re.search(r'District: Northgate <a href="([^"]+)">remove', text)
    assert removal and "district=" not in removal.group(1) and "q=" in removal.group(1)


def test_an_unassigned_investigator_finds_nothing_and_no_facet_counts_the_case(
    client, other_investigator, two_cases, north
):
    client.force_login(other_investigator)

    response = client.get(SEARCH, {"q": PHRASE})

    assert response.status_code == 200
    assert _tracking_numbers(response) == []
    text = unescape(response.content.decode())
    assert "0 cases" in text and "No case you can see matches this search." in text
    assert "Narrow the results" not in text  # no facet, so no count of anything they may not see
    assert "laundromat" not in text and "bus shelter" not in text
    assert all(case.tracking_number not in text for case in two_cases)

    # Even with the case's district chosen, a facet never gives away a count.
    filtered = unescape(client.get(SEARCH, {"q": PHRASE, "district": north.pk}).content.decode())
    assert "Narrow the results" not in filtered and "(1)" not in filtered


def test_the_assigned_investigator_finds_their_case_only(client, assigned_investigator, two_cases):
    complaint, _other = two_cases
    client.force_login(assigned_investigator)

    assert _tracking_numbers(client.get(SEARCH, {"q": PHRASE})) == [complaint.tracking_number]


def test_a_user_who_may_see_no_case_still_gets_the_page(client, sysadmin, two_cases):
    client.force_login(sysadmin)

    response = client.get(SEARCH, {"q": "wall"})

    assert response.status_code == 200
    assert _tracking_numbers(response) == []


def test_the_search_page_needs_a_signed_in_user(client):
    response = client.get(SEARCH, {"q": "wall"})

    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_the_staff_nav_links_to_search(client, other_investigator):
    client.force_login(other_investigator)

    assert f'href="{reverse("staff:search:cases")}"' in client.get("/staff/").content.decode()


# --- Staff: what the page shows -----------------------------------------------------------------------


def test_before_a_search_the_page_explains_what_and_how_to_search(client, supervisor):
    client.force_login(supervisor)

    response = client.get(SEARCH)

    assert response.status_code == 200
    text = unescape(response.content.decode())
    assert "What you can search" in text
    assert '"traffic stop"' in text and "-vehicle" in text
    assert not AuditEvent.objects.filter(action="search.staff_searched").exists()


def test_snippets_are_escaped(client, supervisor):
    case = ComplaintFactory(narrative="He wrote <script>alert('x')</script> on the laundromat window.")
    _index_cases(case)
    client.force_login(supervisor)

    response = client.get(SEARCH, {"q": "laundromat window"})

    body = response.content.decode()
    assert _tracking_numbers(response) == [case.tracking_number]
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(" in body
    assert "<mark>laundromat</mark> <mark>window</mark>" in body


def test_facets_resolve_labels_and_each_link_adds_its_filter(client, supervisor, north):
    officer_case = ComplaintFactory(narrative="The sergeant shouted at the crowd.", district=north)
    allegation = AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=officer_case))
    officer = allegation.subject_officer.officer
    _index_cases(officer_case)
    client.force_login(supervisor)

    response = client.get(SEARCH, {"q": "shouted"})

    text = unescape(response.content.decode())
    category = AllegationCategory.objects.get(code="force-physical")
    assert "Force › Physical force" in text and category.name in text
    assert "Received" in text and "Northgate" in text
    assert f"{officer.first_name} {officer.last_name} (#{officer.badge_number})" in text
    facet_links = re.findall(r'<a href="(\?[^"]+)">([^<]+)</a> \(1\)', text)
    by_label = {label: href for href, label in facet_links}
    assert by_label["Northgate"] == f"?q=shouted&district={north.pk}"
    assert by_label[str(officer_case.received_at.year)] == f"?q=shouted&year={officer_case.received_at.year}"
    assert f"officer={officer.pk}" in by_label[f"{officer.first_name} {officer.last_name} (#{officer.badge_number})"]
    assert "status=received" in by_label["Received"]
    # The officer facet links to the officer's page too.
    assert reverse("staff:search:officer", args=[officer.pk]) in text

    # Following the officer facet keeps the words, names the officer and marks the bucket selected.
    chosen = unescape(client.get(SEARCH, {"q": "shouted", "officer": officer.pk}).content.decode())
    assert f"Only cases naming {officer.first_name} {officer.last_name} (#{officer.badge_number})." in chosen
    assert "1, selected" in chosen


def _queries_for_a_page_of(client, count: int) -> int:
    # A word of letters marks each batch: a number could also be in a district's name ("District 12"),
    # which factories number by a counter shared by every test in the process.
    batch = "".join("abcdefghij"[int(digit)] for digit in str(count)) + "tow"
    cases = []
    for n in range(count):
        case = ComplaintFactory(narrative=f"The tow truck took car {n} ({batch}).", district=DistrictFactory())
        AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=case))
        cases.append(case)
    _index_cases(*cases)
    words = {"q": f"tow truck {batch}"}
    client.get(SEARCH, words)  # sessions, permissions and the like warmed up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH, words)
    assert len(_tracking_numbers(response)) == count
    return len(queries)


def test_labels_are_read_in_a_fixed_number_of_queries(client, supervisor):
    DistrictFactory.reset_sequence(11)  # the first batch's districts are then "District 11" and "District 12"
    client.force_login(supervisor)

    # Districts, officers and kinds of allegation of every hit and facet: one query each, however many.
    assert _queries_for_a_page_of(client, 2) == _queries_for_a_page_of(client, 12)


def test_a_search_is_audited_without_its_words(client, supervisor, two_cases, north):
    client.force_login(supervisor)

    client.get(SEARCH, {"q": "Delgado laundromat", "district": north.pk})

    event = AuditEvent.objects.get(action="search.staff_searched")
    assert event.actor == supervisor
    assert event.data == {"filters": {"district": str(north.pk)}, "query_length": len("Delgado laundromat")}
    assert "Delgado" not in str(event.data) and "laundromat" not in str(event.data)


def test_a_snippet_of_the_narrative_is_an_audited_read(client, supervisor, two_cases):
    complaint, _other = two_cases
    client.force_login(supervisor)

    client.get(SEARCH, {"q": "laundromat"})

    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert event.data["what"] == ["narrative"]
    assert event.target_label == complaint.tracking_number


def test_a_snippet_of_a_persons_details_is_audited_as_their_details(client, supervisor, complaint):
    _index_cases(complaint)
    client.force_login(supervisor)

    response = client.get(SEARCH, {"q": "Delgado"})  # the complainant, Rosa Delgado

    assert _tracking_numbers(response) == [complaint.tracking_number]
    assert "<mark>Delgado</mark>" in response.content.decode()
    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert "parties" in event.data["what"]


def test_without_view_personal_data_peoples_details_are_not_searched(client, board_member, complaint):
    from oversight import permissions

    permissions.grant(board_member, "complaints.view_complaint", complaint)
    _index_cases(complaint)
    client.force_login(board_member)

    assert _tracking_numbers(client.get(SEARCH, {"q": "Delgado"})) == []
    assert _tracking_numbers(client.get(SEARCH, {"q": "laundromat"})) == [complaint.tracking_number]


def test_a_search_of_only_excluded_words_says_to_add_a_word(client, supervisor, two_cases):
    client.force_login(supervisor)

    text = client.get(SEARCH, {"q": "-wall"}).content.decode()

    assert "Add at least one word to look for" in text


def test_no_results_suggest_removing_filters(client, supervisor, two_cases, south):
    client.force_login(supervisor)

    text = unescape(client.get(SEARCH, {"q": "laundromat", "district": south.pk}).content.decode())

    assert "No case you can see matches this search." in text
    assert "Try removing a filter" in text
    assert 'href="?q=laundromat">Search again without filters' in text


def test_pages_go_previous_and_next(client, supervisor):
    cases = [ComplaintFactory(narrative="Parking ticket dispute.") for _n in range(23)]
    _index_cases(*cases)
    client.force_login(supervisor)

    first = client.get(SEARCH, {"q": "parking"})
    second = client.get(SEARCH, {"q": "parking", "page": "2"})

    assert len(_tracking_numbers(first)) == 20 and len(_tracking_numbers(second)) == 3
    assert 'rel="next" href="?q=parking&amp;page=2"' in first.content.decode()
    assert 'rel="prev" href="?q=parking&amp;page=1"' in second.content.decode()
    assert '<span aria-current="page">Page 2 of 2</span>' in second.content.decode()
    assert not set(_tracking_numbers(first)) & set(_tracking_numbers(second))


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "wall", "page": "abc"}, 200, "That page number could not be read, so the first page is shown."),
        ({"q": "wall", "page": "-3"}, 200, "That page number could not be read"),
        ({"q": "wall", "page": str(MAX_PAGE + 40)}, 200, f"Only the first {MAX_PAGE} pages of results can be shown"),
        ({"q": "wall", "year": "zzz"}, 400, "Enter a whole number."),
        ({"q": "wall", "year": "99999"}, 400, "Ensure this value is less than or equal to 2100."),
        ({"q": "wall", "district": "abc"}, 400, "Select a valid choice."),
        ({"q": "wall", "status": "nonsense"}, 400, "Select a valid choice."),
        ({"q": "wall", "officer": "x"}, 400, "Enter a whole number."),
        ({"q": "wall " * 300}, 400, "Ensure this value has at most 200 characters"),
        ({"q": "wall\x01"}, 400, "invisible control characters"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_server_error(client, supervisor, two_cases, params, status, message):
    client.force_login(supervisor)

    response = client.get(SEARCH, params)

    assert response.status_code == status
    assert message in unescape(response.content.decode())
    assert "Search cases" in response.content.decode()


def test_a_bad_filter_is_left_out_and_the_rest_still_searched(client, supervisor, two_cases):
    complaint, other = two_cases
    client.force_login(supervisor)

    response = client.get(SEARCH, {"q": PHRASE, "year": "zzz"})

    assert response.status_code == 400
    assert sorted(_tracking_numbers(response)) == sorted([complaint.tracking_number, other.tracking_number])


def test_a_search_with_more_results_than_can_be_paged_says_so(client, supervisor, complaint, monkeypatch):
    def many(self, *, scope, query):
        hit = Hit(id=complaint.pk, key=complaint.tracking_number, source={"status": "received"})
        return Results(hits=[hit], total=5000, facets={}, page=query.page)

    monkeypatch.setattr(type(backend()), "staff_search", many)
    client.force_login(supervisor)

    text = unescape(client.get(SEARCH, {"q": "wall", "page": str(MAX_PAGE)}).content.decode())

    assert "5,000 cases" in text
    assert "Only the first 1,000 results can be paged through" in text
    assert f'<span aria-current="page">Page {MAX_PAGE} of {MAX_PAGE}</span>' in text
    assert 'rel="next"' not in text


def test_an_unavailable_backend_gives_a_calm_503_page(client, supervisor, monkeypatch, two_cases):
    def down(self, **kwargs):
        raise SearchUnavailable("down")

    monkeypatch.setattr(type(backend()), "staff_search", down)
    client.force_login(supervisor)

    response = client.get(SEARCH, {"q": "wall"})

    assert response.status_code == 503
    text = response.content.decode()
    assert "Search is not available right now" in text
    assert "Staff workspace" in text  # the staff layout, not an error page
    assert not AuditEvent.objects.filter(action="search.staff_searched").exists()


# --- Public search ------------------------------------------------------------------------------------


def _publish(summary: str, *, code: str = "force-physical", disposition: str = "sustained", **fields):
    publication = PublicationFactory(summary=summary, **fields)
    PublishedAllegationFactory(
        publication=publication, position=0, category=AllegationCategory.objects.get(code=code), disposition=disposition
    )
    return publication


@pytest.fixture
def decisions():
    force = _publish("The officer pushed a man to the ground during an arrest.")
    words = _publish(
        "The officer swore at a driver during a traffic stop.", code="disc-words", disposition="not_sustained"
    )
    _index_dispositions(force, words)
    return force, words


def test_public_search_finds_a_decision_by_its_kind_of_allegation_in_english(client, decisions):
    force, _words = decisions

    response = client.get(PUBLIC, {"q": "force"})

    assert response.status_code == 200
    assert _public_ids(response) == [force.public_id]
    text = unescape(response.content.decode())
    assert "1 decision found" in text
    assert "Sustained" in text and "Force" in text
    assert f'href="/decisions/{force.public_id}/"' in text


def test_public_search_finds_a_decision_in_spanish(client, decisions):
    force, _words = decisions
    client.cookies["django_language"] = "es"

    response = client.get(PUBLIC, {"q": "fuerza"}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert _public_ids(response) == [force.public_id]
    text = unescape(response.content.decode())
    assert '<html lang="es">' in text
    assert "Uso de la fuerza" in text  # the kind of allegation in Spanish, from the taxonomy


def test_public_search_filters_by_the_lists_filters_and_facets_add_them(client, decisions):
    force, words = decisions

    by_kind = client.get(PUBLIC, {"q": "officer", "category": "discourtesy"})
    assert _public_ids(by_kind) == [words.public_id]
    by_finding = client.get(PUBLIC, {"q": "officer", "disposition": "sustained"})
    assert _public_ids(by_finding) == [force.public_id]

    both = unescape(client.get(PUBLIC, {"q": "officer"}).content.decode())
    assert "2 decisions found" in both
    assert '<a href="?q=officer&category=force">Force</a> (1 decision)' in both
    assert '<a href="?q=officer&disposition=not_sustained">Not sustained</a> (1 decision)' in both


def test_public_search_never_shows_anything_of_an_unpublished_case(client, decisions):
    draft = _publish("Zephyrine counterfeit badge story.", status="draft")
    retracted = _publish("Zephyrine retracted story.", status="retracted")
    case = ComplaintFactory(narrative="Zephyrine was the complainant's street.")
    _index_dispositions(draft, retracted)
    _index_cases(case)

    response = client.get(PUBLIC, {"q": "zephyrine"})

    assert response.status_code == 200
    assert _public_ids(response) == []
    text = response.content.decode()
    assert "Zephyrine" not in text.replace('value="zephyrine"', "")
    assert "No published decision matches your search." in text
    assert draft.public_id not in text and retracted.public_id not in text


def test_public_search_starts_with_how_to_search(client):
    response = client.get(PUBLIC)

    assert response.status_code == 200
    text = unescape(response.content.decode())
    assert "How to search" in text and '"traffic stop"' in text


def test_public_search_bad_input_never_a_server_error(client, decisions):
    assert client.get(PUBLIC, {"q": "force", "page": "abc"}).status_code == 200
    bad_year = client.get(PUBLIC, {"q": "force", "year": "zzz"})
    assert bad_year.status_code == 400 and "Enter a whole number." in bad_year.content.decode()
    bad_kind = client.get(PUBLIC, {"q": "force", "category": "nope"})
    assert bad_kind.status_code == 400
    huge = client.get(PUBLIC, {"q": "force " * 100})
    assert huge.status_code == 400 and "at most 200 characters" in huge.content.decode()


def test_public_search_unavailable_gives_a_503_page(client, monkeypatch, decisions):
    def down(self, **kwargs):
        raise SearchUnavailable("down")

    monkeypatch.setattr(type(backend()), "public_search", down)

    response = client.get(PUBLIC, {"q": "force"})

    assert response.status_code == 503
    assert "Search is not available right now" in response.content.decode()


def test_the_decisions_list_links_to_the_search(client):
    text = client.get("/decisions/").content.decode()

    assert f'action="{reverse("public_portal:disposition_search")}"' in text


def test_public_search_dates_are_shown_as_decided(client):
    publication = _publish("A late-night stop.", decision_date=date(2026, 2, 10))
    _index_dispositions(publication)

    text = client.get(PUBLIC, {"q": "late"}).content.decode()

    assert "Feb. 10, 2026" in text
