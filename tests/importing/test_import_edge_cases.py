"""``import_cases`` at its edges: bad exports give a clear report and write nothing, clean ones land
in the statuses their data implies with every record traced to its file and line, and a re-run
changes nothing but what changed in the source.

Every expected value (lines, counts, statuses, tracking numbers) is written out here from the
small exports the tests write, never read back from the importer.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Count, Max
from django.utils import timezone

from complaints.models import Allegation, Complaint, Party, PublicTimelineEntry, SubjectOfficer
from investigations.board.models import BoardDecision
from investigations.importing.models import ImportedCase, ImportRun, SourceRecord
from investigations.importing.writer import Writer
from investigations.models import CaseNote, Finding, Investigation, StatusChange
from investigations.retention.models import RetentionRecord
from oversight.models import AuditEvent
from search import backends
from search.backends.base import StaffQuery, scope_for
from search.models import PendingUpdate

from ..factories import ComplaintFactory
from .conftest import (
    GOOD_ALLEGATIONS,
    GOOD_CASES,
    GOOD_COMPLAINANTS,
    NOTHING_IMPORTED,
    assert_nothing_written,
    csv_lines,
    import_events,
)

pytestmark = pytest.mark.django_db

ENCODING_ADVICE = "save the file in that encoding or give the file's real encoding in the mapping"
RECEIVED_FORMATS = "%Y-%m-%d, %m/%d/%Y %H:%M, %Y-%m-%d %H:%M:%S"
UNMAPPED_HEADER = 'Values the mapping does not map (add them to the value table, or give it a default with "*"):'
CLEAN_IMPORT = (
    "4 cases created, 0 updated, 0 unchanged, 0 left as staff worked on them here; 4 allegations, 3 complainants."
)


def _by_tracking_number(field: str) -> dict[str, object]:
    return dict(Complaint.objects.values_list("tracking_number", field))


def _imported_line(lines: list[str]) -> str:
    """The closing line of a real run, without its timing ("Imported in 0.2 s: ")."""
    (line,) = [line for line in lines if line.startswith("Imported in ")]
    return line.split(": ", 1)[1]


def _snapshot() -> dict[str, tuple[int, int | None]]:
    """Rows and highest id of every table an import writes case records to."""
    models = (
        Complaint,
        Allegation,
        SubjectOfficer,
        Party,
        Finding,
        Investigation,
        BoardDecision,
        StatusChange,
        PublicTimelineEntry,
        ImportedCase,
        SourceRecord,
    )
    return {m.__name__: (m.objects.count(), m.objects.aggregate(top=Max("pk"))["top"]) for m in models}


# --- A bad export: a clear report, and nothing written ---------------------------------------------------

BAD_EXPORTS = [
    pytest.param(
        {"cases.csv": GOOD_CASES.replace("swore at the complainant", "swore at José").encode("latin-1")},
        ["cases (cases.csv) 0 0", f"cases line 3: is not valid utf-8: byte 0xe9 cannot be read; {ENCODING_ADVICE}"],
        id="bad-encoding",
    ),
    pytest.param(
        {
            "cases.csv": csv_lines(
                "case_no,received,incident,closed",
                "R-101,2019-03-04,2019-03-01,",
                "R-102,2019-04-10,2019-04,",
            )
        },
        ["cases line 1: has no column 'narrative' (its columns: case_no, received, incident, closed)"],
        id="missing-column-in-cases-file",
    ),
    pytest.param(
        {
            "allegations.csv": csv_lines(
                "case_no,officer,officer_race,allegation,finding",
                "R-101,JD,White,Physical Abuse,Sustained",
            )
        },
        [
            "Errors (1):",
            "allegations line 1: has no column 'officer_sex' "
            "(its columns: case_no, officer, officer_race, allegation, finding)",
        ],
        id="missing-column-in-allegations-file",
    ),
    pytest.param(
        {"allegations.csv": GOOD_ALLEGATIONS.replace("Verbal Abuse,Not Sustained", "Verbal Abuse")},
        ["Errors (1):", "allegations (allegations.csv) 4 3", "allegations line 3: has 5 fields; the header has 6"],
        id="row-missing-a-field",
    ),
    pytest.param(
        {
            "cases.csv": csv_lines(
                "case_no,received,incident,closed,narrative",
                "R-101,2019-03-04,2019-03-01,,Officer pushed the complainant against a wall outside the library.",
                "R-102,2019-13-45,2019-04,,Officer swore at the complainant during a traffic stop.",
                "R-103,2019-05-20,Spring 2019,2019-11-30,Nobody came when the complainant called about a break-in.",
                "R-104,,,,The complainant wrote once and did not answer the office's letters.",
            )
        },
        [
            "cases (cases.csv) 4 1",
            "Errors (3):",
            f"cases line 3: received: '2019-13-45' is not a date in the formats {RECEIVED_FORMATS}",
            "cases line 4: incident: 'Spring 2019' is not a date in the formats %Y-%m-%d, %Y-%m, %Y",
            "cases line 5: received: no date",
        ],
        id="malformed-dates",
    ),
    pytest.param(
        {"cases.csv": GOOD_CASES + "R-101,2019-07-01,,,A second complaint under the same number.\n"},
        ["Errors (1):", "cases line 6: case id 'R-101' is also on line 2: each case id once"],
        id="duplicate-case-ids",
    ),
    pytest.param(
        {
            "allegations.csv": csv_lines(
                "case_no,officer,officer_race,officer_sex,allegation,finding",
                "R-101,JD,White,Male,Excessive Force,Sustained",
                "R-101,JD,White,Male,excessive  FORCE,Not Sustained",
                "R-102,KM,Black,Female,Verbal Abuse,Pending Review",
                "R-103,PL,Latino,Male,Lack of Service,Not Sustained",
            )
        },
        [
            "Errors: none.",
            UNMAPPED_HEADER,
            "[values.categories] 'excessive force': 2 rows (first in allegations line 2)",
            "[values.dispositions] 'pending review': 1 row (first in allegations line 4)",
        ],
        id="unknown-values",
    ),
    pytest.param(
        {
            "allegations.csv": GOOD_ALLEGATIONS + "R-999,ZZ,White,Male,Physical Abuse,Sustained\n",
            "complainants.csv": GOOD_COMPLAINANTS + "R-998,QQ,Black,Male,30\n",
        },
        [
            "Errors (2):",
            "allegations line 6: case id 'R-999' (column 'case_no') is not in the cases file",
            "complainants line 5: case id 'R-998' (column 'case_no') is not in the cases file",
        ],
        id="join-key-with-no-parent",
    ),
    pytest.param(
        {"complainants.csv": None},
        ["Errors (1):", "complainants file: cannot be read: No such file or directory (complainants.csv)"],
        id="missing-file",
    ),
    pytest.param(
        {"cases.csv": ""},
        ["cases line 1: is empty: no header row"],
        id="empty-cases-file",
    ),
]


@pytest.mark.parametrize(("files", "expected"), BAD_EXPORTS)
def test_a_bad_export_is_reported_by_file_and_line_and_nothing_is_written(office, files, expected):
    for name, content in files.items():
        if content is None:
            (office.folder / name).unlink()
        else:
            office.write(name, content)

    dry = office.dry_run()
    assert dry[0] == "Import from riverton-cms (riverton.toml): dry run, nothing is written"
    for line in expected:
        assert line in dry
    assert_nothing_written()

    refused = office.refused()
    assert refused.message == NOTHING_IMPORTED
    assert refused.lines[0] == "Import from riverton-cms (riverton.toml)"
    # The real run printed the same report, problem for problem, before refusing.
    assert refused.lines[1:] == dry[1:]
    assert_nothing_written()


def test_a_re_run_of_a_refused_export_still_writes_nothing(office):
    office.write("allegations.csv", GOOD_ALLEGATIONS + "R-999,ZZ,White,Male,Physical Abuse,Sustained\n")
    office.refused()
    office.refused()
    assert_nothing_written()


def test_the_same_latin_1_bytes_read_as_utf_8_are_refused_at_the_line_they_are_on(office):
    # The narrative of R-101 spans lines 2 to 4; José is on line 6, the row of R-103.
    office.write(
        "cases.csv",
        csv_lines(
            "case_no,received,incident,closed,narrative",
            'R-101,2019-03-04,2019-03-01,,"The complainant wrote:',
            "he pushed me against the wall,",
            'then he laughed."',
            "R-102,2019-04-10,2019-04,,Officer swore at the complainant during a traffic stop.",
            "R-103,2019-05-20,2019,2019-11-30,Nobody came when José called about a break-in.",
        ).encode("latin-1"),
    )
    refused = office.refused()
    assert f"cases line 6: is not valid utf-8: byte 0xe9 cannot be read; {ENCODING_ADVICE}" in refused.lines
    assert_nothing_written()


def test_a_bad_byte_in_a_file_saved_with_a_utf_8_bom_is_named_with_its_own_line_and_byte(office):
    """Spreadsheets save "CSV UTF-8" with a byte-order mark, which the mapping's utf-8 accepts. A
    stray latin-1 byte in such a file must still be reported at its line, as that byte."""
    office.write(
        "cases.csv",
        b"\xef\xbb\xbf"
        + csv_lines(
            "case_no,received,incident,closed,narrative",
            'R-101,2019-03-04,2019-03-01,,"The officer said:',
            'écoute bien."',
            "R-102,2019-04-10,2019-04,,Officer swore at the complainant during a traffic stop.",
        ).encode("latin-1"),
    )
    dry = office.dry_run()
    assert f"cases line 3: is not valid utf-8: byte 0xe9 cannot be read; {ENCODING_ADVICE}" in dry
    assert office.refused().message == NOTHING_IMPORTED
    assert_nothing_written()


def test_tracking_numbers_that_would_be_cut_to_the_same_32_characters_are_refused_before_writing(office):
    """Tracking numbers keep at most 32 characters. Two source ids that agree in the characters
    kept would give two complaints one number: the report must say so, and nothing is written."""
    office.write(
        "cases.csv",
        csv_lines(
            "case_no,received,incident,closed,narrative",
            "INTERNAL-AFFAIRS-DIVISION-2019-000101,2019-03-04,,,Officer pushed the complainant.",
            "INTERNAL-AFFAIRS-DIVISION-2019-000102,2019-04-10,,,Officer swore at the complainant.",
        ),
    )
    office.write("allegations.csv", csv_lines("case_no,officer,officer_race,officer_sex,allegation,finding"))
    office.write("complainants.csv", csv_lines("case_no,initials,race,sex,age"))

    dry = office.dry_run()
    assert "Errors: none." not in dry
    assert any(line.startswith("cases line 3:") and "RIV-INTERNAL-AFFAIRS-DIVISION-20" in line for line in dry)

    refused = office.refused("--batch-size", "1")
    assert refused.message == NOTHING_IMPORTED
    assert_nothing_written()


def test_more_errors_than_max_errors_are_counted_after_the_ones_listed(office):
    orphans = "".join(f"R-9{n:02d},ZZ,White,Male,Physical Abuse,Sustained\n" for n in range(60))
    office.write("allegations.csv", GOOD_ALLEGATIONS + orphans)

    dry = office.dry_run("--max-errors", "5")
    start = dry.index("Errors (60):")
    assert dry[start : start + 7] == [
        "Errors (60):",
        "allegations line 6: case id 'R-900' (column 'case_no') is not in the cases file",
        "allegations line 7: case id 'R-901' (column 'case_no') is not in the cases file",
        "allegations line 8: case id 'R-902' (column 'case_no') is not in the cases file",
        "allegations line 9: case id 'R-903' (column 'case_no') is not in the cases file",
        "allegations line 10: case id 'R-904' (column 'case_no') is not in the cases file",
        "allegations: 55 more errors (--max-errors to list more)",
    ]
    assert_nothing_written()


def test_a_tracking_number_another_complaint_has_is_refused_and_nothing_is_written(office):
    ComplaintFactory(tracking_number="RIV-R-103")

    dry = office.dry_run()
    assert "Errors (1):" in dry
    assert (
        "cases line 4: tracking number RIV-R-103 is already another complaint's (change tracking_number in the mapping)"
        in dry
    )
    refused = office.refused()
    assert refused.message == NOTHING_IMPORTED
    assert refused.lines[1:] == dry[1:]
    assert list(Complaint.objects.values_list("tracking_number", flat=True)) == ["RIV-R-103"]
    assert (ImportedCase.objects.count(), ImportRun.objects.count(), Allegation.objects.count()) == (0, 0, 0)
    assert import_events() == []


# --- A clean export -----------------------------------------------------------------------------------


def test_a_clean_export_imports_every_case_in_the_status_its_data_implies(office):
    lines = office.imports()

    assert "Statuses the data implies: administratively_closed 1, closed 1, decided 1, under_investigation 1" in lines
    assert "Errors: none." in lines
    assert "Unmapped values: none." in lines
    assert _imported_line(lines) == CLEAN_IMPORT
    assert _by_tracking_number("status") == {
        "RIV-R-101": "decided",  # every finding final, no closing date
        "RIV-R-102": "under_investigation",  # a finding still pending
        "RIV-R-103": "closed",  # every finding final and a closing date
        "RIV-R-104": "administratively_closed",  # no allegation rows: [status].no_allegations
    }
    assert _by_tracking_number("closure_reason") == {
        "RIV-R-101": "",
        "RIV-R-102": "",
        "RIV-R-103": "",
        "RIV-R-104": "withdrawn",
    }
    assert _by_tracking_number("anonymity") == {
        "RIV-R-101": "named",
        "RIV-R-102": "named",
        "RIV-R-103": "named",
        "RIV-R-104": "anonymous",
    }
    assert _by_tracking_number("channel") == dict.fromkeys(["RIV-R-101", "RIV-R-102", "RIV-R-103", "RIV-R-104"], "mail")

    findings = {
        (a.complaint.tracking_number, a.category.code): (
            (a.finding.proposed_disposition, a.finding.final_disposition) if hasattr(a, "finding") else None
        )
        for a in Allegation.objects.select_related("complaint", "category", "finding")
    }
    assert findings == {
        ("RIV-R-101", "force-physical"): ("sustained", "sustained"),
        ("RIV-R-101", "disc-words"): ("not_sustained", "not_sustained"),
        ("RIV-R-102", "disc-words"): None,  # "Pending": no finding yet
        ("RIV-R-103", "nod-service"): ("not_sustained", "not_sustained"),
    }
    parties = {
        (p.complaint.tracking_number, p.last_name): (
            p.role,
            p.race_ethnicity,
            p.gender,
            p.age_range,
            p.preferred_contact,
        )
        for p in Party.objects.select_related("complaint")
    }
    assert parties == {
        ("RIV-R-101", "BH"): ("complainant", "black", "female", "18_24", "none"),
        ("RIV-R-102", "NB"): ("complainant", "white", "female", "65_plus", "none"),
        ("RIV-R-103", "JM"): ("complainant", "unknown", "male", "", "none"),
    }
    # One status change per case, action "import", dated by the source's date for the status.
    changes = {
        c.complaint.tracking_number: (c.action, c.from_status, c.to_status, timezone.localdate(c.created_at))
        for c in StatusChange.objects.select_related("complaint")
    }
    assert changes == {
        "RIV-R-101": ("import", "received", "decided", date(2019, 3, 4)),
        "RIV-R-102": ("import", "received", "under_investigation", date(2019, 4, 10)),
        "RIV-R-103": ("import", "received", "closed", date(2019, 11, 30)),
        "RIV-R-104": ("import", "received", "administratively_closed", date(2019, 6, 2)),
    }
    assert sorted(BoardDecision.objects.values_list("complaint__tracking_number", flat=True)) == [
        "RIV-R-101",
        "RIV-R-103",
    ]
    run = ImportRun.objects.get()
    assert (run.system, run.mapping_name, run.outcome, run.started_by) == (
        "riverton-cms",
        "riverton.toml",
        "completed",
        office.user,
    )
    assert import_events() == ["import.started", "case.transitioned", "import.batch_written", "import.completed"]


def test_a_finding_the_source_gives_is_final_even_while_the_case_is_still_under_investigation(office):
    """docs/import.md: "A disposition the source gives is recorded as that allegation's final
    finding, also in a case still under investigation for its other allegations: the source
    decided that one." """
    office.write(
        "allegations.csv",
        GOOD_ALLEGATIONS.replace(
            "R-102,KM,Black,Female,Verbal Abuse,Pending\n",
            "R-102,KM,Black,Female,Verbal Abuse,Pending\nR-102,KM,Black,Female,Physical Abuse,Sustained\n",
        ),
    )
    office.imports()

    complaint = Complaint.objects.get(tracking_number="RIV-R-102")
    assert complaint.status == "under_investigation"
    finding = Finding.objects.get(allegation__complaint=complaint, allegation__category__code="force-physical")
    assert (finding.proposed_disposition, finding.final_disposition) == ("sustained", "sustained")


