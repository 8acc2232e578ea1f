"""Every public surface at once: pages, downloads, the API and the report PDFs.

One decided case carries personal details in every form the redactor must catch (names in capitals,
lower case, with a middle initial, as an initial and a surname, possessive, split across a line,
inside an email address; phones in five formats; a street address; a plate; a date of birth) and two
officers: one whose sustained finding the California policy discloses (untruthfulness) and one it
does not (discourtesy). The case is drafted, approved by a second publisher and published; the
statistics are refreshed; an annual and a quarterly report are generated and published. Then:

- none of the canaries appears on any public surface, PDF text included; the control phrases do;
- the disclosed officer appears on the case's page, the other officer nowhere;
- no public request reads a party, complaint or other case table (the SQL is captured);
- a retraction takes the case off the list, the page (404), the downloads and the API at once, and
  out of reports generated afterwards.

The expected values (the canaries, the officer names, the forbidden tables) are written out here by
hand, not read from the code under test.
"""

import io
import json
import re
import unicodedata
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from complaints.models import Party
from investigations.models import Disposition
from oversight.permissions import Role
from public_portal.publication.models import Publication
from public_portal.publication.services import disclosure_rules_reset, publication_draft, publication_move
from public_portal.transparency.reports.models import PublicReport
from public_portal.transparency.reports.services import report_generate, report_move
from public_portal.transparency.statistics import refresh_snapshot
from tests.factories import OfficerFactory, UserFactory
from tests.public_portal.publication.cases import Alleged, decided_case

pytestmark = pytest.mark.django_db

P = Publication.Status

SUMMARY = (
    "XIMENA CASTELLANOS filed the complaint. Later ximena castellanos added that Ximena R. Castellanos "
    "had been stopped twice. X. Castellanos's brother, Desmond Okafor, saw it; Ximena\n"
    "Castellanos wrote from ximena.castellanos@example.org and asked for a call at (215) 555-0142, "
    "215.555.0142, 2155550142, +1 215 555 0142 or 215-555-0142. She lives at 4471 N Marvine St, "
    "Philadelphia, PA 19140. The car had plate JXK-4821. Her DOB 04/12/1988 was on the report. "
    "Bartholomew Fenwick spoke rudely and Priscilla Vantongeren wrote a false report. "
    "The investigation reviewed the body camera video near city hall."
)
CANARIES = [
    "castellanos",
    "ximena",
    "okafor",
    "desmond",
    "555-0142",
    "555.0142",
    "5550142",
    "555 0142",
    "marvine",
    "4471",
    "19140",
    "jxk",
    "4821",
    "04/12/1988",
    "1988",
    "fenwick",
    "bartholomew",
]
CONTROLS = ["The investigation reviewed the body camera video near city hall."]
DISCLOSED_OFFICER = "Priscilla Vantongeren"
# Tables a public request must never read: the people, the case and its work.
FORBIDDEN_TABLES = [
    "complaints_party",
    "complaints_complaint",
    "complaints_subjectofficer",
    "complaints_allegation",
    "complaints_attachment",
    "complaints_publictimelineentry",
    "investigations_investigation",
    "investigations_interview",
    "investigations_casenote",
    "investigations_evidenceitem",
    "investigations_subpoena",
    "investigations_finding",
    "investigations_statuschange",
    "board_boarddecision",
    "board_decisionfinding",
    "board_departmentresponse",
    "board_vote",
    "oversight_officer",
]


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).lower()


@pytest.fixture
def second_publisher(db):
    return UserFactory(username="omar_publisher", roles=[Role.PUBLISHER])


@pytest.fixture
def world(publisher, second_publisher, settings):
    settings.PUBLICATION_DISCLOSURE_POLICY = "rules"
    # The California rules, as the migration seeds them (a flush by an earlier test empties them).
    disclosure_rules_reset(preset="california")
    complaint = decided_case(
        allegations=[
            Alleged("a", "disc-words", Disposition.SUSTAINED, discipline="reprimand", response="accepted"),
            Alleged("b", "untr-report", Disposition.SUSTAINED, discipline="suspension", response="modified"),
        ],
        officers={
            "a": OfficerFactory(first_name="Bartholomew", last_name="Fenwick", badge_number="7731"),
            "b": OfficerFactory(first_name="Priscilla", last_name="Vantongeren", badge_number="5150"),
        },
        summary=SUMMARY,
        incident_date=date(2025, 11, 23),
    )
    Party.objects.create(
        complaint=complaint,
        role=Party.Role.COMPLAINANT,
        first_name="Ximena",
        last_name="Castellanos",
        email="ximena.castellanos@example.org",
        phone="215-555-0142",
        address="4471 N Marvine St, Philadelphia, PA 19140",
    )
    Party.objects.create(complaint=complaint, role=Party.Role.WITNESS, first_name="Desmond", last_name="Okafor")
    draft = publication_draft(complaint=complaint, actor=publisher)
    approved = publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    published = publication_move(publication=approved, actor=second_publisher, to_status=P.PUBLISHED)
    refresh_snapshot()
    reports = []
    for kind, year, quarter in ((PublicReport.Kind.ANNUAL, 2025, None), (PublicReport.Kind.QUARTERLY, 2026, 2)):
        report = report_generate(
            kind=kind, year=year, quarter=quarter, actor=publisher, narrative="The board met eleven times."
        )
        report_move(report=report, target=PublicReport.Status.APPROVED, actor=second_publisher)
        report_move(report=report, target=PublicReport.Status.PUBLISHED, actor=second_publisher)
        reports.append(report)
    return {"complaint": complaint, "publication": published, "reports": reports}


