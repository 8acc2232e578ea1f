"""What only the Elasticsearch backend does: its transport, its aliases and rebuilds, its errors,
its mapping, and what it leaves out of an answer for a reader without people's details.

Inside the ``db`` fixture nothing commits, so nothing is indexed by itself: each test calls
``backend.index`` with the ids it wrote.
"""

import pytest
from django.test import override_settings

from search.backends import base
from search.backends import elasticsearch as es_backend
from search.backends.base import Scope, SearchUnavailable, StaffQuery
from search.backends.elasticsearch import ElasticsearchBackend
from search.documents import PERSONAL_FIELDS, index_name
from search.transport import PlainJsonNode, plain_headers, plain_media_type
from tests.factories import AllegationFactory, ComplaintFactory, PartyFactory

EVERYTHING = Scope(user_id=1, everything=True, personal_data=True)
NO_PEOPLE = Scope(user_id=1, everything=True, personal_data=False)


def search(backend, text, scope=EVERYTHING, **filters):
    return backend.staff_search(scope=scope, query=StaffQuery(text=text, **filters))


def found(backend, text, scope=EVERYTHING, **filters):
    return {hit.id for hit in search(backend, text, scope, **filters).hits}


# --- Transport -------------------------------------------------------------------------------------


def test_versioned_media_types_become_plain_json():
    assert plain_media_type("application/vnd.elasticsearch+json; compatible-with=8") == "application/json"
    assert plain_media_type("application/vnd.elasticsearch+x-ndjson; compatible-with=8") == "application/x-ndjson"
    assert plain_media_type("application/json") == "application/json"
    assert plain_media_type("text/plain") == "text/plain"


def test_node_sends_plain_json_headers_and_leaves_the_clients_own_untouched(monkeypatch):
    from elastic_transport import HttpHeaders, NodeConfig, Urllib3HttpNode

    sent = {}

    def perform_request(self, method, target, body=None, headers=None, **kw):
        sent.update(method=method, target=target, headers=headers, kw=kw)

    monkeypatch.setattr(Urllib3HttpNode, "perform_request", perform_request)
    node = PlainJsonNode(
        NodeConfig(
            "http",
            "127.0.0.1",
            9200,
            headers={"accept": "application/vnd.elasticsearch+json; compatible-with=8"},
        )
    )
    headers = HttpHeaders(
        {
            "Accept": "application/vnd.elasticsearch+json; compatible-with=8",
            "Content-Type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
            "X-Opaque-Id": "kept",
        }
    )
    headers.freeze()
    node.perform_request("PUT", "/_bulk", body=b"{}\n", headers=headers, request_timeout=3)

    assert sent["headers"]["Accept"] == "application/json"
    assert sent["headers"]["Content-Type"] == "application/x-ndjson"
    assert sent["headers"]["X-Opaque-Id"] == "kept"
    assert sent["kw"] == {"request_timeout": 3}
    assert node._headers["accept"] == "application/json"
    # The client's frozen headers are copied, never changed.
    assert headers["Accept"] == "application/vnd.elasticsearch+json; compatible-with=8"
    assert plain_headers(None) == {}


def test_an_opensearch_api_server_takes_writes_only_through_the_plain_json_node(elasticsearch_backend, settings):
    from elasticsearch import ApiError, Elasticsearch

    operations = [{"index": {"_index": "oversight-probe", "_id": "1"}}, {"status": "received"}]
    with pytest.raises(ApiError) as refused:
        Elasticsearch(settings.ELASTICSEARCH_URL).bulk(operations=operations)
    assert refused.value.status_code == 406

    assert elasticsearch_backend.es.bulk(operations=operations, refresh=True)["errors"] is False


def test_client_reaches_every_listed_url(settings):
    from search.transport import client

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9201, http://127.0.0.1:9202"
    nodes = client().transport.node_pool.all()
    assert sorted(node.base_url for node in nodes) == ["http://127.0.0.1:9201", "http://127.0.0.1:9202"]
    assert all(isinstance(node, PlainJsonNode) for node in nodes)


# --- Indexes, aliases and rebuilds ------------------------------------------------------------------