def test_workflow_check_finds_every_imported_status_in_agreement_with_its_records(office):
    office.imports()
    out = io.StringIO()
    call_command("workflow_check", stdout=out)
    assert out.getvalue() == "Every complaint's status agrees with its records.\n"


def test_unmapped_values_are_listed_with_their_counts_in_the_dry_run(office):
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,officer,officer_race,officer_sex,allegation,finding",
            "R-101,JD,White,Male,Excessive Force,Sustained",
            "R-101,JD,White,Male,Excessive Force,Not Sustained",
            "R-102,KM,Black,Female,Discourtesy,Pending",
            "R-103,PL,Martian,Male,EXCESSIVE force,Unfounded",
        ),
    )
    dry = office.dry_run()

    start = dry.index(UNMAPPED_HEADER)
    # By table, then the most frequent value first; each value as the table compares it.
    assert dry[start:] == [
        UNMAPPED_HEADER,
        "[values.categories] 'excessive force': 3 rows (first in allegations line 2)",
        "[values.categories] 'discourtesy': 1 row (first in allegations line 4)",
        "[values.dispositions] 'unfounded': 1 row (first in allegations line 5)",
        "[values.races] 'martian': 1 row (first in allegations line 5)",
    ]
    assert "allegations (allegations.csv) 4 0" in dry
    assert_nothing_written()


