"""The report pages: the public list and download, and the publication officers' staff pages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.models import AuditEvent
from public_portal.transparency.reports import services
from public_portal.transparency.reports.models import PublicReport

from .conftest import LAST_YEAR, draft, published

pytestmark = pytest.mark.django_db

S = PublicReport.Status


@pytest.fixture
def reports(publisher, second_publisher, fake_pdf):
    """A published annual report and fourth-quarter report of last year, and a draft of last year's
    first quarter, which the public must not see."""
    annual = published(publisher, second_publisher)
    quarter = published(publisher, second_publisher, kind="quarterly", quarter=4)
    unpublished = draft(publisher, kind="quarterly", quarter=1)
    return {"annual": annual, "quarter": quarter, "draft": unpublished}


# --- Public ------------------------------------------------------------------------------------------------


def test_the_public_list_shows_published_reports_newest_first_with_dates(client, reports):
    response = client.get("/reports/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Annual report {LAST_YEAR}" in page
    assert f"Quarterly report, October to December {LAST_YEAR}" in page
    assert "January to March" not in page  # the draft
    assert page.index(f"Annual report {LAST_YEAR}") < page.index("October to December")
    assert f'href="/reports/{LAST_YEAR}-annual.pdf"' in page
    assert "Last updated" in page and "Numbers as of" in page
    assert f'<h2 class="margin-top-4">{LAST_YEAR}</h2>' in page


def test_the_empty_list_says_so_plainly(client):
    page = client.get("/reports/").content.decode()
    assert "No report has been published yet." in page
    assert "Nothing has been published here yet." in page


def test_the_public_list_in_spanish(client, reports):
    client.cookies["django_language"] = "es"
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_a_published_report_downloads_as_a_pdf_attachment(client, reports, private_storage):
    response = client.get(f"/reports/{LAST_YEAR}-annual.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'attachment; filename="cpoc-report-{LAST_YEAR}-annual.pdf"')
    body = b"".join(response.streaming_content)
    with private_storage.open(reports["annual"].file.name) as stored:
        assert body == stored.read()


def test_drafts_unknown_and_retracted_reports_are_404(client, reports, publisher):
    assert client.get(f"/reports/{LAST_YEAR}-q1.pdf").status_code == 404  # a draft
    assert client.get("/reports/1999-annual.pdf").status_code == 404
    services.report_move(report=reports["annual"], target=S.RETRACTED, actor=publisher, reason="Wrong table.")
    assert client.get(f"/reports/{LAST_YEAR}-annual.pdf").status_code == 404
    page = client.get("/reports/").content.decode()
    assert f"Annual report {LAST_YEAR}" not in page
    assert "October to December" in page


def test_public_pages_read_only_the_report_table(client, reports):
    allowed = {"public_reports_publicreport"}
    for url in ("/reports/", f"/reports/{LAST_YEAR}-annual.pdf", "/reports/1999-annual.pdf"):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        sql = " ".join(query["sql"] for query in captured.captured_queries).lower()
        tables = {name for name in connection.introspection.table_names() if f'"{name}"' in sql}
        assert tables <= allowed, (url, tables)
        for forbidden in ("complaints_", "investigations_", "board_", "auth_user", "oversight_auditevent"):
            assert forbidden not in sql, (url, forbidden)


# --- Staff: who may ----------------------------------------------------------------------------------------


def _staff_urls(report: PublicReport) -> list[str]:
    return [
        "/staff/publication/reports/",
        "/staff/publication/reports/new/",
        f"/staff/publication/reports/{report.pk}/",
        f"/staff/publication/reports/{report.pk}/report.pdf",
    ]


def test_a_publisher_opens_every_staff_page(client, reports, publisher):
    client.force_login(publisher)
    for url in _staff_urls(reports["draft"]):
        assert client.get(url).status_code == 200, url
    assert AuditEvent.objects.filter(action="report.downloaded", actor=publisher).count() == 1


@pytest.mark.parametrize(
    "persona",
    ["supervisor", "intake_coordinator", "assigned_investigator", "other_investigator", "board_member", "sysadmin"],
)
def test_other_roles_get_the_staff_403_page_and_cannot_post(request, client, reports, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    report = reports["draft"]
    for url in _staff_urls(report):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Staff workspace" in response.content.decode()
    for url, data in [
        (f"/staff/publication/reports/{report.pk}/move/", {"to": "approved", "expected": "draft"}),
        (f"/staff/publication/reports/{report.pk}/narrative/", {"narrative": "x", "narrative_language": "en"}),
        ("/staff/publication/reports/new/", {"kind": "annual", "year": str(LAST_YEAR), "language": "en"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.narrative == "The board's year."


def test_signed_out_visitors_are_sent_to_sign_in(client, reports):
    for url in _staff_urls(reports["draft"]):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url


def test_an_unknown_report_is_404_for_a_publisher(client, publisher):
    client.force_login(publisher)
    assert client.get("/staff/publication/reports/999999/").status_code == 404
    assert client.post("/staff/publication/reports/999999/move/", {"to": "approved"}).status_code == 404


def test_posting_needs_the_form_token(reports, second_publisher):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(second_publisher)
    report = reports["draft"]
    response = csrf_client.post(
        f"/staff/publication/reports/{report.pk}/move/", {"to": "approved", "expected": "draft"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == S.DRAFT


# --- Staff: the steps --------------------------------------------------------------------------------------


def test_the_list_shows_every_report_with_its_status(client, reports, publisher):
    client.force_login(publisher)
    page = client.get("/staff/publication/reports/").content.decode()
    assert page.count("Published") >= 2 and "Draft" in page
    assert f"{LAST_YEAR}-q1" in page


def test_the_author_is_told_why_they_cannot_approve(client, reports, publisher):
    client.force_login(publisher)
    page = client.get(f"/staff/publication/reports/{reports['draft'].pk}/").content.decode()
    assert "Approve: not possible yet." in page
    assert "someone else must approve it (the two-person rule)" in page
    assert "Save the narrative and rebuild the report" in page


def test_a_second_publisher_approves_through_the_page_and_the_author_publishes(
    client, reports, publisher, second_publisher
):
    report = reports["draft"]
    client.force_login(second_publisher)
    page = client.get(f"/staff/publication/reports/{report.pk}/").content.decode()
    assert ">Approve</button>" in page
    response = client.post(f"/staff/publication/reports/{report.pk}/move/", {"to": "approved", "expected": "draft"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == S.APPROVED

    client.force_login(publisher)
    client.post(f"/staff/publication/reports/{report.pk}/move/", {"to": "published", "expected": "approved"})
    report.refresh_from_db()
    assert report.status == S.PUBLISHED
    assert client.get(f"/reports/{LAST_YEAR}-q1.pdf").status_code == 200


def test_the_author_approving_through_the_page_gets_the_plain_refusal(client, reports, publisher):
    report = reports["draft"]
    client.force_login(publisher)
    response = client.post(
        f"/staff/publication/reports/{report.pk}/move/", {"to": "approved", "expected": "draft"}, follow=True
    )
    assert "someone else must approve it (the two-person rule)" in response.content.decode()
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_retracting_without_a_reason_asks_for_one(client, reports, publisher):
    report = reports["annual"]
    client.force_login(publisher)
    response = client.post(
        f"/staff/publication/reports/{report.pk}/move/", {"to": "retracted", "expected": "published"}
    )
    assert response.status_code == 400
    assert "Give a reason for this step." in response.content.decode()
    client.post(
        f"/staff/publication/reports/{report.pk}/move/",
        {"to": "retracted", "expected": "published", "reason": "The quarter's totals were wrong."},
    )
    report.refresh_from_db()
    assert report.status == S.RETRACTED
    assert client.get(f"/reports/{LAST_YEAR}-annual.pdf").status_code == 404


def test_an_unknown_step_is_refused_plainly(client, reports, publisher):
    client.force_login(publisher)
    report = reports["draft"]
    response = client.post(f"/staff/publication/reports/{report.pk}/move/", {"to": "shredded"}, follow=True)
    assert "That step could not be read." in response.content.decode()
    response = client.post(f"/staff/publication/reports/{report.pk}/move/", {"to": "retracted"}, follow=True)
    assert "cannot be moved to" in response.content.decode()


def test_the_generate_form_asks_for_a_report_and_it_is_built(
    client, publisher, fake_pdf, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/publication/reports/new/",
            {"kind": "quarterly", "year": str(LAST_YEAR), "quarter": "2", "language": "es"},
        )
    report = PublicReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("public_reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert (report.slug, report.language, report.status) == (f"{LAST_YEAR}-q2", "es", S.DRAFT)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "quarterly", "year": str(LAST_YEAR), "language": "en"}, "Choose the quarter the report covers."),
        ({"kind": "annual", "year": "2999", "language": "en"}, "Give a year from 2000 to"),
        ({"kind": "annual", "year": "1999", "language": "en"}, "Ensure this value is greater than or equal to 2000"),
        ({"kind": "weekly", "year": str(LAST_YEAR), "language": "en"}, "Select a valid choice."),
    ],
)
def test_the_generate_form_says_what_is_wrong(client, publisher, fake_pdf, data, message):
    client.force_login(publisher)
    response = client.post("/staff/publication/reports/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PublicReport.objects.exists()


def test_the_current_year_is_refused_on_the_form_with_the_reason(client, publisher, fake_pdf):
    from django.utils import timezone

    client.force_login(publisher)
    response = client.post(
        "/staff/publication/reports/new/", {"kind": "annual", "year": str(timezone.localdate().year), "language": "en"}
    )
    assert response.status_code == 400
    assert "This period has not ended yet" in response.content.decode()


def test_the_narrative_form_saves_and_rebuilds(client, reports, publisher, django_capture_on_commit_callbacks):
    report = reports["draft"]
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/publication/reports/{report.pk}/narrative/",
            {"narrative": "Un trimestre tranquilo.", "narrative_language": "es"},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.narrative, report.narrative_language) == (S.DRAFT, "Un trimestre tranquilo.", "es")


def test_the_narrative_of_a_published_report_cannot_change(client, reports, publisher):
    report = reports["annual"]
    client.force_login(publisher)
    response = client.post(
        f"/staff/publication/reports/{report.pk}/narrative/",
        {"narrative": "New words.", "narrative_language": "en"},
        follow=True,
    )
    assert "it is now “Published”" in response.content.decode()
    report.refresh_from_db()
    assert report.narrative == "The board's year."


def test_the_staff_home_links_publishers_to_the_reports(client, reports, publisher, supervisor):
    client.force_login(publisher)
    page = client.get(reverse("staff:home")).content.decode()
    assert "1 report is waiting to be approved or published." in page
    assert reverse("public_reports:list") in page
    client.force_login(supervisor)
    assert reverse("public_reports:list") not in client.get(reverse("staff:home")).content.decode()