def test_rebuild_leaves_one_physical_index_behind_the_alias(db, elasticsearch_backend):
    backend = elasticsearch_backend
    first, second = ComplaintFactory(), ComplaintFactory()
    backend.index("cases", [first.pk])  # the first write makes an index of its own

    assert backend.rebuild("cases") == 2
    assert backend.rebuild("cases") == 2

    physical = backend.physical_indexes("cases")
    assert len(physical) == 1
    aliases = backend.es.indices.get_alias(index=physical[0]).body
    assert set(aliases[physical[0]]["aliases"]) == {index_name("cases")}
    assert physical[0].startswith(f"{index_name('cases')}-")
    assert backend.live_index("cases") == physical[0]
    assert backend.count("cases") == 2
    assert found(backend, second.tracking_number) == {second.pk}


def test_a_case_changed_during_a_rebuild_is_right_after_the_swap(db, elasticsearch_backend, monkeypatch):
    backend = elasticsearch_backend
    monkeypatch.setattr(es_backend, "BATCH", 2)
    cases = [ComplaintFactory(narrative="The officer shouted at the crowd.") for _ in range(4)]
    backend.index("cases", [case.pk for case in cases])
    old_index = backend.live_index("cases")
    seen = {}

    def progress(done, total):
        if done == 2:
            # Halfway: searches still read the old index, the new one fills behind "-next".
            seen["live"] = backend.live_index("cases")
            seen["building"] = backend._behind(backend.building_alias("cases"))[backend.building_alias("cases")]
            changed = cases[0]
            changed.narrative = "The officer confiscated a skateboard."
            changed.save()
            backend.index("cases", [changed.pk])

    backend.rebuild("cases", progress=progress)

    assert seen["live"] == old_index
    assert len(seen["building"]) == 1 and seen["building"][0] != old_index
    assert backend.live_index("cases") == seen["building"][0]
    assert found(backend, "skateboard") == {cases[0].pk}
    assert backend._behind(backend.building_alias("cases"))[backend.building_alias("cases")] == []


def test_rebuild_reports_progress_after_each_batch(db, elasticsearch_backend, monkeypatch):
    monkeypatch.setattr(es_backend, "BATCH", 2)
    for _ in range(5):
        ComplaintFactory()
    calls = []

    written = elasticsearch_backend.rebuild("cases", progress=lambda done, total: calls.append((done, total)))

    assert written == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_index_deletes_the_document_of_a_case_that_is_gone(db, elasticsearch_backend):
    backend = elasticsearch_backend
    kept, gone = ComplaintFactory(), ComplaintFactory()
    backend.index("cases", [kept.pk, gone.pk])
    assert backend.count("cases") == 2
    gone_id = gone.pk
    gone.delete()

    backend.index("cases", [gone_id])
    backend.index("cases", [gone_id])  # deleting what is not there is not an error

    assert backend.count("cases") == 1
    assert found(backend, gone.tracking_number) == set()
    assert found(backend, kept.tracking_number) == {kept.pk}


def test_searching_before_anything_is_indexed_finds_nothing(db, elasticsearch_backend):
    backend = elasticsearch_backend
    assert backend.count("cases") == 0
    results = search(backend, "anything")
    assert results.hits == [] and results.total == 0
    assert backend.public_search(query=base.PublicQuery(text="anything")).total == 0


def test_clear_keeps_indexes_of_another_site_sharing_the_cluster(db, elasticsearch_backend):
    backend = elasticsearch_backend
    backend.index("cases", [ComplaintFactory().pk])
    backend.es.indices.create(index=f"{index_name('cases')}-archive")

    backend.clear()

    assert backend.physical_indexes("cases") == []
    assert backend.es.indices.exists(index=f"{index_name('cases')}-archive")


# --- Errors ------------------------------------------------------------------------------------------


@override_settings(ELASTICSEARCH_URL="http://127.0.0.1:1", ELASTICSEARCH_TIMEOUT=1.0)
def test_unreachable_server_raises_search_unavailable(db):
    backend = ElasticsearchBackend()
    case = ComplaintFactory()

    with pytest.raises(SearchUnavailable) as indexing:
        backend.index("cases", [case.pk])
    with pytest.raises(SearchUnavailable):
        search(backend, "pushed")
    with pytest.raises(SearchUnavailable):
        backend.count("cases")
    assert backend.ping() is False
    assert "could not be reached" in str(indexing.value)