def test_a_value_table_default_maps_the_values_it_does_not_list(office):
    office.mapping["values"]["categories"]["*"] = "opv-other"
    office.write(
        "allegations.csv",
        GOOD_ALLEGATIONS.replace("R-103,PL,Latino,Male,Lack of Service", "R-103,PL,Latino,Male,Ate on duty"),
    )
    assert "Unmapped values: none." in office.dry_run()

    office.imports()
    assert sorted(Allegation.objects.values_list("complaint__tracking_number", "category__code")) == [
        ("RIV-R-101", "disc-words"),
        ("RIV-R-101", "force-physical"),
        ("RIV-R-102", "disc-words"),
        ("RIV-R-103", "opv-other"),
    ]


def test_value_tables_match_whatever_the_case_and_the_spaces(office):
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,officer,officer_race,officer_sex,allegation,finding",
            'R-101,JD,WHITE,male,"  physical   ABUSE ",SUSTAINED',
            'R-101,JD,white,MALE,verbal abuse,"not   sustained"',
            "R-102,KM,Black,Female,Verbal Abuse,  pending  ",
            "R-103,PL,latino,Male,LACK OF SERVICE,Not Sustained",
        ),
    )
    assert "Unmapped values: none." in office.dry_run()

    office.imports()
    found = {
        (a.complaint.tracking_number, a.category.code): (
            a.subject_officer.race_as_given,
            a.subject_officer.gender_as_given,
            a.finding.final_disposition if hasattr(a, "finding") else None,
        )
        for a in Allegation.objects.select_related("complaint", "category", "subject_officer", "finding")
    }
    assert found == {
        ("RIV-R-101", "force-physical"): ("white", "male", "sustained"),
        ("RIV-R-101", "disc-words"): ("white", "male", "not_sustained"),
        ("RIV-R-102", "disc-words"): ("black", "female", None),
        ("RIV-R-103", "nod-service"): ("hispanic", "male", "not_sustained"),
    }
    # WHITE/male and white/MALE are the same officer once mapped.
    assert SubjectOfficer.objects.filter(complaint__tracking_number="RIV-R-101").count() == 1


