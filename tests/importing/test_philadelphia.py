"""The worked example: Philadelphia's public complaint data through ``docs/import/philadelphia.toml``.

The expected counts are computed here straight from the CSV files with Python's csv module and a
category table written out by hand (Philadelphia's categories to the taxonomy's classes), not read
from the mapping under test.
"""

import csv
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear

from complaints.models import Allegation, Complaint, Party, SubjectOfficer
from investigations.importing.models import ImportedCase, SourceRecord
from investigations.models import Finding
from oversight.models import AuditEvent
from tests.public_data import PHILADELPHIA as DATA
from tests.public_data import ROOT, needs_philadelphia

MAPPING = ROOT / "docs" / "import" / "philadelphia.toml"

pytestmark = [pytest.mark.django_db(transaction=True), needs_philadelphia]

# Philadelphia's allegation categories and the taxonomy class each belongs to, by hand.
CLASS_OF = {
    "physical abuse": "force",
    "verbal abuse": "discourtesy",
    "lack of service": "neglect-of-duty",
    "departmental violation": "other-policy",
    "unprofessional conduct": "other-policy",
    "harassment": "abuse-of-authority",
    "criminal allegation": "other-policy",
    "civil rights complaint": "bias",
    "domestic": "other-policy",
    "sexual crime/misconduct": "other-policy",
    "falsification": "untruthfulness",
    "disciplinary code violation": "other-policy",
    "other misconduct": "other-policy",
    "drugs": "other-policy",
    "investigation ongoing": "unclassified",
}
FINDING_OF = {"sustained finding": "sustained", "other than sustained finding": "not_sustained", "pending": "pending"}


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _expected() -> tuple[Counter, Counter, Counter]:
    years = {row["cap_number"]: int(row["date_received"][:4]) for row in _rows("ppd_complaints_7-18.csv")}
    by_category: Counter = Counter()
    by_finding: Counter = Counter()
    complaints: Counter = Counter(years.values())
    for row in _rows("ppd_complaint_disciplines_7-18.csv"):
        year = years[row["cap_number"]]
        by_category[(year, CLASS_OF[" ".join(row["allegations_investigated"].split()).lower()])] += 1
        by_finding[(year, FINDING_OF[row["investigative_findings"].strip().lower()])] += 1
    return complaints, by_category, by_finding


def _import(user) -> str:
    out = StringIO()
    call_command(
        "import_cases", str(MAPPING), "--data-dir", str(DATA), "--user", user.username, "--no-progress", stdout=out
    )
    return out.getvalue()


def _top(category) -> str:
    while category is not None and category.parent_id:
        category = category.parent
    return category.code if category is not None else "unclassified"


def test_philadelphia_imports_and_the_dashboard_counts_equal_the_csv(supervisor):
    from public_portal.transparency.statistics import published_statistics, refresh_snapshot

    printed = _import(supervisor)
    assert "3,786 cases created" in printed
    assert "8,978 allegations, 4,065 complainants" in printed
    assert Complaint.objects.count() == 3786
    assert Allegation.objects.count() == 8978
    assert Party.objects.count() == 4065
    assert ImportedCase.objects.filter(system="philadelphia-cap").count() == 3786
    assert dict(Complaint.objects.values_list("status").annotate(n=Count("id")).order_by()) == {
        "decided": 3347,
        "under_investigation": 415,
        "administratively_closed": 24,
    }
    assert mail.outbox == []
    expected_complaints, expected_categories, expected_findings = _expected()

    # The database holds what the files say.
    found_complaints = Counter(
        dict(
            Complaint.objects.annotate(y=ExtractYear("received_at")).values_list("y").annotate(n=Count("id")).order_by()
        )
    )
    assert found_complaints == expected_complaints
    categories: Counter = Counter()
    findings: Counter = Counter()
    for allegation in Allegation.objects.select_related("complaint", "category__parent", "finding"):
        year = allegation.complaint.received_at.year
        categories[(year, _top(allegation.category))] += 1
        finding = getattr(allegation, "finding", None)
        findings[(year, (finding.final_disposition or finding.proposed_disposition) if finding else "pending")] += 1
    assert categories == expected_categories
    assert findings == expected_findings

    # The public dashboard shows the same numbers in every cell it publishes (small counts are
    # suppressed, and a few others with them so they cannot be worked out).
    refresh_snapshot()
    compared = 0
    for year in range(2013, 2019):
        statistics = published_statistics(year=year)
        tables = {table.key: table for table in statistics.tables}
        for key, expected in (("by-category", expected_categories), ("by-disposition", expected_findings)):
            for row in tables[key].rows:
                cell = row.cells[0]
                if cell.count is None:
                    continue
                # A decided case's finding counts by its final disposition; pending ones are not in
                # the disposition table.
                assert cell.count == expected[(year, row.key)], (year, key, row.key)
                compared += 1
    assert compared > 60
    # Nothing names the complainants on the public side: the statistics hold counts only.


def test_a_second_import_changes_nothing(supervisor):
    _import(supervisor)
    before = {
        model.__name__: (model.objects.count(), model.objects.aggregate(m=Max("pk"))["m"])
        for model in (Complaint, Allegation, Party, SubjectOfficer, Finding, SourceRecord, ImportedCase)
    }
    events = AuditEvent.objects.count()
    printed = _import(supervisor)
    assert "0 cases created, 0 updated, 3,786 unchanged" in printed
    after = {
        model.__name__: (model.objects.count(), model.objects.aggregate(m=Max("pk"))["m"])
        for model in (Complaint, Allegation, Party, SubjectOfficer, Finding, SourceRecord, ImportedCase)
    }
    assert after == before
    # The second run records only its own start and end.
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events:]) == [
        "import.started",
        "import.completed",
    ]
    out = StringIO()
    call_command("workflow_check", stdout=out)
    assert "Every complaint's status agrees with its records." in out.getvalue()