def test_a_refused_document_is_reported_without_its_content(db, elasticsearch_backend, monkeypatch):
    def broken(ids):
        return {pk: {"received_at": "Rosa Delgado's secret", "year": "not a year"} for pk in ids}

    monkeypatch.setitem(es_backend.SOURCES, "cases", broken)

    with pytest.raises(SearchUnavailable) as refused:
        elasticsearch_backend.index("cases", [1])

    assert "Rosa" not in str(refused.value) and "secret" not in str(refused.value)


def test_ping_answers_true_when_the_server_is_up(elasticsearch_backend):
    assert elasticsearch_backend.ping() is True


# --- Mapping and analysis ------------------------------------------------------------------------------


def test_live_index_analyses_text_in_english_and_spanish(db, elasticsearch_backend):
    backend = elasticsearch_backend
    case = ComplaintFactory(narrative="Le dieron golpes cerca de la Cámara. He had tattoos.")
    backend.index("cases", [case.pk])
    live = backend.live_index("cases")

    properties = backend.es.indices.get_mapping(index=live)[live]["mappings"]["properties"]
    assert properties["narrative"]["analyzer"] == "oversight_english"
    assert properties["narrative"]["fields"]["es"]["analyzer"] == "oversight_spanish"
    assert properties["narrative_masked"]["fields"]["es"]["analyzer"] == "oversight_spanish"
    assert properties["tracking_number"]["type"] == "keyword"
    analysis = backend.es.indices.get_settings(index=live)[live]["settings"]["index"]["analysis"]
    assert analysis["filter"]["oversight_spanish_stem"] == {"type": "snowball", "language": "Spanish"}
    assert "asciifolding" in analysis["analyzer"]["oversight_english"]["filter"]

    assert found(backend, "tattoo") == {case.pk}  # English stem
    assert found(backend, "golpe") == {case.pk}  # Spanish stem
    assert found(backend, "camara") == {case.pk}  # accents folded
    assert found(backend, case.tracking_number.lower()) == {case.pk}


def test_dispositions_index_has_its_own_mapping(db, elasticsearch_backend):
    backend = elasticsearch_backend
    backend.rebuild("dispositions")
    live = backend.live_index("dispositions")
    properties = backend.es.indices.get_mapping(index=live)[live]["mappings"]["properties"]
    assert properties["findings_es"]["analyzer"] == "oversight_spanish"
    assert properties["findings_es"]["fields"]["en"]["analyzer"] == "oversight_english"
    assert "narrative" not in properties


# --- What a reader receives ----------------------------------------------------------------------------


@pytest.fixture
def named_case(db):
    case = ComplaintFactory(narrative="Rosa Delgado says the officer pushed her against the wall.")
    PartyFactory(complaint=case, first_name="Rosa", last_name="Delgado", email="rosa.delgado@example.com")
    AllegationFactory(complaint=case, subject_officer__complaint=case, description="Pushed Rosa Delgado.")
    return case


def test_reader_without_personal_data_gets_no_personal_field(named_case, elasticsearch_backend):
    backend = elasticsearch_backend
    backend.index("cases", [named_case.pk])

    results = search(backend, "pushed", NO_PEOPLE)

    (hit,) = results.hits
    assert hit.id == named_case.pk and hit.key == named_case.tracking_number
    assert not set(PERSONAL_FIELDS) & set(hit.source)
    assert "narrative_masked" in hit.source
    assert hit.snippets and all("Rosa" not in snippet and "Delgado" not in snippet for snippet in hit.snippets)
    assert "Rosa" not in repr(hit.source)
    # Their name is not searchable for such a reader either.
    assert found(backend, "Delgado", NO_PEOPLE) == set()


def test_reader_with_personal_data_gets_the_full_text(named_case, elasticsearch_backend):
    backend = elasticsearch_backend
    backend.index("cases", [named_case.pk])

    (hit,) = search(backend, "Delgado").hits

    assert hit.source["people"]
    assert any("<mark>Delgado</mark>" in snippet for snippet in hit.snippets)
    assert len(hit.snippets) <= es_backend.SNIPPETS_PER_HIT