def test_month_only_and_year_only_incident_dates_are_approximate(office):
    office.imports()
    assert {c.tracking_number: (c.incident_date, c.incident_date_precision) for c in Complaint.objects.all()} == {
        "RIV-R-101": (date(2019, 3, 1), "exact"),  # 2019-03-01
        "RIV-R-102": (date(2019, 4, 1), "approximate"),  # 2019-04
        "RIV-R-103": (date(2019, 1, 1), "approximate"),  # 2019
        "RIV-R-104": (None, "unknown"),  # no incident date
    }


def test_received_dates_with_a_time_keep_the_time_in_the_offices_time_zone(office):
    office.write(
        "cases.csv",
        csv_lines(
            "case_no,received,incident,closed,narrative",
            "R-101,03/04/2019 14:30,,,Officer pushed the complainant against a wall outside the library.",
            "R-102,2019-04-10 09:05:17,,,Officer swore at the complainant during a traffic stop.",
            "R-103,2019-05-20,,2019-11-30,Nobody came when the complainant called about a break-in.",
        ),
    )
    office.imports()
    received = {
        number: timezone.localtime(moment).replace(tzinfo=None)
        for number, moment in Complaint.objects.values_list("tracking_number", "received_at")
    }
    assert received == {
        "RIV-R-101": datetime(2019, 3, 4, 14, 30),
        "RIV-R-102": datetime(2019, 4, 10, 9, 5, 17),
        "RIV-R-103": datetime(2019, 5, 20, 0, 0),
    }


def test_a_semicolon_delimited_file_imports(office):
    office.mapping["files"]["cases"]["delimiter"] = ";"
    office.write(
        "cases.csv",
        csv_lines(
            "case_no;received;incident;closed;narrative",
            "R-101;2019-03-04;2019-03-01;;Officer stopped him, searched him, and left.",
            "R-102;2019-04-10;2019-04;;Officer swore at the complainant during a traffic stop.",
            "R-103;2019-05-20;2019;2019-11-30;Nobody came when the complainant called about a break-in.",
            "R-104;2019-06-02;;;The complainant wrote once and did not answer the office's letters.",
        ),
    )
    lines = office.imports()
    assert _imported_line(lines) == CLEAN_IMPORT
    assert _by_tracking_number("narrative")["RIV-R-101"] == "Officer stopped him, searched him, and left."
    assert _by_tracking_number("status")["RIV-R-103"] == "closed"


def test_a_latin_1_file_imports_when_the_mapping_says_latin_1(office):
    office.mapping["files"]["cases"]["encoding"] = "latin-1"
    office.write("cases.csv", GOOD_CASES.replace("swore at the complainant", "swore at José"), encoding="latin-1")

    lines = office.imports()
    assert _imported_line(lines) == CLEAN_IMPORT
    assert _by_tracking_number("narrative")["RIV-R-102"] == "Officer swore at José during a traffic stop."


# --- Officers ----------------------------------------------------------------------------------------


def test_an_officer_named_twice_in_a_case_is_one_subject_officer_with_both_allegations(office):
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,officer,officer_race,officer_sex,allegation,finding",
            "R-101,JD,White,Male,Physical Abuse,Sustained",
            "R-101,JD,White,Male,Verbal Abuse,Not Sustained",
            "R-102,KM,Black,Female,Verbal Abuse,Pending",
            "R-102,KM,Black,Male,Verbal Abuse,Pending",  # the same initials, another officer
            "R-103,JD,White,Male,Lack of Service,Not Sustained",  # JD again, in another case
        ),
    )
    office.imports()

    officers = Counter(
        Allegation.objects.values_list(
            "complaint__tracking_number",
            "subject_officer__name_as_given",
            "subject_officer__race_as_given",
            "subject_officer__gender_as_given",
        )
    )
    assert officers == {
        ("RIV-R-101", "JD", "white", "male"): 2,
        ("RIV-R-102", "KM", "black", "female"): 1,
        ("RIV-R-102", "KM", "black", "male"): 1,
        ("RIV-R-103", "JD", "white", "male"): 1,
    }
    assert dict(
        SubjectOfficer.objects.values_list("complaint__tracking_number").annotate(n=Count("id")).order_by()
    ) == {"RIV-R-101": 1, "RIV-R-102": 2, "RIV-R-103": 1}


def _officers_file_of_their_own(office) -> None:
    """The three-level shape: complaint, then allegations (keyed by allegation_id), then one row per
    officer of an allegation."""
    office.mapping["files"]["allegations"]["key"] = "allegation_id"
    office.mapping["files"]["officers"] = {
        "path": "officers.csv",
        "parent": "allegations",
        "parent_key": "allegation_id",
    }
    office.mapping["officers"]["file"] = "officers"
    office.write(
        "officers.csv",
        csv_lines(
            "allegation_id,officer,officer_race,officer_sex",
            "A-1,JD,White,Male",
            "A-1,TK,Black,Male",
            "A-2,JD,White,Male",
            "A-3,KM,Black,Female",
        ),
    )