def _public_urls(publication: Publication, reports: list[PublicReport]) -> list[str]:
    public_id = publication.public_id
    urls = [
        "/",
        reverse("public_portal:disposition_list"),
        reverse("public_portal:disposition_list") + "?year=2026",
        reverse("public_portal:disposition_detail", args=[public_id]),
        reverse("public_portal:dashboard"),
        reverse("public_portal:dashboard") + "?year=2025",
        reverse("public_portal:open_data"),
        reverse("public_portal:data_dictionary"),
        reverse("public_portal:report_list"),
        reverse("public_portal:recommendation_list"),
        "/api/v1/dispositions/",
        f"/api/v1/dispositions/{public_id}/",
        "/api/v1/allegations/",
        "/api/v1/statistics/",
        "/api/schema/",
    ]
    for dataset in ("cases", "allegations"):
        for fmt in ("csv", "json"):
            urls.append(reverse("public_portal:open_data_download", kwargs={"dataset": dataset, "format": fmt}))
    for report in reports:
        urls.append(reverse("public_portal:report_download", args=[report.slug]))
    return urls


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode()


def _statistics_urls(client: Client) -> list[str]:
    keys = [row["key"] for row in json.loads(client.get("/api/v1/statistics/").content)["tables"]]
    urls = []
    for key in keys:
        urls.append(f"/api/v1/statistics/{key}/")
        for fmt in ("csv", "json"):
            urls.append(reverse("public_portal:statistics_download", kwargs={"key": key, "format": fmt}))
    return urls


def test_no_personal_detail_reaches_any_public_surface(world):
    client = Client()
    urls = _public_urls(world["publication"], world["reports"]) + _statistics_urls(client)
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = _body(response)
    for url, body in seen.items():
        plain = _plain(body)
        found = [canary for canary in CANARIES if canary in plain]
        assert not found, (url, found)
    detail = seen[reverse("public_portal:disposition_detail", args=[world["publication"].public_id])]
    for control in CONTROLS:
        assert _plain(control) in _plain(detail)
    # The disclosed officer is named on the case's page, in the downloads and the API; the other is
    # "Officer A"/"Officer B" everywhere.
    assert DISCLOSED_OFFICER.lower() in _plain(detail)
    assert DISCLOSED_OFFICER.lower() in _plain(seen[f"/api/v1/dispositions/{world['publication'].public_id}/"])
    assert re.search(r"officer [ab]\b", _plain(detail))


def test_public_requests_read_no_case_or_party_table(world):
    client = Client()
    urls = _public_urls(world["publication"], world["reports"]) + _statistics_urls(client)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            _body(response)
        assert response.status_code == 200, url
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        read = [t for t in FORBIDDEN_TABLES if re.search(rf'\b"?{t}"?\b', sql)]
        assert not read, (url, read)


def test_a_retraction_takes_the_case_off_every_surface_at_once(world, second_publisher, publisher):
    client = Client()
    publication = world["publication"]
    public_id = publication.public_id
    assert public_id in client.get(reverse("public_portal:disposition_list")).content.decode()

    publication_move(
        publication=publication,
        actor=second_publisher,
        to_status=P.RETRACTED,
        reason="Published before the department's appeal closed.",
    )

    assert public_id not in client.get(reverse("public_portal:disposition_list")).content.decode()
    assert client.get(reverse("public_portal:disposition_detail", args=[public_id])).status_code == 404
    for dataset in ("cases", "allegations"):
        for fmt in ("csv", "json"):
            url = reverse("public_portal:open_data_download", kwargs={"dataset": dataset, "format": fmt})
            assert public_id not in _body(client.get(url)), url
    assert public_id not in client.get("/api/v1/dispositions/").content.decode()
    assert client.get(f"/api/v1/dispositions/{public_id}/").status_code == 404
    assert public_id not in client.get("/api/v1/allegations/").content.decode()
    # A report generated afterwards does not name it (reports never list cases one by one) and says
    # nothing that came only from it.
    later = report_generate(kind=PublicReport.Kind.QUARTERLY, year=2026, quarter=2, actor=publisher)
    text = _plain("\n".join(p.extract_text() or "" for p in PdfReader(later.file.open("rb")).pages))
    assert public_id.lower() not in text
    assert DISCLOSED_OFFICER.lower() not in text