def test_scope_limits_hits_and_facets_to_the_readers_cases(db, elasticsearch_backend, complaint, other_complaint):
    backend = elasticsearch_backend
    backend.index("cases", [complaint.pk, other_complaint.pk])
    investigator = Scope(user_id=7, principals=("user:7",))
    nobody = Scope(user_id=None, nothing=True)

    everyone = search(backend, "", EVERYTHING, status=complaint.status)
    assert everyone.total == 2
    assert dict(everyone.facets["status"]) == {complaint.status: 2}

    mine = search(backend, "", investigator, status=complaint.status)
    assert mine.total == 0 and mine.facets == {}

    intake = Scope(user_id=8, statuses=(complaint.status,))
    assert search(backend, "", intake, status=complaint.status).total == 2
    assert search(backend, "pushed", nobody).total == 0


def test_assigned_investigator_finds_their_case_and_other_investigator_does_not(
    complaint, assigned_investigator, other_investigator, elasticsearch_backend
):
    backend = elasticsearch_backend
    backend.index("cases", [complaint.pk])

    assert found(backend, "laundromat", base.scope_for(assigned_investigator)) == {complaint.pk}
    assert found(backend, "laundromat", base.scope_for(other_investigator)) == set()


def test_tracking_number_is_found_typed_with_or_without_quotes(db, elasticsearch_backend):
    backend = elasticsearch_backend
    case, other = ComplaintFactory(), ComplaintFactory()
    backend.index("cases", [case.pk, other.pk])

    assert found(backend, case.tracking_number) == {case.pk}
    assert found(backend, f'"{case.tracking_number.lower()}"') == {case.pk}


def test_facets_count_the_hits_and_filters_narrow_them(db, elasticsearch_backend):
    from complaints.models import AllegationCategory

    backend = elasticsearch_backend
    force, other = AllegationCategory.objects.filter(parent__isnull=False).order_by("pk")[:2]
    pushed = AllegationFactory(category=force, subject_officer__complaint__narrative="He pushed me.").complaint
    shoved = AllegationFactory(category=other, subject_officer__complaint__narrative="He pushed and shoved.").complaint
    quiet = ComplaintFactory(narrative="Nothing of the kind.")
    backend.index("cases", [pushed.pk, shoved.pk, quiet.pk])

    results = search(backend, "pushed")
    assert results.total == 2
    assert sorted(results.facets["category"]) == sorted([(str(force.pk), 1), (str(other.pk), 1)])
    assert results.facets["year"] == [("2026", 2)]
    assert set(results.facets) == set(base.STAFF_FACETS)

    assert found(backend, "pushed", category_id=other.pk) == {shoved.pk}
    assert found(backend, "pushed -shoved") == {pushed.pk}
    assert found(backend, "", year=2026) == {pushed.pk, shoved.pk, quiet.pk}
    assert found(backend, "", year=2025) == set()


def test_public_search_finds_a_publication_and_counts_its_facets(db, elasticsearch_backend):
    from tests.factories import PublishedAllegationFactory

    backend = elasticsearch_backend
    allegation = PublishedAllegationFactory(disposition="sustained")
    publication = allegation.publication
    retracted = PublishedAllegationFactory(publication__status="retracted").publication
    assert backend.rebuild("dispositions") == 1
    backend.index("dispositions", [retracted.pk])  # not public: stays out

    results = backend.public_search(query=base.PublicQuery(text="searched the car"))

    (hit,) = results.hits
    assert hit.id == publication.pk and hit.key == publication.public_id
    assert any("<mark>searched</mark>" in snippet for snippet in hit.snippets)
    assert results.facets["disposition"] == [("sustained", 1)]
    assert results.facets["year"] == [("2026", 1)]
    assert results.facets["category"] == [(str(allegation.category_class_id), 1)]
    query = base.PublicQuery(disposition="exonerated")
    assert backend.public_search(query=query).total == 0
    query = base.PublicQuery(year=2026, district_id=publication.district_id)
    assert [hit.id for hit in backend.public_search(query=query).hits] == [publication.pk]