def test_officers_given_in_a_file_of_their_own_make_one_allegation_per_officer(office):
    _officers_file_of_their_own(office)
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,allegation_id,allegation,finding",
            "R-101,A-1,Physical Abuse,Sustained",
            "R-101,A-2,Verbal Abuse,Not Sustained",
            "R-102,A-3,Verbal Abuse,Pending",
            "R-103,A-4,Lack of Service,Not Sustained",  # no officer row: an unidentified officer
        ),
    )
    office.imports()

    officers = {
        _described(r): (r.source_file, r.source_line)
        for r in SourceRecord.objects.filter(model="complaints.subjectofficer")
    }
    assert officers == {
        ("complaints.subjectofficer", "RIV-R-101", "JD"): ("officers.csv", 2),  # first named there
        ("complaints.subjectofficer", "RIV-R-101", "TK"): ("officers.csv", 3),
        ("complaints.subjectofficer", "RIV-R-102", "KM"): ("officers.csv", 5),
        ("complaints.subjectofficer", "RIV-R-103", ""): ("allegations.csv", 5),  # the allegation's row
    }
    allegations = Counter()
    for record in SourceRecord.objects.filter(model="complaints.allegation"):
        a = Allegation.objects.select_related("complaint", "category", "subject_officer").get(pk=record.object_id)
        allegations[
            (
                a.complaint.tracking_number,
                a.category.code,
                a.subject_officer.name_as_given,
                record.source_file,
                record.source_line,
            )
        ] += 1
    # One allegation per officer row, each traced to its allegation's row.
    assert allegations == {
        ("RIV-R-101", "force-physical", "JD", "allegations.csv", 2): 1,
        ("RIV-R-101", "force-physical", "TK", "allegations.csv", 2): 1,
        ("RIV-R-101", "disc-words", "JD", "allegations.csv", 3): 1,
        ("RIV-R-102", "disc-words", "KM", "allegations.csv", 4): 1,
        ("RIV-R-103", "nod-service", "", "allegations.csv", 5): 1,
    }
    assert Allegation.objects.count() == 5
    assert _by_tracking_number("status")["RIV-R-101"] == "decided"


def test_an_allegation_id_given_twice_is_an_error_not_a_silently_moved_allegation(office):
    """Officers rows point at allegations by their id. Two allegation rows with one id must be
    reported: otherwise the second replaces the first, and the first case's officer is recorded
    on the second case."""
    _officers_file_of_their_own(office)
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,allegation_id,allegation,finding",
            "R-101,A-1,Physical Abuse,Sustained",
            "R-101,A-2,Verbal Abuse,Not Sustained",
            "R-102,A-2,Verbal Abuse,Pending",
            "R-103,A-4,Lack of Service,Not Sustained",
        ),
    )
    office.write(
        "officers.csv",
        csv_lines("allegation_id,officer,officer_race,officer_sex", "A-1,JD,White,Male", "A-2,JD,White,Male"),
    )
    dry = office.dry_run()
    assert "Errors: none." not in dry
    assert any(line.startswith("allegations line 4:") and "'A-2'" in line for line in dry)

    refused = office.refused()
    assert refused.message == NOTHING_IMPORTED
    assert_nothing_written()


# --- Where each record came from --------------------------------------------------------------------------


def _described(record: SourceRecord) -> tuple:
    """The record a SourceRecord points at, named by what the export says about it."""
    if record.model == "complaints.complaint":
        return (record.model, Complaint.objects.get(pk=record.object_id).tracking_number)
    if record.model == "complaints.subjectofficer":
        officer = SubjectOfficer.objects.select_related("complaint").get(pk=record.object_id)
        return (record.model, officer.complaint.tracking_number, officer.name_as_given)
    if record.model == "complaints.allegation":
        allegation = Allegation.objects.select_related("complaint", "category").get(pk=record.object_id)
        return (record.model, allegation.complaint.tracking_number, allegation.category.code)
    if record.model == "investigations.finding":
        finding = Finding.objects.select_related("allegation__complaint", "allegation__category").get(
            pk=record.object_id
        )
        return (record.model, finding.allegation.complaint.tracking_number, finding.allegation.category.code)
    if record.model == "complaints.party":
        party = Party.objects.select_related("complaint").get(pk=record.object_id)
        return (record.model, party.complaint.tracking_number, party.last_name)
    raise AssertionError(f"a source record for an unexpected model: {record.model}")


def test_every_record_written_names_its_source_file_and_the_line_its_row_starts_on(office):
    office.write(
        "cases.csv",
        csv_lines(
            "case_no,received,incident,closed,narrative",
            'R-101,2019-03-04,2019-03-01,,"The complainant wrote:',
            '""He pushed me against the wall,',
            'then he laughed."""',
            "R-102,2019-04-10,2019-04,,Officer swore at the complainant during a traffic stop.",
            "R-103,2019-05-20,2019,2019-11-30,Nobody came when the complainant called about a break-in.",
            "R-104,2019-06-02,,,The complainant wrote once and did not answer the office's letters.",
        ),
    )
    office.write(
        "allegations.csv",
        csv_lines(
            "case_no,officer,officer_race,officer_sex,allegation,finding",
            "R-101,JD,White,Male,Physical Abuse,Sustained",
            "R-101,JD,White,Male,Verbal Abuse,Not Sustained",
            "",
            "R-102,KM,Black,Female,Verbal Abuse,Pending",
            "R-103,PL,Latino,Male,Lack of Service,Not Sustained",
        ),
    )
    office.imports()

    assert _by_tracking_number("narrative")["RIV-R-101"] == (
        'The complainant wrote:\n"He pushed me against the wall,\nthen he laughed."'
    )
    found = {_described(r): (r.source_file, r.source_line) for r in SourceRecord.objects.all()}
    assert found == {
        ("complaints.complaint", "RIV-R-101"): ("cases.csv", 2),
        ("complaints.complaint", "RIV-R-102"): ("cases.csv", 5),
        ("complaints.complaint", "RIV-R-103"): ("cases.csv", 6),
        ("complaints.complaint", "RIV-R-104"): ("cases.csv", 7),
        ("complaints.subjectofficer", "RIV-R-101", "JD"): ("allegations.csv", 2),  # first named there
        ("complaints.subjectofficer", "RIV-R-102", "KM"): ("allegations.csv", 5),
        ("complaints.subjectofficer", "RIV-R-103", "PL"): ("allegations.csv", 6),
        ("complaints.allegation", "RIV-R-101", "force-physical"): ("allegations.csv", 2),
        ("complaints.allegation", "RIV-R-101", "disc-words"): ("allegations.csv", 3),
        ("complaints.allegation", "RIV-R-102", "disc-words"): ("allegations.csv", 5),
        ("complaints.allegation", "RIV-R-103", "nod-service"): ("allegations.csv", 6),
        ("investigations.finding", "RIV-R-101", "force-physical"): ("allegations.csv", 2),
        ("investigations.finding", "RIV-R-101", "disc-words"): ("allegations.csv", 3),
        ("investigations.finding", "RIV-R-103", "nod-service"): ("allegations.csv", 6),
        ("complaints.party", "RIV-R-101", "BH"): ("complainants.csv", 2),
        ("complaints.party", "RIV-R-102", "NB"): ("complainants.csv", 3),
        ("complaints.party", "RIV-R-103", "JM"): ("complainants.csv", 4),
    }
    # One source record for each record written: none missing, none twice.
    assert SourceRecord.objects.count() == 17
    for model, name in (
        (Complaint, "complaints.complaint"),
        (SubjectOfficer, "complaints.subjectofficer"),
        (Allegation, "complaints.allegation"),
        (Party, "complaints.party"),
    ):
        assert sorted(SourceRecord.objects.filter(model=name).values_list("object_id", flat=True)) == sorted(
            model.objects.values_list("pk", flat=True)
        )
    assert {
        (case.complaint.tracking_number, case.source_id, case.source_file, case.source_line)
        for case in ImportedCase.objects.select_related("complaint")
    } == {
        ("RIV-R-101", "R-101", "cases.csv", 2),
        ("RIV-R-102", "R-102", "cases.csv", 5),
        ("RIV-R-103", "R-103", "cases.csv", 6),
        ("RIV-R-104", "R-104", "cases.csv", 7),
    }


