"""Fixtures of the public report tests.

``fake_pdf`` replaces the PDF build with a few bytes, for tests of the lifecycle, pages and tasks
that do not read the PDF (the document tests build real ones). ``second_publisher`` is the other
publication officer the two-person rule needs.
"""

import hashlib
from datetime import date

import pytest
from django.utils import timezone

from oversight.permissions import Role
from public_portal.transparency.reports import services
from public_portal.transparency.reports.models import PublicReport

from ...factories import UserFactory

S = PublicReport.Status
LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def fake_pdf(monkeypatch):
    """The PDF build, replaced: each build gives different bytes, and the calls are counted."""
    calls = []

    def render(report):
        calls.append(report.slug)
        content = f"%PDF-1.4 fake report {report.slug} build {len(calls)} {report.narrative}".encode()
        return services.Rendered(
            content=content, sha256=hashlib.sha256(content).hexdigest(), pages=3, as_of=timezone.now()
        )

    monkeypatch.setattr(services, "render_report", render)
    return calls


@pytest.fixture
def second_publisher(db):
    return UserFactory(username="pat_publisher", roles=[Role.PUBLISHER], first_name="Pat", last_name="Lin")


def draft(actor, *, kind="annual", year=LAST_YEAR, quarter=None, narrative="The board's year.", language="en"):
    return services.report_generate(
        kind=kind, year=year, quarter=quarter, language=language, narrative=narrative, actor=actor
    )


def published(author, approver, **kwargs) -> PublicReport:
    report = draft(author, **kwargs)
    services.report_move(report=report, target=S.APPROVED, actor=approver)
    services.report_move(report=report, target=S.PUBLISHED, actor=author)
    report.refresh_from_db()
    return report


def first_day_after(year: int) -> date:
    return date(year + 1, 1, 1)
