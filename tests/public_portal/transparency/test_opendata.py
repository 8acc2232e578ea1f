"""Open data: the downloads of published cases and allegations (streamed, filtered like the list,
described column by column in the data dictionary) and the open data page."""

import csv
import io
import json
import re
from datetime import date
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import AllegationCategory
from public_portal.transparency import opendata

from ...factories import DistrictFactory, OfficerFactory, PublicationFactory, PublishedAllegationFactory

pytestmark = pytest.mark.django_db


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


def _body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(response))))


def _header(response) -> list[str]:
    return next(csv.reader(io.StringIO(_body(response))))


def _list_ids(client, query: dict) -> list[str]:
    """Every public id the published decisions list shows for ``query``, page after page."""
    ids, url = [], "/decisions/"
    params = dict(query)
    while url:
        response = client.get(url, params)
        text = response.content.decode()
        ids += re.findall(r'href="/decisions/(D-[A-Z0-9]+)/"', text)
        found = re.search(r'rel="next" href="\?([^"]+)"', text)
        url, params = ("/decisions/?" + unescape(found.group(1)), {}) if found else (None, {})
    return ids


@pytest.fixture
def cases():
    north = DistrictFactory(code="N1", name="North")
    made = {}
    for i in range(23):
        made[f"force{i}"] = _publish(date(2026, 1, 1 + i))
    made["rude"] = _publish(date(2025, 7, 1), allegations=[("disc-words", "not_sustained")], district=north)
    made["mixed"] = _publish(
        date(2026, 3, 1), allegations=[("force-physical", "exonerated"), ("disc-words", "sustained")], district=north
    )
    made["retracted"] = _publish(date(2026, 3, 2), status="retracted")
    made["draft"] = _publish(date(2026, 3, 3), status="draft")
    return made


def test_a_download_is_streamed_with_a_dated_file_name(client, cases):
    for dataset in ("cases", "allegations"):
        for fmt, content_type in (("csv", "text/csv; charset=utf-8"), ("json", "application/json")):
            response = client.get(f"/data/{dataset}.{fmt}")
            assert response.status_code == 200
            assert response.streaming
            assert response["Content-Type"] == content_type
            day = timezone.localdate().isoformat()
            assert response["Content-Disposition"] == f'attachment; filename="{dataset}-{day}.{fmt}"'


@pytest.mark.parametrize(
    "query", [{}, {"year": "2026"}, {"category": "discourtesy"}, {"district": "N1", "disposition": "sustained"}]
)
def test_the_cases_download_holds_exactly_the_cases_the_list_shows(client, cases, query):
    rows = _csv(client.get("/data/cases.csv", query))
    records = json.loads(_body(client.get("/data/cases.json", query)))

    listed = _list_ids(client, query)
    assert [row["public_id"] for row in rows] == listed
    assert [record["public_id"] for record in records] == listed
    assert cases["retracted"].public_id not in listed and cases["draft"].public_id not in listed


def test_downloads_read_two_streams_whatever_the_number_of_rows(client, cases, monkeypatch):
    monkeypatch.setattr(opendata, "CHUNK_SIZE", 4)  # many chunks, and chunk edges inside a case

    with CaptureQueriesContext(connection) as captured:
        rows = _csv(client.get("/data/allegations.csv"))
        cache.clear()  # each download as the first request after a publication (the choices cold)
        cases_rows = _csv(client.get("/data/cases.csv"))

    assert len(rows) == 26  # 23 force cases, and the two allegations of two more
    assert [r["allegation_count"] for r in cases_rows].count("2") == 1
    assert sum(int(r["allegation_count"]) for r in cases_rows) == 26
    # No query per case or per chunk: the allegations are read once per download (and once more
    # for the officer filter's choices). On PostgreSQL the cases download reads none: each case's
    # stored summary of its allegations is enough (publication/summaries.py).
    allegation_reads = [q for q in captured.captured_queries if 'FROM "publication_publishedallegation"' in q["sql"]]
    assert len(allegation_reads) == (3 if opendata.copy_possible() else 4)


def test_an_allegation_whose_case_is_not_in_the_stream_is_passed_over():
    day = date(2026, 1, 5)
    cases = [(9, "D-NINE"), (7, "D-SEVEN"), (3, "D-THREE")]
    cases = [(pk, public_id, 1, None, None, None, None, None, None, day, 2026) for pk, public_id in cases]
    allegations = [(day, 9, 0), (day, 8, 0), (day, 7, 0), (day, 7, 1), (day, 3, 0)]  # case 8 went away

    paired = [(case[0], [a[1:] for a in found]) for case, found in opendata._with_allegations(cases, allegations)]

    assert paired == [(9, [(9, 0)]), (7, [(7, 0), (7, 1)]), (3, [(3, 0)])]