def test_a_file_with_windows_line_endings_imports_with_the_lines_an_editor_shows(office):
    office.write(
        "cases.csv",
        csv_lines(
            "case_no,received,incident,closed,narrative",
            'R-101,2019-03-04,2019-03-01,,"Officer pushed the complainant.',
            'Then he left."',
            "R-102,2019-04-10,2019-04,,Officer swore at the complainant during a traffic stop.",
            "R-103,2019-05-20,2019,2019-11-30,Nobody came when the complainant called about a break-in.",
            "R-104,2019-06-02,,,The complainant wrote once and did not answer the office's letters.",
        ).replace("\n", "\r\n"),
    )
    office.write("allegations.csv", GOOD_ALLEGATIONS.replace("\n", "\r\n"))
    office.imports()

    assert dict(ImportedCase.objects.values_list("source_id", "source_line")) == {
        "R-101": 2,
        "R-102": 4,
        "R-103": 5,
        "R-104": 6,
    }
    assert sorted(
        SourceRecord.objects.filter(model="complaints.allegation").values_list("source_file", "source_line")
    ) == [("allegations.csv", 2), ("allegations.csv", 3), ("allegations.csv", 4), ("allegations.csv", 5)]
    assert _by_tracking_number("status")["RIV-R-103"] == "closed"


# --- Re-runs ----------------------------------------------------------------------------------------------


def test_a_second_run_of_the_same_export_changes_nothing(office):
    office.imports()
    before = _snapshot()
    fingerprints = dict(ImportedCase.objects.values_list("source_id", "fingerprint"))
    events = AuditEvent.objects.count()

    lines = office.imports()

    assert (
        "Cases: 4: 0 new, 0 changed since the last import, 4 unchanged, 0 worked on here since (left as they are)."
        in lines
    )
    assert _imported_line(lines).startswith("0 cases created, 0 updated, 4 unchanged,")
    assert _snapshot() == before
    assert dict(ImportedCase.objects.values_list("source_id", "fingerprint")) == fingerprints
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events:]) == [
        "import.started",
        "import.completed",
    ]


def test_a_changed_row_updates_that_case_only_and_it_keeps_its_id_and_tracking_number(office):
    office.imports()
    first_run = ImportRun.objects.get()
    ids = _by_tracking_number("id")
    others = {
        number: sorted(Allegation.objects.filter(complaint__tracking_number=number).values_list("pk", flat=True))
        for number in ("RIV-R-101", "RIV-R-103", "RIV-R-104")
    }
    assert _by_tracking_number("status")["RIV-R-102"] == "under_investigation"

    # Line 4: R-102's only allegation gets its finding.
    office.write(
        "allegations.csv",
        GOOD_ALLEGATIONS.replace(
            "R-102,KM,Black,Female,Verbal Abuse,Pending", "R-102,KM,Black,Female,Verbal Abuse,Sustained"
        ),
    )
    lines = office.imports()

    assert (
        "Cases: 4: 0 new, 1 changed since the last import, 3 unchanged, 0 worked on here since (left as they are)."
        in lines
    )
    assert _imported_line(lines).startswith("0 cases created, 1 updated, 3 unchanged,")
    assert _by_tracking_number("id") == ids
    assert _by_tracking_number("status") == {
        "RIV-R-101": "decided",
        "RIV-R-102": "decided",
        "RIV-R-103": "closed",
        "RIV-R-104": "administratively_closed",
    }
    finding = Finding.objects.get(allegation__complaint_id=ids["RIV-R-102"])
    assert (finding.proposed_disposition, finding.final_disposition) == ("sustained", "sustained")
    assert list(
        StatusChange.objects.filter(complaint_id=ids["RIV-R-102"]).values_list("action", "from_status", "to_status")
    ) == [("import", "received", "decided")]
    assert BoardDecision.objects.filter(complaint_id=ids["RIV-R-102"]).count() == 1
    # The other cases were not touched: the same allegations, still last written by the first run.
    for number, allegation_ids in others.items():
        assert sorted(Allegation.objects.filter(complaint__tracking_number=number).values_list("pk", flat=True)) == (
            allegation_ids
        )
    second_run = ImportRun.objects.exclude(pk=first_run.pk).get()
    assert dict(ImportedCase.objects.values_list("source_id", "run")) == {
        "R-101": first_run.pk,
        "R-102": second_run.pk,
        "R-103": first_run.pk,
        "R-104": first_run.pk,
    }
    assert Complaint.objects.count() == 4
    assert Allegation.objects.count() == 4
    out = io.StringIO()
    call_command("workflow_check", stdout=out)
    assert out.getvalue() == "Every complaint's status agrees with its records.\n"


