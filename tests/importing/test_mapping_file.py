"""The mapping file is checked as a whole before any row is read: every problem is listed with its
place in the file, on a dry run as on a real one, and nothing is written.

The expected messages are written out here; the office's exports are the clean ones of
``conftest.py``, so every refusal below comes from the mapping alone.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .conftest import assert_nothing_written, report_lines

pytestmark = pytest.mark.django_db

HEADER = "The mapping file has problems:"


def _problems(office, *options: str) -> list[str]:
    """The problems listed by a dry run and by a real run, which must list the same."""
    dry = office.refused("--dry-run", *options)
    real = office.refused(*options)
    assert dry.lines == real.lines == []  # refused before any report
    assert dry.message == real.message
    lines = [line.strip() for line in real.message.splitlines()]
    assert lines[0] == HEADER
    assert_nothing_written()
    return lines[1:]


def test_an_unknown_taxonomy_code_in_a_value_table_is_named_with_its_table(office):
    office.mapping["values"]["categories"]["Physical Abuse"] = "force-fisical"
    (problem,) = _problems(office)
    assert problem.startswith("[values.categories]: 'force-fisical' is not one of ")
    # The list it gives is the taxonomy's codes, so the right one is there to copy.
    assert "force-physical" in problem.split(" is not one of ", 1)[1].split(", ")


def test_an_unknown_disposition_and_race_are_named_with_their_tables(office):
    office.mapping["values"]["dispositions"]["Sustained"] = "guilty"
    office.mapping["values"]["races"]["Latino"] = "latino"
    problems = _problems(office)
    assert (
        "[values.dispositions]: 'guilty' is not one of administratively_closed, exonerated, not_sustained, "
        "officer_unidentified, policy_failure, sustained, unfounded, withdrawn"
    ) in problems
    assert any(p.startswith("[values.races]: 'latino' is not one of ") for p in problems)


def test_a_mapping_without_the_received_date_is_refused(office):
    del office.mapping["case"]["received"]
    assert _problems(office) == ["[case].received: required"]


def test_a_parent_that_names_no_file_of_the_mapping_is_refused(office):
    office.mapping["files"]["allegations"]["parent"] = "case"
    problems = _problems(office)
    assert "[files.allegations].parent: no file named 'case'" in problems


def test_a_mapping_that_is_not_toml_is_refused_with_the_place_of_the_mistake(office):
    office.write_mapping()
    office.mapping_path.write_text(
        'system = "riverton-cms"\ntracking_number = "RIV-{source_id}"\n\n[files.cases]\npath "cases.csv"\n',
        encoding="utf-8",
    )
    for options in (["--dry-run"], []):
        with pytest.raises(CommandError) as raised:
            call_command(
                "import_cases", str(office.mapping_path), "--user", office.user.username, "--no-progress", *options,
                stdout=io.StringIO(),
            )  # fmt: skip
        header, problem = [line.strip() for line in str(raised.value).splitlines()]
        assert header == HEADER
        assert problem.startswith("riverton.toml: not valid TOML (")
        assert "at line 5, column 6" in problem
    assert_nothing_written()


def test_every_problem_of_a_mapping_is_listed_at_once(office):
    del office.mapping["case"]["received"]
    office.mapping["files"]["cases"]["encoding"] = "latin-9x"
    office.mapping["files"]["complainants"]["delimiter"] = ";;"
    office.mapping["case"]["incident"]["formats"] = ["%m/%d"]
    office.mapping["allegations"]["category"] = "allegation"
    office.mapping["status"]["closure_reason"] = "gave up"
    office.mapping["tracking_number"] = "RIV-{case}"
    office.mapping["sytem"] = "riverton"

    assert sorted(_problems(office)) == sorted(
        [
            'tracking_number: a pattern containing {source_id}, e.g. "PPD-{source_id}"',
            "[files.cases].encoding: unknown encoding 'latin-9x'",
            '[files.complainants].delimiter: one character, e.g. "," or "\\t"',
            "[case].incident: the format '%m/%d' has no year (%Y)",
            '[allegations].category: name the value table that maps this column (values = "...")',
            "[case].received: required",
            "[status].closure_reason: one of no_jurisdiction, duplicate, withdrawn, insufficient_information",
            "sytem: not a setting of the mapping file",
        ]
    )


def test_a_value_table_the_mapping_does_not_define_is_named(office):
    office.mapping["officers"]["race"]["values"] = "officer_races"
    assert _problems(office) == ["[officers].race: no value table [values.officer_races]"]


def test_a_mapping_file_that_does_not_exist_is_refused(office):
    missing = office.folder / "nowhere.toml"
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_cases", str(missing), "--user", office.user.username, "--no-progress", stdout=io.StringIO()
        )
    assert [line.strip() for line in str(raised.value).splitlines()] == [
        HEADER,
        "nowhere.toml: cannot be read (No such file or directory)",
    ]
    assert_nothing_written()


def test_source_paths_are_read_from_data_dir_when_it_is_given(office, tmp_path):
    """The mapping may live apart from the exports (``--data-dir``), as the worked example does."""
    elsewhere = tmp_path / "mappings"
    elsewhere.mkdir()
    office.mapping_path = elsewhere / "riverton.toml"
    lines = report_lines(office.call("--dry-run", "--data-dir", str(office.folder)))
    assert "cases (cases.csv) 4 4" in lines
    assert "Errors: none." in lines


def test_the_worked_example_mapping_reads_files_in_philadelphias_format(office, tmp_path):
    """docs/import/philadelphia.toml, on three small files with Philadelphia's columns written here
    (two cases: one decided, one still pending), checks cleanly and maps every value."""
    data = tmp_path / "ppd"
    data.mkdir()
    (data / "ppd_complaints_7-18.csv").write_text(
        "cap_number,date_received,dist_occurrence,general_cap_classification,summary\n"
        '13-9001,2013-01-07 00:00:00,35, PHYSICAL ABUSE,"The complainant states that an officer pushed her."\n'
        "13-9002,2013-02-11 00:00:00,15, LACK OF SERVICE,The complainant states nobody took his report.\n",
        encoding="utf-8",
    )
    (data / "ppd_complaint_disciplines_7-18.csv").write_text(
        "cap_number,po_initials,po_race,po_sex,allegations_investigated,investigative_findings,disciplinary_findings\n"
        "13-9001,KF,White,Female,Physical Abuse,Sustained Finding,Training/Counseling\n"
        "13-9001,KF,White,Female,Verbal Abuse,Other than Sustained Finding,Not Applicable\n"
        "13-9002,JM,Black,Male,Lack of Service,Pending,Pending\n",
        encoding="utf-8",
    )
    (data / "ppd_complaint_complainants_7-18_corrected.csv").write_text(
        "cap_number,complainant_sex,complainant_race,complainant_age,complainant_initials\n"
        "13-9001,Female,Black,21,BH\n"
        "13-9002,Male,Unknown,Unknown,JR\n",
        encoding="utf-8",
    )
    example = Path(__file__).resolve().parents[2] / "docs" / "import" / "philadelphia.toml"
    out = io.StringIO()
    call_command("import_cases", str(example), "--data-dir", str(data), "--dry-run", "--no-progress", stdout=out)
    lines = report_lines(out.getvalue())
    assert lines[0] == "Import from philadelphia-cap (philadelphia.toml): dry run, nothing is written"
    assert "complaints (ppd_complaints_7-18.csv) 2 2" in lines
    assert "allegations (ppd_complaint_disciplines_7-18.csv) 3 3" in lines
    assert "complainants (ppd_complaint_complainants_7-18_corrected.csv) 2 2" in lines
    assert "Statuses the data implies: decided 1, under_investigation 1" in lines
    assert "Errors: none." in lines
    assert "Unmapped values: none." in lines
    assert_nothing_written()
