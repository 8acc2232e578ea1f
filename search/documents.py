"""The two search documents, as elasticsearch-dsl declares them: a staff case and a public disposition.

Both backends index the same documents. ``search.sources`` builds each document's body (a plain
dict whose keys are these fields); the Elasticsearch backend stores it as the document's
``_source``, the database backend in its entry tables (``search.models``).

**The staff case** (``CaseDocument``) holds what staff search on and the principals allowed to see
the case. Its text comes in two versions:

* ``*_masked`` fields (narrative, location, allegations, notes) have every name and contact detail
  of the case's people replaced by their role ("[a witness]"), as the case pages show them to a
  reader without ``complaints.view_personal_data``; such a reader searches these and nothing else.
* the full fields (the same texts as written, plus ``people``: the names and contact details of
  the parties, the people interviewed and the people subpoenaed) are searched only by readers
  holding ``complaints.view_personal_data`` (``PERSONAL_FIELDS``).

``principals`` lists who holds ``complaints.view_complaint`` on the case (``user:<id>``,
``group:<id>``); roles that see more than their grants (supervisors see every case, intake
coordinators every case in intake or mediation) are applied at query time from the role, the way
``complaints.selectors.complaint_visible_queryset`` applies them.

**The public disposition** (``DispositionDocument``) holds only what the publication itself
contains: its public id, dates, district, public summary and outcome texts, and per allegation the
kind of allegation, the finding and the officer as published (named only where the disclosure
policy made the name public). ``PUBLIC_FIELDS`` lists them; a test checks the mapping and a stored
document against the publication's own fields.

Text fields are analysed in English, with a ``.es`` subfield analysed in Spanish (both fold
accents and stem, and neither drops stop words, like ``search.text``); keyword fields and
``.raw`` subfields serve the facets.
"""

from __future__ import annotations

from django.conf import settings
from elasticsearch.dsl import Date, Document, Integer, Keyword, Text, analyzer, token_filter

english_stem = token_filter("oversight_english_stem", type="snowball", language="English")
spanish_stem = token_filter("oversight_spanish_stem", type="snowball", language="Spanish")
english = analyzer("oversight_english", tokenizer="standard", filter=["lowercase", "asciifolding", english_stem])
spanish = analyzer("oversight_spanish", tokenizer="standard", filter=["lowercase", "asciifolding", spanish_stem])


def _text(*, raw: bool = False) -> Text:
    fields = {"es": Text(analyzer=spanish)}
    if raw:
        fields["raw"] = Keyword(ignore_above=256)
    return Text(analyzer=english, fields=fields)


def index_name(kind: str) -> str:
    """The alias searches read for ``kind`` ("cases" or "dispositions"), with the configured
    prefix; ``search_index rebuild`` points it at a fresh physical index."""
    return f"{settings.SEARCH_INDEX_PREFIX}{kind}"


class CaseDocument(Document):
    tracking_number = Keyword()
    status = Keyword()
    district_id = Keyword()
    district = _text(raw=True)
    received_at = Date()
    year = Integer()
    incident_date = Date()
    language = Keyword()
    category_ids = Keyword()
    officer_ids = Keyword()
    investigator_ids = Keyword()
    # Who may see the case beyond the roles that see more: "user:<id>" and "group:<id>".
    principals = Keyword()

    # Searched by everyone who may see the case.
    officers = _text(raw=True)
    investigators = _text(raw=True)
    narrative_masked = _text()
    location_masked = _text()
    allegations_masked = _text()
    notes_masked = _text()

    # Searched only with complaints.view_personal_data.
    narrative = _text()
    location = _text()
    allegations = _text()
    notes = _text()
    people = _text()

    class Index:
        name = "cases"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


class DispositionDocument(Document):
    public_id = Keyword()
    version = Integer()
    decision_date = Date()
    decision_year = Integer()
    incident_year = Integer()
    received_year = Integer()
    published_at = Date()
    district_id = Keyword()
    district = _text(raw=True)
    board_decision = Keyword()
    summary = _text()
    discipline_outcome = _text()
    department_response = _text()
    category_ids = Keyword()
    category_class_ids = Keyword()
    # Kinds of allegation in English and in Spanish (the taxonomy's own translations).
    categories = _text(raw=True)
    categories_es = Text(analyzer=spanish, fields={"en": Text(analyzer=english)})
    dispositions = Keyword()
    findings = _text()
    findings_es = Text(analyzer=spanish, fields={"en": Text(analyzer=english)})
    officers = _text(raw=True)

    class Index:
        name = "dispositions"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


# Fields a reader without complaints.view_personal_data never searches.
PERSONAL_FIELDS = ("narrative", "location", "allegations", "notes", "people")
# Text fields searched for every reader of the case, and for those who see people's details.
OPEN_TEXT_FIELDS = (
    "tracking_number",
    "officers",
    "investigators",
    "district",
    "narrative_masked",
    "location_masked",
    "allegations_masked",
    "notes_masked",
)
FULL_TEXT_FIELDS = ("tracking_number", "officers", "investigators", "district", *PERSONAL_FIELDS)
# Which text field gives the snippets of each kind, for each kind of reader.
SNIPPET_FIELDS_OPEN = ("narrative_masked", "allegations_masked", "notes_masked", "officers", "location_masked")
SNIPPET_FIELDS_FULL = ("narrative", "allegations", "notes", "officers", "location", "people")

PUBLIC_TEXT_FIELDS = (
    "public_id",
    "summary",
    "discipline_outcome",
    "department_response",
    "categories",
    "categories_es",
    "findings",
    "findings_es",
    "officers",
    "district",
)
PUBLIC_SNIPPET_FIELDS = ("summary", "categories", "categories_es", "findings", "findings_es", "officers")

CASE_FIELDS = tuple(CaseDocument._doc_type.mapping.properties.to_dict()["properties"])
PUBLIC_FIELDS = tuple(DispositionDocument._doc_type.mapping.properties.to_dict()["properties"])