def test_a_case_added_at_the_end_of_the_export_is_created_and_the_others_left_alone(office):
    office.imports()
    before = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Complaint, Allegation, SubjectOfficer, Party, SourceRecord)
    }
    office.write("cases.csv", GOOD_CASES + "R-105,2019-08-15,,,An officer refused to give his badge number.\n")
    office.write("allegations.csv", GOOD_ALLEGATIONS + "R-105,TW,White,Male,Lack of Service,Pending\n")

    lines = office.imports()

    assert (
        "Cases: 5: 1 new, 0 changed since the last import, 4 unchanged, 0 worked on here since (left as they are)."
        in lines
    )
    assert _imported_line(lines).startswith("1 cases created, 0 updated, 4 unchanged,")
    assert _by_tracking_number("status")["RIV-R-105"] == "under_investigation"
    for model in (Complaint, Allegation, SubjectOfficer, Party, SourceRecord):
        # The records of the four earlier cases are the same rows; only R-105's are new.
        assert set(before[model.__name__]) <= set(model.objects.values_list("pk", flat=True))
    assert Allegation.objects.count() == 5
    assert Party.objects.count() == 3


def test_a_closed_case_whose_finding_goes_back_to_pending_is_under_investigation_again(office):
    office.imports()
    r103 = Complaint.objects.get(tracking_number="RIV-R-103")
    assert RetentionRecord.objects.get(complaint=r103).closed_on == date(2019, 11, 30)

    office.write(
        "allegations.csv",
        GOOD_ALLEGATIONS.replace(
            "R-103,PL,Latino,Male,Lack of Service,Not Sustained", "R-103,PL,Latino,Male,Lack of Service,Pending"
        ),
    )
    lines = office.imports()

    assert _imported_line(lines).startswith("0 cases created, 1 updated, 3 unchanged,")
    r103.refresh_from_db()
    assert r103.status == "under_investigation"
    assert not BoardDecision.objects.filter(complaint=r103).exists()
    assert not Finding.objects.filter(allegation__complaint=r103).exists()
    assert RetentionRecord.objects.get(complaint=r103).closed_on is None
    out = io.StringIO()
    call_command("workflow_check", stdout=out)
    assert out.getvalue() == "Every complaint's status agrees with its records.\n"


def test_a_case_worked_on_here_since_it_was_imported_is_left_as_it_is(office):
    office.imports()
    r102 = Complaint.objects.get(tracking_number="RIV-R-102")
    CaseNote.objects.create(complaint=r102, body="Called the complainant back.", author=office.user)

    office.write(
        "allegations.csv",
        GOOD_ALLEGATIONS.replace(
            "R-102,KM,Black,Female,Verbal Abuse,Pending", "R-102,KM,Black,Female,Verbal Abuse,Sustained"
        ),
    )
    lines = office.imports()

    assert (
        "Cases: 4: 0 new, 0 changed since the last import, 3 unchanged, 1 worked on here since (left as they are)."
        in lines
    )
    assert _imported_line(lines).startswith(
        "0 cases created, 0 updated, 3 unchanged, 1 left as staff worked on them here;"
    )
    r102.refresh_from_db()
    assert r102.status == "under_investigation"
    assert not Finding.objects.filter(allegation__complaint=r102).exists()


# --- Who may import ---------------------------------------------------------------------------------------


def test_a_user_without_the_import_permission_is_refused_and_nothing_is_written(office, other_investigator):
    refused = office.refused(user=other_investigator)
    assert refused.message == "'bob_investigator' may not do this (needs the permission importing.import_cases)."
    assert refused.lines == []
    assert_nothing_written()


def test_an_import_needs_an_active_account_named_with_user(office):
    office.write_mapping()
    for options, message in (
        ([], "Name the staff member who does this with --user."),
        (["--user", "nobody_here"], "No active account 'nobody_here'."),
    ):
        with pytest.raises(CommandError) as raised:
            call_command("import_cases", str(office.mapping_path), "--no-progress", *options, stdout=io.StringIO())
        assert str(raised.value) == message
    office.user.is_active = False
    office.user.save()
    assert office.refused().message == "No active account 'sofia_supervisor'."
    assert_nothing_written()


# --- Side effects: the search index yes, notifications and email no --------------------------------------

# The tasks that tell people something: none may be sent for an import.
TELLING_TASKS = {
    "complaints.tasks.send_receipt_email",
    "investigations.tasks.send_status_notifications",
    "investigations.tasks.send_assignment_notification",
}


def _found(user, text: str) -> set[str]:
    """The tracking numbers a staff search for ``text`` finds, as ``user`` sees them."""
    results = backends.backend().staff_search(scope=scope_for(user), query=StaffQuery(text=text))
    return {hit.key for hit in results.hits}


@pytest.mark.django_db(transaction=True)
def test_an_import_sends_no_email_and_no_notification_and_its_cases_can_be_searched(
    office, sent_tasks, database_search
):
    office.imports()

    assert Complaint.objects.count() == 4
    assert mail.outbox == []
    sent = {name for name, _args in sent_tasks}
    assert sent & TELLING_TASKS == set()
    assert {name for name in sent if not name.startswith("search.")} == set()
    # Committed, the cases reached the index: a supervisor's search finds them.
    assert _found(office.user, "complainant") == {"RIV-R-101", "RIV-R-102", "RIV-R-103", "RIV-R-104"}
    assert _found(office.user, "library") == {"RIV-R-101"}


