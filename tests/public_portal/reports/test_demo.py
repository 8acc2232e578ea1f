"""The demo: one annual and one quarterly report, generated, approved by a second person, published."""

import pytest
from django.core.management import call_command

from public_portal.transparency.reports.models import PublicReport

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_one_report_of_each_kind_approved_by_a_second_person(client):
    call_command("seed_demo", complaints=60, seed=7, as_of="2026-11-01", quiet_logins=True)
    reports = PublicReport.objects.order_by("kind")
    assert [(r.slug, r.status) for r in reports] == [("2025-annual", "published"), ("2026-q3", "published")]
    for report in reports:
        assert report.requested_by.username == "publisher"
        assert report.approved_by.username == "publisher2"
        assert report.published_by.username == "publisher"
        assert report.narrative and report.sha256
    page = client.get("/reports/").content.decode()
    assert "Annual report 2025" in page and "Quarterly report, July to September 2026" in page
    assert client.get("/reports/2025-annual.pdf").status_code == 200