def test_a_case_row_has_codes_labels_and_no_internal_ids(client, cases):
    rows = {row["public_id"]: row for row in _csv(client.get("/data/cases.csv"))}
    mixed = cases["mixed"]

    row = rows[mixed.public_id]
    assert row == {
        "public_id": mixed.public_id,
        "version": "1",
        "corrected": "false",
        "published_at": mixed.published_at.isoformat(),
        "incident_year": "2025",
        "incident_month": "11",
        "district_code": "N1",
        "district_name": "North",
        "received_year": "2025",
        "decision_date": "2026-03-01",
        "decision_year": "2026",
        "board_decision": "adopt",
        "board_decision_label": "Findings adopted as proposed",
        "allegation_count": "2",
        "category_classes": "force;discourtesy",
        "dispositions": "exonerated;sustained",
        "summary": mixed.summary,
        "discipline_outcome": "",
        "department_response": "",
    }
    header = _header(client.get("/data/cases.csv"))
    assert [name for name in header if name.endswith("_id") or name == "id"] == ["public_id"]


def test_an_allegation_row_names_the_officer_only_where_public(client, cases):
    officer = OfficerFactory(first_name="Dana", last_name="Whitfield", badge_number="4471")
    PublishedAllegationFactory(
        publication=cases["rude"],
        position=1,
        category=AllegationCategory.objects.get(code="aoa-search"),
        disposition="sustained",
        officer_label="Dana Whitfield",
        officer_disclosed=True,
        officer=officer,
        officer_name="Dana Whitfield",
        officer_badge="4471",
        recommended_discipline="suspension",
        department_response="modified",
        discipline_imposed="Five days",
    )

    rows = [r for r in _csv(client.get("/data/allegations.csv")) if r["public_id"] == cases["rude"].public_id]

    assert [(r["position"], r["officer_label"], r["officer_name"], r["officer_badge"]) for r in rows] == [
        ("0", "Officer A", "", ""),
        ("1", "Dana Whitfield", "Dana Whitfield", "4471"),
    ]
    named = rows[1]
    assert named["category_class_code"] == "abuse-of-authority"
    assert named["category_code"] == "aoa-search"
    assert named["disposition"] == "sustained" and named["disposition_label"] == "Sustained"
    assert named["recommended_discipline"] == "suspension"
    assert named["department_response"] == "modified" and named["department_response_label"] == "Changed"
    assert named["discipline_imposed"] == "Five days"
    assert named["officer_disclosed"] == "true" and rows[0]["officer_disclosed"] == "false"


def test_the_allegations_download_keeps_only_the_allegations_that_match(client, cases):
    rows = _csv(client.get("/data/allegations.csv", {"disposition": "sustained", "category": "discourtesy"}))

    assert [(r["public_id"], r["category_code"], r["disposition"]) for r in rows] == [
        (cases["mixed"].public_id, "disc-words", "sustained")
    ]


def test_the_json_download_is_one_array_with_typed_values(client, cases):
    records = json.loads(_body(client.get("/data/cases.json", {"district": "N1"})))

    assert [r["public_id"] for r in records] == [cases["mixed"].public_id, cases["rude"].public_id]
    first = records[0]
    assert first["corrected"] is False
    assert first["allegation_count"] == 2
    assert first["category_classes"] == ["force", "discourtesy"]
    assert first["decision_year"] == 2026
    assert json.loads(_body(client.get("/data/allegations.json", {"year": "1999"}))) == []


def test_labels_follow_the_language_and_codes_do_not(client, cases):
    rows = _csv(client.get("/data/allegations.csv", {"district": "N1"}, headers={"accept-language": "es"}))

    row = next(r for r in rows if r["category_code"] == "force-physical")
    assert row["category_class_code"] == "force"
    assert row["category_class_label"] == "Uso de la fuerza"
    assert row["category_label"] == "Fuerza física"
    assert row["officer_label"] == "Agente A"


def test_a_filter_that_cannot_be_read_gets_a_page_that_says_so(client, cases):
    response = client.get("/data/cases.csv", {"year": "1e9", "district": "nowhere"})

    assert response.status_code == 400
    assert not response.streaming
    text = response.content.decode()
    assert "The download could not be made" in text
    assert "District: Select a valid choice." in text


def test_an_unknown_dataset_or_format_is_not_found(client):
    assert client.get("/data/parties.csv").status_code == 404
    assert client.get("/data/cases.xlsx").status_code == 404


# --- The dictionary -----------------------------------------------------------------------------------