# --- A batch that fails ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_later_batch_keeps_the_earlier_ones_and_a_re_run_completes_the_rest(
    office, monkeypatch, sent_tasks, database_search
):
    original = Writer._records
    batches: list[list[str]] = []

    def second_batch_fails(self, cases, by_source, outcome):
        batches.append([case.source_id for case in cases])
        if len(batches) == 2:
            raise RuntimeError("the database server closed the connection")
        return original(self, cases, by_source, outcome)

    monkeypatch.setattr(Writer, "_records", second_batch_fails)
    with pytest.raises(RuntimeError, match="the database server closed the connection"):
        office.call("--batch-size", "2")

    assert batches == [["R-101", "R-102"], ["R-103", "R-104"]]
    # The first batch is there, whole; nothing of the second.
    assert _by_tracking_number("status") == {"RIV-R-101": "decided", "RIV-R-102": "under_investigation"}
    assert sorted(Allegation.objects.values_list("complaint__tracking_number", "category__code")) == [
        ("RIV-R-101", "disc-words"),
        ("RIV-R-101", "force-physical"),
        ("RIV-R-102", "disc-words"),
    ]
    assert sorted(Party.objects.values_list("last_name", flat=True)) == ["BH", "NB"]
    assert sorted(ImportedCase.objects.values_list("source_id", flat=True)) == ["R-101", "R-102"]
    failed = ImportRun.objects.get()
    assert (failed.outcome, failed.counts["created"], failed.finished_at is not None) == ("failed", 2, True)
    assert import_events() == ["import.started", "case.transitioned", "import.batch_written", "import.failed"]
    first_ids = _by_tracking_number("id")
    # The committed batch's cases are in the index or wait in its outbox; the failed batch left nothing.
    waiting = set(PendingUpdate.objects.filter(kind="cases").values_list("object_id", flat=True))
    assert waiting <= set(first_ids.values())
    assert _found(office.user, "complainant") | {n for n, pk in first_ids.items() if pk in waiting} == set(first_ids)

    monkeypatch.setattr(Writer, "_records", original)
    lines = office.imports("--batch-size", "2")

    assert (
        "Cases: 4: 2 new, 0 changed since the last import, 2 unchanged, 0 worked on here since (left as they are)."
        in lines
    )
    assert _imported_line(lines).startswith("2 cases created, 0 updated, 2 unchanged,")
    numbers = _by_tracking_number("id")
    assert sorted(numbers) == ["RIV-R-101", "RIV-R-102", "RIV-R-103", "RIV-R-104"]
    assert {n: numbers[n] for n in first_ids} == first_ids
    assert Complaint.objects.count() == 4
    assert ImportedCase.objects.count() == 4
    assert Allegation.objects.count() == 4
    assert Party.objects.count() == 3
    assert list(ImportRun.objects.order_by("id").values_list("outcome", flat=True)) == ["failed", "completed"]
    assert _found(office.user, "complainant") == {"RIV-R-101", "RIV-R-102", "RIV-R-103", "RIV-R-104"}
    assert {name for name, _args in sent_tasks} & TELLING_TASKS == set()
    assert mail.outbox == []
    out = io.StringIO()
    call_command("workflow_check", stdout=out)
    assert out.getvalue() == "Every complaint's status agrees with its records.\n"


# --- Ten thousand rows ----------------------------------------------------------------------------------

BIG_CASES = 4_000


def _write_big_export(office) -> list[str]:
    """4,000 cases with 10,000 allegation rows (cases 1 to 2,000 have three, the others two, each
    against its own officer) and one complainant each. Every fourth case has its first allegation
    still pending. Returns the allegation file's lines, header first."""
    cases = ["case_no,received,incident,closed,narrative"]
    allegations = ["case_no,officer,officer_race,officer_sex,allegation,finding"]
    complainants = ["case_no,initials,race,sex,age"]
    for n in range(1, BIG_CASES + 1):
        case_no = f"B-{n:05d}"
        cases.append(f"{case_no},2018-{n % 12 + 1:02d}-{n % 28 + 1:02d},,,Complaint {n}: rude words at a checkpoint.")
        for k in range(3 if n <= 2_000 else 2):
            finding = "Pending" if n % 4 == 0 and k == 0 else ("Sustained" if k == 1 else "Not Sustained")
            allegations.append(f"{case_no},{'ABC'[k]}{'XYZ'[k]},White,Male,Verbal Abuse,{finding}")
        complainants.append(f"{case_no},QR,Black,Female,{20 + n % 50}")
    office.write("cases.csv", csv_lines(*cases))
    office.write("allegations.csv", csv_lines(*allegations))
    office.write("complainants.csv", csv_lines(*complainants))
    return allegations


def test_ten_thousand_allegation_rows_import_and_a_second_run_changes_nothing(office):
    allegation_lines = _write_big_export(office)
    assert len(allegation_lines) == 10_001

    lines = office.imports()

    assert "cases (cases.csv) 4,000 4,000" in lines
    assert "allegations (allegations.csv) 10,000 10,000" in lines
    assert "complainants (complainants.csv) 4,000 4,000" in lines
    assert "Statuses the data implies: decided 3,000, under_investigation 1,000" in lines
    assert _imported_line(lines) == (
        "4,000 cases created, 0 updated, 0 unchanged, 0 left as staff worked on them here; "
        "10,000 allegations, 4,000 complainants."
    )
    assert dict(Complaint.objects.values_list("status").annotate(n=Count("id")).order_by()) == {
        "decided": 3_000,
        "under_investigation": 1_000,
    }
    counts = {name: count for name, (count, _top) in _snapshot().items()}
    assert counts == {
        "Complaint": 4_000,
        "Allegation": 10_000,
        "SubjectOfficer": 10_000,
        "Party": 4_000,
        "Finding": 9_000,  # the 1,000 pending allegations have none
        "Investigation": 4_000,
        "BoardDecision": 3_000,
        "StatusChange": 4_000,
        "PublicTimelineEntry": 4_000,
        "ImportedCase": 4_000,
        "SourceRecord": 4_000 + 10_000 + 10_000 + 9_000 + 4_000,
    }
    # Four batches of 1,000 cases, each one transaction with its entry and its batch event.
    assert import_events() == [
        "import.started",
        *["case.transitioned", "import.batch_written"] * 4,
        "import.completed",
    ]

    before = _snapshot()
    fingerprints = dict(ImportedCase.objects.values_list("source_id", "fingerprint"))
    events = AuditEvent.objects.count()

    again = office.imports()

    assert _imported_line(again).startswith("0 cases created, 0 updated, 4,000 unchanged,")
    assert _snapshot() == before
    assert dict(ImportedCase.objects.values_list("source_id", "fingerprint")) == fingerprints
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events:]) == [
        "import.started",
        "import.completed",
    ]


def test_one_bad_row_among_ten_thousand_stops_the_whole_import(office):
    allegation_lines = _write_big_export(office)
    # Line 9,001 of the file: its case id is in no cases row.
    allegation_lines[9_000] = "B-99999,AX,White,Male,Verbal Abuse,Sustained"
    office.write("allegations.csv", csv_lines(*allegation_lines))

    dry = office.dry_run()
    assert "allegations (allegations.csv) 10,000 9,999" in dry
    assert "Errors (1):" in dry
    assert "allegations line 9001: case id 'B-99999' (column 'case_no') is not in the cases file" in dry

    refused = office.refused()
    assert refused.message == NOTHING_IMPORTED
    assert refused.lines[1:] == dry[1:]
    assert_nothing_written()
