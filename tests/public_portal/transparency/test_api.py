"""The read-only open data API: published decisions, allegations and recommendations as JSON, with
the list's filters, cursor pages, JSON errors and a throttle; the schema and its docs page; and, for
every public page and endpoint of open data, proof from the SQL that no case or personal table is read."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaints.models import AllegationCategory
from public_portal.models import PolicyRecommendation, RecommendationStatusUpdate
from public_portal.transparency import statistics

from ...factories import (
    AgencyFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    PublicationFactory,
    PublishedAllegationFactory,
    SubjectOfficerFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def _publish(decided=date(2026, 2, 10), *, allegations=(("force-physical", "sustained"),), **fields):
    publication = PublicationFactory(decision_date=decided, decision_year=decided.year, **fields)
    for position, (code, disposition) in enumerate(allegations):
        PublishedAllegationFactory(
            publication=publication,
            position=position,
            category=AllegationCategory.objects.get(code=code),
            disposition=disposition,
            officer_label=f"Officer {'AB'[position % 2]}",
        )
    return publication


def _all_pages(client, url, params=None) -> list[dict]:
    results, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        if not body["next"]:
            return results
        response = client.get(body["next"])


def _list_ids(client, query) -> list[str]:
    from html import unescape

    ids, url, params = [], "/decisions/", dict(query)
    while url:
        text = client.get(url, params).content.decode()
        ids += re.findall(r'href="/decisions/(D-[A-Z0-9]+)/"', text)
        found = re.search(r'rel="next" href="\?([^"]+)"', text)
        url, params = ("/decisions/?" + unescape(found.group(1)), {}) if found else (None, {})
    return ids


@pytest.fixture
def cases():
    north = DistrictFactory(code="N1", name="North")
    made = {f"force{i}": _publish(date(2026, 1, 1) + timedelta(days=i)) for i in range(25)}
    made["rude"] = _publish(date(2025, 7, 1), allegations=[("disc-words", "not_sustained")], district=north)
    made["mixed"] = _publish(
        date(2026, 3, 1), allegations=[("force-physical", "exonerated"), ("disc-words", "sustained")], district=north
    )
    made["retracted"] = _publish(date(2026, 3, 2), status="retracted")
    return made


# --- Dispositions -----------------------------------------------------------------------------------------


def test_the_list_gives_published_cases_newest_first_in_cursor_pages(client, cases):
    response = client.get(API + "dispositions/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert len(body["results"]) == 20
    assert body["results"][0]["public_id"] == cases["mixed"].public_id
    everything = _all_pages(client, API + "dispositions/")
    assert [r["public_id"] for r in everything] == _list_ids(client, {})
    assert cases["retracted"].public_id not in {r["public_id"] for r in everything}


def test_a_record_has_its_allegations_in_words_and_codes(client, cases):
    record = client.get(API + f"dispositions/{cases['mixed'].public_id}/").json()

    assert record["public_id"] == cases["mixed"].public_id
    assert record["district"] == {"code": "N1", "name": "North"}
    assert record["decision_date"] == "2026-03-01"
    assert record["corrected"] is False
    assert record["board_decision"] == "adopt"
    first, second = record["allegations"]
    assert first["category_class"] == {"code": "force", "label": "Force"}
    assert first["category"] == {"code": "force-physical", "label": "Physical force"}
    assert (first["disposition"], first["disposition_label"]) == ("exonerated", "Exonerated")
    assert (first["officer_label"], first["officer_name"], first["officer_disclosed"]) == ("Officer A", "", False)
    assert second["officer_label"] == "Officer B"
    assert "complaint" not in record and "id" not in record and "redaction_log" not in record


def test_labels_follow_the_language_asked_for(client, cases):
    record = client.get(API + f"dispositions/{cases['mixed'].public_id}/", headers={"accept-language": "es"}).json()

    assert record["allegations"][0]["category_class"] == {"code": "force", "label": "Uso de la fuerza"}
    assert record["allegations"][0]["officer_label"] == "Agente A"


@pytest.mark.parametrize(
    "query",
    [
        {"year": "2025"},
        {"category": "discourtesy"},
        {"category": "force", "disposition": "exonerated"},
        {"district": "N1"},
        {"disposition": "sustained", "year": "2026"},
    ],
)
def test_the_filters_match_the_published_decisions_page(client, cases, query):
    found = [r["public_id"] for r in _all_pages(client, API + "dispositions/", query)]

    assert found == _list_ids(client, query)
    assert found


def test_ordering_and_page_size_can_be_chosen_within_limits(client, cases):
    oldest_first = client.get(API + "dispositions/", {"ordering": "decision_date", "page_size": "3"}).json()
    assert [r["public_id"] for r in oldest_first["results"]] == [
        cases["rude"].public_id,
        cases["force0"].public_id,
        cases["force1"].public_id,
    ]
    largest = client.get(API + "dispositions/", {"page_size": "100"}).json()
    assert len(largest["results"]) == 27 and largest["next"] is None
    for refused in ({"page_size": "101"}, {"page_size": "0"}, {"page_size": "ten"}, {"ordering": "summary"}):
        response = client.get(API + "dispositions/", refused)
        assert response.status_code == 400, refused
        assert set(response.json()["errors"]) == set(refused)


def test_an_officer_is_filtered_only_by_a_public_name(client, cases):
    officer = OfficerFactory(first_name="Dana", last_name="Whitfield", badge_number="4471")
    PublishedAllegationFactory(
        publication=cases["rude"],
        position=3,
        category=AllegationCategory.objects.get(code="aoa-search"),
        officer_label="Dana Whitfield",
        officer_disclosed=True,
        officer=officer,
        officer_name="Dana Whitfield",
        officer_badge="4471",
    )

    found = client.get(API + "dispositions/", {"officer": "4471"}).json()["results"]
    assert [r["public_id"] for r in found] == [cases["rude"].public_id]
    allegations = client.get(API + "allegations/", {"officer": "4471"}).json()["results"]
    assert [(a["public_id"], a["officer_name"], a["officer_badge"]) for a in allegations] == [
        (cases["rude"].public_id, "Dana Whitfield", "4471")
    ]


def test_a_filter_that_cannot_be_read_is_a_json_400_that_says_which(client, cases):
    response = client.get(API + "dispositions/", {"year": "1e9", "category": "nope"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "Some of the parameters could not be read."
    assert set(body["errors"]) == {"year", "category"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


@pytest.mark.parametrize("status", ["draft", "retracted", "superseded"])
def test_a_record_that_is_not_published_is_a_json_404(client, status):
    publication = _publish(status=status)

    response = client.get(API + f"dispositions/{publication.public_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Nothing is published at this address."}


def test_unknown_addresses_and_bad_cursors_are_json_404s(client, cases):
    for url in (API + "dispositions/D-NOSUCH1/", API + "parties/", "/api/", "/api/v2/dispositions/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Nothing is published at this address."}
    response = client.get(API + "dispositions/", {"cursor": "garbage"})
    assert response.status_code == 404
    assert response.json() == {"detail": "That page link could not be read. Start again from the first page."}


def test_the_api_only_reads_and_needs_no_session_or_csrf_token(cases):
    client = Client(enforce_csrf_checks=True)

    response = client.post(API + "dispositions/", {"public_id": "D-AAAAAAAA"}, content_type="application/json")

    assert response.status_code == 405  # not a CSRF refusal: no session is ever read
    assert response.json() == {"detail": "This API only reads: use GET."}
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_the_api_answers_in_json_only(client, cases):
    response = client.get(API + "dispositions/", headers={"accept": "text/html"})
    assert response.status_code == 406
    assert response.json() == {"detail": "This API answers in JSON only."}


def test_a_client_that_asks_too_often_is_told_to_wait(client, cases, settings):
    settings.RATE_LIMIT_API = "3/60"

    statuses = [client.get(API + "dispositions/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(API + "allegations/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["detail"].startswith("Too many requests.")
    # The counter is named by a keyed hash, never by the address.
    keys = list(getattr(cache, "_cache", {}))
    assert keys and not any("127.0.0.1" in str(key) for key in keys)


# --- Allegations ---------------------------------------------------------------------------------------


def test_allegations_match_the_filters_one_by_one(client, cases):
    found = _all_pages(client, API + "allegations/", {"category": "discourtesy"})

    assert sorted((a["public_id"], a["disposition"]) for a in found) == sorted(
        [(cases["rude"].public_id, "not_sustained"), (cases["mixed"].public_id, "sustained")]
    )
    assert found[0]["district"] == {"code": "N1", "name": "North"}
    everything = _all_pages(client, API + "allegations/")
    assert len(everything) == 28
    assert cases["retracted"].public_id not in {a["public_id"] for a in everything}


# --- Recommendations ---------------------------------------------------------------------------------------


@pytest.fixture
def recommendations(supervisor):
    older = PolicyRecommendation.objects.create(
        number="PR-2025-01",
        title="Record every stop",
        text="Officers should record the reason for every stop.",
        adopted_on=date(2025, 5, 6),
        department=AgencyFactory(name="Testville Police Department"),
        created_by=supervisor,
    )
    RecommendationStatusUpdate.objects.create(
        recommendation=older,
        recorded_on=date(2025, 6, 1),
        department_response="accepted",
        implementation="in_progress",
        note="Policy being rewritten.",
        recorded_by=supervisor,
    )
    newer = PolicyRecommendation.objects.create(
        number="PR-2026-01", title="Interpreters", text="Call the line.", adopted_on=date(2026, 1, 9)
    )
    return older, newer


def test_recommendations_are_listed_with_their_status_in_words(client, recommendations):
    body = client.get(API + "recommendations/").json()

    assert [r["number"] for r in body["results"]] == ["PR-2026-01", "PR-2025-01"]
    older = body["results"][1]
    assert older["text"] == "Officers should record the reason for every stop."
    assert older["department"] == "Testville Police Department"
    assert (older["department_response"], older["department_response_text"]) == (
        "accepted",
        "The department accepted it",
    )
    assert older["implementation"] == "in_progress" and older["status_as_of"] == "2025-06-01"
    assert body["results"][0]["department"] is None
    assert body["results"][0]["department_response"] == "awaiting"
    accepted = client.get(API + "recommendations/", {"response": "accepted"}).json()["results"]
    assert [r["number"] for r in accepted] == ["PR-2025-01"]
    assert client.get(API + "recommendations/", {"response": "maybe"}).status_code == 400


def test_a_recommendation_has_its_timeline(client, recommendations):
    body = client.get(API + "recommendations/PR-2025-01/").json()

    assert body["timeline"] == [
        {
            "recorded_on": "2025-06-01",
            "department_response": "accepted",
            "department_response_text": "The department accepted it",
            "implementation": "in_progress",
            "implementation_text": "Work is in progress",
            "note": "Policy being rewritten.",
        }
    ]
    assert "recorded_by" not in body
    assert client.get(API + "recommendations/PR-1999-09/").status_code == 404


# --- Statistics ---------------------------------------------------------------------------------------


@pytest.fixture
def snapshot():
    south, north = DistrictFactory(code="S1", name="South"), DistrictFactory(code="N9", name="Northeast")
    for day in range(14):
        ComplaintFactory(district=south, received_at=datetime(2025, 3, 1 + day, 15, 0, tzinfo=UTC))
    for day in range(12):
        ComplaintFactory(district=north, received_at=datetime(2025, 3, 1 + day, 15, 0, tzinfo=UTC))
    for day in range(3):
        ComplaintFactory(received_at=datetime(2025, 4, 1 + day, 15, 0, tzinfo=UTC))
    statistics.refresh_snapshot()


def test_statistics_are_not_found_before_they_are_computed(client):
    response = client.get(API + "statistics/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Nothing is published at this address."}


def test_the_statistics_list_names_every_table_and_when_it_was_computed(client, snapshot):
    body = client.get(API + "statistics/").json()

    assert body["as_of"] and body["period"] == "All years" and body["year"] is None
    assert 2025 in body["years"]
    assert body["threshold"] == 10
    keys = [table["key"] for table in body["tables"]]
    assert "by-district" in keys and "received-closed-by-month" in keys
    for table in body["tables"]:
        assert client.get(table["url"]).status_code == 200, table["url"]
    one_year = client.get(API + "statistics/", {"year": "2025"}).json()
    assert one_year["period"] == "2025"
    assert one_year["tables"][0]["url"].endswith("?year=2025")


def test_a_statistics_table_has_the_same_suppressed_values_as_the_dashboard_download(client, snapshot):
    for year in ("", "2025"):
        query = {"year": year} if year else {}
        api = client.get(API + "statistics/by-district/", query).json()
        download = json.loads(client.get("/data/tables/by-district.json", query).content)
        for part in ("rows", "column_totals", "grand_total", "columns"):
            assert api[part] == download[part], (year, part)
    south = next(row for row in api["rows"] if row["label"] == "South")
    assert list(south["cells"].values()) == [14]  # 14 complaints received in the South district
    # 3 with no district: shown as small, and one more count withheld so it cannot be worked out.
    assert sorted(str(c) for r in api["rows"] for c in r["cells"].values()) == sorted(
        ["14", str({"suppressed": True, "min": 11, "max": None}), str({"suppressed": True, "min": 1, "max": 10})]
    )


def test_no_statistics_count_from_1_to_10_is_ever_shown(client, snapshot):
    def counts(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("min", "max", "threshold", "year"):
                    yield from counts(item)
        elif isinstance(value, list):
            for item in value:
                yield from counts(item)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield value

    for table in client.get(API + "statistics/").json()["tables"]:
        body = client.get(table["url"]).json()
        shown = list(counts({k: body[k] for k in ("rows", "column_totals", "grand_total")}))
        assert not [n for n in shown if 1 <= n <= 10], table["key"]
    hidden = client.get(API + "statistics/by-district/").json()
    assert {"suppressed": True, "min": 1, "max": 10} in [c for r in hidden["rows"] for c in r["cells"].values()]


def test_a_statistics_year_or_table_that_does_not_exist_is_a_json_error(client, snapshot):
    assert client.get(API + "statistics/", {"year": "abc"}).status_code == 400
    assert client.get(API + "statistics/", {"year": "abc"}).json()["errors"] == {
        "year": ["Give a year from 1900 to 2100."]
    }
    assert client.get(API + "statistics/", {"year": "1999"}).status_code == 404
    assert client.get(API + "statistics/no-such-table/").status_code == 404


# --- Schema and docs ---------------------------------------------------------------------------------


def test_the_schema_is_openapi_3_and_lists_every_endpoint(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/dispositions/",
        "/api/v1/dispositions/{public_id}/",
        "/api/v1/allegations/",
        "/api/v1/recommendations/",
        "/api/v1/recommendations/{number}/",
    }
    as_json = client.get("/api/schema/", headers={"accept": "application/json"})
    assert as_json.json()["openapi"] == schema["openapi"]


def test_the_docs_page_loads_everything_from_this_site(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [ref for ref in references if ref.endswith((".js", ".css", ".png"))]
    assert any("swagger-ui-bundle.js" in ref for ref in assets)
    assert assets and all(ref.startswith("/static/") for ref in assets), assets
    assert all(ref.startswith(("/", "#")) for ref in references), references
    assert "cdn" not in html.lower()
    # Swagger UI's settings reach the page's static script as a data attribute, not an inline script.
    assert "&quot;validatorUrl&quot;: null" in html


# --- Nothing personal is ever read -----------------------------------------------------------------------

# The tables a public surface must never read, named by hand: the case, its people and its files,
# every investigation and board table. (The allegation category table is the taxonomy, and allowed.)
FORBIDDEN_TABLES = [
    "complaints_complaint",
    "complaints_party",
    "complaints_subjectofficer",
    "complaints_allegation",
    "complaints_attachment",
    "complaints_statuschange",
    "oversight_officer",
    "investigations_",
    "auth_user",
]


def _forbidden_in(sql: str) -> list[str]:
    tables = re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', sql, re.I)
    return [t for t in tables for bad in FORBIDDEN_TABLES if t == bad or (bad.endswith("_") and t.startswith(bad))]


@pytest.fixture
def world(cases, recommendations, snapshot):
    """Published records beside real case data (parties, officers) that must stay out of reach."""
    for publication in cases.values():
        PartyFactory(complaint=publication.complaint, first_name="Rosa", last_name="Delgado")
        SubjectOfficerFactory(complaint=publication.complaint)
    return cases


def _urls(world) -> list[str]:
    public_id = world["mixed"].public_id
    query = "?year=2026&category=force&disposition=sustained&district=N1"
    return [
        "/decisions/",
        "/decisions/" + query,
        f"/decisions/{public_id}/",
        "/data/",
        "/data/dictionary/",
        "/data/cases.csv" + query,
        "/data/cases.json",
        "/data/allegations.csv",
        "/data/allegations.json" + query,
        API + "dispositions/" + query,
        API + f"dispositions/{public_id}/",
        API + "allegations/" + query,
        API + "recommendations/?response=accepted",
        API + "recommendations/PR-2025-01/",
        API + "statistics/",
        API + "statistics/by-district/?year=2025",
        "/api/schema/",
        "/api/docs/",
    ]


def test_no_public_page_or_endpoint_reads_a_case_or_personal_table(client, world):
    read = {}
    for url in _urls(world):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        assert captured.captured_queries or url.startswith(("/api/schema/", "/api/docs/")), url
        forbidden = sorted({t for q in captured.captured_queries for t in _forbidden_in(q["sql"])})
        assert forbidden == [], (url, forbidden)
        read[url] = {t for q in captured.captured_queries for t in re.findall(r'FROM\s+"([a-z_]+)"', q["sql"])}
    # The capture sees the tables that are read: the publication tables are among them.
    assert "publication_publication" in read["/decisions/"]
    assert "publication_publishedallegation" in read["/data/allegations.csv"]


def test_the_forbidden_list_catches_a_case_table():
    assert _forbidden_in('SELECT 1 FROM "complaints_party" INNER JOIN "investigations_finding" ON 1') == [
        "complaints_party",
        "investigations_finding",
    ]
    assert _forbidden_in('SELECT 1 FROM "complaints_allegationcategory"') == []


def test_a_page_lists_no_party_name(client, world):
    for url in _urls(world):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Delgado" not in body, url


def test_the_detail_endpoint_takes_few_queries(client, world):
    with CaptureQueriesContext(connection) as captured:
        client.get(API + f"dispositions/{world['mixed'].public_id}/")
    assert len(captured.captured_queries) <= 4
    with CaptureQueriesContext(connection) as captured:
        client.get(API + "dispositions/", {"page_size": "50"})
    assert len(captured.captured_queries) <= 8