def _dictionary_columns(html: str, key: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="columns-{key}".*?</table>', html, re.S).group(0)
    return re.findall(r'<th scope="row"[^>]*><code>([^<]+)</code></th>', table)


def test_the_dictionary_describes_every_column_of_every_download(client, cases):
    html = client.get("/data/dictionary/").content.decode()

    for dataset in ("cases", "allegations"):
        header = _header(client.get(f"/data/{dataset}.csv"))
        assert _dictionary_columns(html, dataset) == header
        records = json.loads(_body(client.get(f"/data/{dataset}.json")))
        assert list(records[0]) == header
    # The dashboard's tables share one shape.
    assert _dictionary_columns(html, "tables") == ["row_key", "row_label", "&lt;column keys&gt;", "total"]


def test_the_dictionary_lists_the_codes_the_downloads_use(client, cases):
    html = client.get("/data/dictionary/").content.decode()

    for code in ("sustained", "not_sustained", "policy_failure", "force", "disc-words", "N1", "adopt", "suspension"):
        assert f"<code>{code}</code>" in html
    assert "There was not enough evidence to show whether or not it happened." in html


def test_the_open_data_page_links_every_download_and_says_when_its_data_is_from(client, cases):
    html = client.get("/data/").content.decode()

    for path in ("/data/cases.csv", "/data/cases.json", "/data/allegations.csv", "/data/allegations.json"):
        assert f'href="{path}"' in html
    assert 'href="/data/dictionary/"' in html and 'href="/api/docs/"' in html
    assert "Data as of" in html
    assert "You may copy, share and reuse this data" in html


def test_the_dictionary_and_open_data_page_describe_every_dashboard_table(client, cases):
    from public_portal.transparency import statistics

    before = client.get("/data/dictionary/").content.decode()
    assert "The dashboard's numbers have not been computed yet." in before

    statistics.refresh_snapshot()
    html = client.get("/data/dictionary/").content.decode()
    index = client.get("/data/").content.decode()

    found = statistics.published_statistics()
    assert found is not None and found.tables
    for table in found.tables:
        download = client.get(f"/data/tables/{table.key}.csv")
        header = next(csv.reader(io.StringIO(download.content.decode())))
        # Each table's own section names exactly the columns its CSV download has.
        assert _dictionary_columns(html, f"table-{table.key}") == header, table.key
        assert f'href="/data/tables/{table.key}.csv"' in index and f'href="/data/tables/{table.key}.json"' in index
    assert "Numbers computed on" in html and "Numbers computed on" in index


# --- The PostgreSQL fast path (COPY) -----------------------------------------------------------------

AWKWARD = 'Comma, "quotes", a\nline feed, a\r\ncarriage return\rand accents: Ñandú, café, 北京'


@pytest.fixture
def awkward(cases):
    """Cases whose text holds everything CSV must quote, beside the plain ones."""
    from datetime import UTC, datetime

    west = DistrictFactory(code="W,1", name='West "Side",\nOld Town')
    officer = OfficerFactory(first_name="Seán", last_name='O\'Brien, "Jr"', badge_number="12,34")
    superseded = _publish(date(2024, 5, 5), status="superseded")
    odd = _publish(
        date(2024, 5, 6),
        allegations=[],
        district=west,
        summary=AWKWARD,
        discipline_outcome="",
        department_response='Dept said: "no"\n',
        board_decision="modify",
        supersedes=superseded,
        incident_year=None,
        incident_month=None,
        received_year=None,
        published_at=datetime(2026, 2, 20, 15, 0, 1, 250000, tzinfo=UTC),
    )
    PublishedAllegationFactory(
        publication=odd,
        position=0,
        category=AllegationCategory.objects.get(code="disc-words"),
        disposition="sustained",
        officer_label='O\'Brien, "Jr"',
        officer_disclosed=True,
        officer=officer,
        officer_name='Seán O\'Brien, "Jr"',
        officer_badge="12,34",
        recommended_discipline="suspension",
        department_response="rejected",
        discipline_imposed=AWKWARD,
    )
    for position, (code, disposition, label) in enumerate(
        [
            ("force-physical", "exonerated", "Officer AB"),
            ("disc-words", "sustained", "Officer abc"),
            ("force-physical", "not_sustained", "Officer ABCD"),
            ("aoa-search", "exonerated", ""),
        ],
        start=1,
    ):
        PublishedAllegationFactory(
            publication=odd,
            position=position,
            category=AllegationCategory.objects.get(code=code),
            disposition=disposition,
            officer_label=label,
        )
    cases["odd"] = odd
    cases["none"] = PublicationFactory(decision_date=None, decision_year=None, board_decision="", summary="")
    cases["remand"] = _publish(
        date(2024, 5, 7),
        allegations=[("force-physical", "sustained"), ("force-physical", "sustained")],
        board_decision="remand",
        district=None,
    )
    return cases


def _both_paths(dataset: str, query: dict) -> tuple[bytes, bytes]:
    """The dataset's CSV for ``query`` written by COPY and by Python's ``csv``, from the same data."""
    from public_portal.transparency import dispositions as disp

    choices = disp.filter_choices()
    form = disp.DispositionFilterForm(query or None, choices=choices)
    filters = form.filters()
    assert not (form.is_bound and form.errors)
    definition = opendata.DATASETS[dataset]
    fast = b"".join(opendata._in_one_snapshot(opendata.copy_csv_stream(definition, filters, choices)))
    slow = "".join(opendata.csv_stream(definition, opendata.ROWS[dataset](filters, choices))).encode()
    return fast, slow


QUERIES = [
    {},
    {"year": "2026"},
    {"year": "2024"},
    {"category": "discourtesy"},
    {"category": "force", "disposition": "sustained"},
    {"district": "N1", "disposition": "sustained"},
    {"district": "W,1"},
    {"year": "1999"},  # nothing
]


@pytest.mark.postgres
@pytest.mark.parametrize("dataset", ["cases", "allegations"])
@pytest.mark.parametrize("query", QUERIES)
def test_copy_writes_the_same_bytes_as_python(awkward, dataset, query, monkeypatch):
    monkeypatch.setattr(opendata, "COPY_BUFFER", 100)  # many chunks
    fast, slow = _both_paths(dataset, query)

    assert fast == slow
    if query == {"year": "1999"}:
        assert fast.count(b"\r\n") == 1  # the header only


@pytest.mark.postgres
def test_copy_works_out_the_summary_of_a_publication_never_summarized(awkward):
    from public_portal.publication.models import Publication

    stored, _slow = _both_paths("cases", {})
    assert Publication.objects.filter(allegation_count__isnull=False).exists()
    Publication.objects.update(allegation_count=None, category_classes="", findings="")
    fast, slow = _both_paths("cases", {})

    assert fast == slow == stored


@pytest.mark.postgres
@pytest.mark.parametrize("dataset", ["cases", "allegations"])
def test_copy_writes_the_same_labels_as_python_in_spanish(awkward, dataset):
    from django.utils import translation

    with translation.override("es"):
        fast, slow = _both_paths(dataset, {"district": "W,1"})
        everything, _slow = _both_paths(dataset, {})

    assert fast == slow
    assert everything == _slow
    if dataset == "allegations":
        assert b"Agente AB" in fast and b",Uso de la fuerza," in fast and ",Descortesía,".encode() in fast


@pytest.mark.postgres
def test_on_postgresql_the_csv_download_is_the_copy_output(client, awkward):
    assert opendata.copy_possible()
    for dataset in ("cases", "allegations"):
        for query in ({}, {"category": "force", "disposition": "sustained"}):
            response = client.get(f"/data/{dataset}.csv", query)
            body = b"".join(response.streaming_content)
            fast, slow = _both_paths(dataset, query)
            assert body == fast == slow
    rows = {r["public_id"]: r for r in csv.DictReader(io.StringIO(_body(client.get("/data/cases.csv"))))}
    odd = rows[awkward["odd"].public_id]
    assert odd["summary"] == AWKWARD
    assert odd["category_classes"] == "discourtesy;force;abuse-of-authority"
    assert odd["dispositions"] == "sustained;exonerated;not_sustained"
    assert odd["corrected"] == "true" and odd["published_at"] == "2026-02-20T15:00:01.250000+00:00"
    assert rows[awkward["remand"].public_id]["category_classes"] == "force"
    assert rows[awkward["remand"].public_id]["board_decision_label"] == "remand"


class _FakeCopy:
    def __init__(self, messages):
        self.messages = messages

    def __enter__(self):
        return iter(memoryview(m) for m in self.messages)

    def __exit__(self, *exc):
        return False


class _FakeCursor:
    def __init__(self, messages):
        self.cursor = self
        self.messages = messages

    def copy(self, statement, params):
        return _FakeCopy(self.messages)


def test_copy_rows_end_with_crlf_and_a_line_feed_inside_a_value_stays(monkeypatch):
    monkeypatch.setattr(opendata, "COPY_BUFFER", 10)
    messages = [b'D-1,"a\nb",\n', b'D-2,"c\r\nd",x\n', b"D-3,,\n"]

    chunks = list(opendata._copy_rows(_FakeCursor(messages), "COPY", []))

    assert b"".join(chunks) == b'D-1,"a\nb",\r\nD-2,"c\r\nd",x\r\nD-3,,\r\n'
    assert len(chunks) == 3
    with pytest.raises(RuntimeError):
        list(opendata._copy_rows(_FakeCursor([b"D-1,half a row"]), "COPY", []))
